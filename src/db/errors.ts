/**
 * True when `error` (or one it wraps: drizzle wraps driver errors) is a unique violation of the
 * index or constraint `name`. postgres.js names it `constraint_name`, PGlite `constraint`.
 */
export function violates(error: unknown, name: string): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const {
      code,
      constraint,
      constraint_name: constraintName,
    } = current as {
      code?: unknown;
      constraint?: unknown;
      constraint_name?: unknown;
    };
    if (code === "23505" && (constraint === name || constraintName === name)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
