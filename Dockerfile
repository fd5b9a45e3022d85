# certdesk as a container: build stage, then a slim Node runtime as a non-root user.
# The steps are scripts/image.sh's, which .ci/run also runs (CI machines have no Docker engine).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN scripts/image.sh build /app

FROM node:22-bookworm-slim
# A font for the forecast chart's words (resvg draws text only with fonts it finds on the system).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
WORKDIR /app
# The app stays root-owned and read-only for the runtime user: only /data is writable, so a wrong
# DATA_DIR fails loudly instead of writing inside the container.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
# PGlite's data directory and, unless CERTDESK_KEY(_FILE) is given, the key file: keep it.
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["scripts/image.sh", "start"]
