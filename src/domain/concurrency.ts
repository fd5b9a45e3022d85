/**
 * At most `limit` calls of `fn` at once over `items`, in their order; resolves when all ended,
 * rejects with the first failure (the others still running are left to end). A plain combinator with
 * no I/O of its own: the poll's status checks (4 at once) and the served-certificate probe (never more
 * than 4 connections) share it.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
