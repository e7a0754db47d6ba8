/**
 * An open-loop load: request i leaves at start + i / rate whatever the answers before it did,
 * and its time is counted from then, so a server that falls behind shows it (no coordinated
 * omission). autocannon's rate limit sends each connection's share of a second back to back
 * and then waits, which measures a burst of queued requests, not a steady rate.
 */
import * as http from 'node:http';
import type { Load, LoadRequest, LoadResult } from './load';

export interface PacedLoadOptions {
  url: string;
  requests: LoadRequest[];
  /** Requests per second, evenly spaced. */
  rate: number;
  seconds: number;
  /** An answer slower than this counts as a timeout (default 10 s). */
  timeoutMs?: number;
}

export function startPacedLoad(o: PacedLoadOptions): Load {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let sent = 0;
  let settled = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = performance.now();
  let finish!: (r: LoadResult) => void;
  const done = new Promise<LoadResult>((resolve) => (finish = resolve));
  const end = () => {
    if (settled < sent || !(stopped || sent === total)) return;
    agent.destroy();
    finish({
      requests: latencies.length,
      errors,
      timeouts,
      non2xx,
      statuses,
      seconds: (performance.now() - start) / 1000,
      latencies,
    });
  };
  const fire = (i: number) => {
    const scheduled = start + i * interval;
    const { path, body } = o.requests[i % o.requests.length];
    const req = http.request(
      `${o.url}${path}`,
      {
        agent,
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = String(res.statusCode);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (!status.startsWith('2')) non2xx++;
          latencies.push(performance.now() - scheduled);
          settled++;
          end();
        });
      },
    );
    req.on('timeout', () => (timeouts++, req.destroy(new Error('timeout'))));
    req.on('error', () => {
      errors++;
      settled++;
      end();
    });
    req.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    while (!stopped && sent < due) fire(sent++);
    if (!stopped && sent < total)
      timer = setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    else end();
  };
  tick();
  return {
    get answered() {
      return latencies.length;
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      end();
    },
    done,
  };
}
