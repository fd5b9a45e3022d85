import { createRequire } from "node:module";

/**
 * axios as the rest of the process has it. Bolt's @slack/web-api and acme-client `require` axios,
 * which is its CommonJS build (one file); `import "axios"` would load its ES-module build as well:
 * a second copy, 66 more modules at start (docs/benchmarks.md, start time) and an `isAxiosError`
 * that does not know the first copy's errors. Import axios from here; types from "axios".
 */
const axios = createRequire(import.meta.url)("axios") as typeof import("axios").default;

export default axios;
export const isAxiosError = axios.isAxiosError;
