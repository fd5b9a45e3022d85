#!/usr/bin/env node
/** The container's HEALTHCHECK: ready means /readyz answers 200 (database, Slack, jobs on time). */
const port = process.env.PORT ?? "3000";
try {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(4000) });
  if (response.status !== 200) console.error(await response.text());
  process.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  console.error(`certdesk does not answer on port ${port}: ${error.message}`);
  process.exit(1);
}
