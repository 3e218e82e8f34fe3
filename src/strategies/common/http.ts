/**
 * The one HTTP call of the gates: a GET whose status is all that is kept (the body is discarded unread).
 * Redirects are not followed: the status is what the URL itself answers. Handlers take it as a parameter,
 * so unit tests pass a fake.
 */

/** GETs url; resolves with the status, rejects when no answer came (refused, unknown host, timeout). */
export type HttpGet = (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<{ status: number }>;

export const httpGet: HttpGet = async (url, timeoutMs, signal) => {
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(url, {
    method: 'GET',
    redirect: 'manual',
    signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
  });
  await response.body?.cancel().catch(() => undefined);
  return { status: response.status };
};

/** Why a GET got no status, in a few words: "no answer within 10s", "ECONNREFUSED", "getaddrinfo ENOTFOUND x". */
export function describeHttpError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000}s`;
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message || ((cause as Error & { code?: string }).code ?? error.message);
    return error.message;
  }
  return String(error);
}
