#!/usr/bin/env bash
# The container image's steps, in one place: the Dockerfile runs them, and .ci/run runs them too
# (no Docker engine runs on the CI machines), so CI proves the same build and start.
#
#   scripts/image.sh build <dir>   the locked tree with the dev tools (npm ci builds dist/ through
#                                  "prepare"), then <dir>: dist/ and a production install only
#                                  (npm ci --omit=dev, whose "prepare" makes the PGlite seed with node)
#   scripts/image.sh start         run the built app as npm start does, without rebuilding (from <dir>)
set -euo pipefail

case "${1:-}" in
  build)
    dest="${2:?usage: scripts/image.sh build <dir>}"
    src="$(cd "$(dirname "$0")/.." && pwd)"
    (cd "$src" && npm ci --no-audit --no-fund)
    rm -rf "$dest"
    mkdir -p "$dest/scripts"
    cp -R "$src/dist" "$dest/dist"
    cp "$src/package.json" "$src/package-lock.json" "$src/manifest.yml" "$dest/"
    # What package.json's scripts run there: npm start, npm run rotate-key / import-clients.
    cp "$src/scripts/image.sh" "$src/scripts/prepare.mjs" "$src/scripts/healthcheck.mjs" \
      "$src/scripts/build-if-stale.mjs" "$src/scripts/build-inputs.mjs" "$dest/scripts/"
    (cd "$dest" && npm ci --omit=dev --no-audit --no-fund)
    ;;
  start)
    cd "$(dirname "$0")/.."
    # The same node flags as npm start (package.json); exec, so signals reach node itself.
    exec node --max-old-space-size=256 --max-semi-space-size=16 --enable-source-maps dist/main.js
    ;;
  *)
    echo "usage: scripts/image.sh build <dir> | start" >&2
    exit 2
    ;;
esac
