/**
 * Independent reads of one step, sent at once instead of one after another (each round trip is a wait),
 * and answered as if they had run in order: when some fail, the first failure in the given order is
 * thrown, so which refusal a user sees (a gate alarm before a missing instance) does not depend on timing.
 */
export async function allInOrder<T extends readonly unknown[] | []>(reads: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(reads);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
