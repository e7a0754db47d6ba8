import * as http from 'node:http';

/** One HTTP answer, read whole. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as a JSON object, read field by field by the caller ({} for text such as /metrics). */
  body: Record<string, unknown>;
}

/** One request on a fresh connection (no agent), so each one may reach another process behind a port. */
export function request(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // /metrics is text.
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Polls until `check` holds: callers wait on states, never on durations. It gives up after about
 * 30 s, which a 2-core machine starting TensorFlow.js in several processes may need.
 */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until `url`/ready answers 200; a refused connection (not listening yet) counts as not ready. */
export const untilReady = (url: string) =>
  until(
    () =>
      request(`${url}/ready`).then(
        (r) => r.status === 200,
        () => false,
      ),
    `${url}/ready`,
  );

/** One sample's value from Prometheus text (`series` as written: name and labels), or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
