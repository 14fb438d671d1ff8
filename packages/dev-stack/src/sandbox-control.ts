/**
 * One call to the TikTok sandbox's control API (`/_sandbox/...`, its README): what tests and the
 * seed use to do what only TikTok can (create a creator, change its settings, queue a failure, say
 * what it received). Its own entry point, so a caller with only the sandbox's URL (the end-to-end
 * suite) loads nothing else of the stack.
 */
export async function sandboxRequest<T = unknown>(
  sandboxUrl: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandboxUrl}/_sandbox/${path.replace(/^\//, '')}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
