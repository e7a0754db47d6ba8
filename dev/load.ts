import autocannon from 'autocannon';

export interface LoadOptions {
  /** The server: http://HOST:PORT. */
  url: string;
  /** The requests made, in turn (e.g. one user's /recommend after another). */
  requests: LoadRequest[];
  connections: number;
  /**
   * Requests per second over all connections (autocannon's overallRate); as fast as answered without.
   * autocannon spends each connection's share of a second back to back, then waits for the next second.
   */
  rate?: number;
  /** The bound: the run ends after this many seconds unless stopped before. */
  seconds: number;
}

/** A GET of `path`, or a POST of `body` (JSON) to it. */
export interface LoadRequest {
  path: string;
  body?: unknown;
}

export interface LoadResult {
  /** Answers received. */
  requests: number;
  /** Requests that got no answer: connection errors and timeouts. */
  errors: number;
  timeouts: number;
  /** Answers whose status was not 2xx, and every status's count. */
  non2xx: number;
  statuses: Record<string, number>;
  seconds: number;
  /** Every answer's time in milliseconds (autocannon's own histogram keeps whole milliseconds only). */
  latencies: number[];
}

export interface Load {
  /** Answers received so far. */
  readonly answered: number;
  /** Ends the run early; `done` then resolves with what was measured. */
  stop(): void;
  done: Promise<LoadResult>;
}

/** Starts a load of HTTP requests with autocannon; the caller acts on the system meanwhile. */
export function startLoad(o: LoadOptions): Load {
  let next = 0;
  const requests = o.requests.map(({ path, body }) =>
    body === undefined
      ? { method: 'GET' as const, path }
      : {
          method: 'POST' as const,
          path,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const latencies: number[] = [];
  let result!: (r: LoadResult) => void;
  let failure!: (e: Error) => void;
  const done = new Promise<LoadResult>((resolve, reject) => ((result = resolve), (failure = reject)));
  const instance = autocannon(
    {
      url: o.url,
      connections: o.connections,
      duration: o.seconds,
      // Its coordinated-omission correction takes 1/rate (seconds) for an interval in milliseconds and
      // adds made-up samples: the times as measured instead.
      ...(o.rate !== undefined && { overallRate: o.rate, ignoreCoordinatedOmission: true }),
      requests: [{ setupRequest: (req) => ({ ...req, ...requests[next++ % requests.length] }) }],
    },
    (error: Error | null, r) => {
      if (error) return failure(error);
      const statuses: Record<string, number> = {};
      for (const [status, { count }] of Object.entries(r.statusCodeStats ?? {}))
        statuses[status] = count ?? 0;
      result({
        requests: latencies.length,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
        statuses,
        seconds: r.duration,
        latencies,
      });
    },
  );
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  return {
    get answered() {
      return latencies.length;
    },
    stop: () => instance.stop(),
    done,
  };
}
