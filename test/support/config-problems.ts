import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

/** The problems loadConfig reports for `env` (it must refuse it with a ConfigError). */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}
