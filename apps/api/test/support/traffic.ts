/**
 * Records every response the API gives to this process (status, headers, body), whoever made
 * the request: stack.call, a helper's fetch, the OAuth callback. The API's own calls to the
 * sandbox and the identity provider go through the same global fetch but are not recorded.
 */
export interface RecordedResponse {
  method: string;
  url: string;
  status: number;
  headers: string;
  body: string;
}

export function recordApiTraffic(apiUrl: string): { responses: RecordedResponse[]; stop(): void } {
  const original = globalThis.fetch;
  const responses: RecordedResponse[] = [];
  const recording: typeof fetch = async (input, init) => {
    const res = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(apiUrl)) {
      responses.push({
        method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
        url,
        status: res.status,
        headers: [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
        body: await res.clone().text(),
      });
    }
    return res;
  };
  globalThis.fetch = recording;
  return {
    responses,
    stop() {
      globalThis.fetch = original;
    },
  };
}
