/**
 * One serving process: a node:http server that answers recommendations from a pipeline bundle
 * (`Pipeline.export`). The bundle in use is one immutable object; a request takes it when it
 * starts, so a reload (swapping the object) lets requests in flight finish on the old pipeline
 * while new ones use the new. A bundle that fails its checksums or its load is refused and the
 * old one keeps serving.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { openBundle, type BundleManifest, type Pipeline, type ReloadResult } from '../recsys';
import { ServerMetrics } from './metrics';

export interface ModelServerOptions {
  /** The bundle folder; reloads read it again. */
  bundle: string;
  port: number;
  /** Default 127.0.0.1: a model server is put behind a proxy, not on every interface, unless asked. */
  host?: string;
  /** Requests on the model routes answered at once; more get 503 with Retry-After (default 64). */
  maxInflight?: number;
  /** Bearer token for `POST /admin/reload`; without one the endpoint is off. */
  adminToken?: string;
  /** Where events are logged (default: stdout). */
  log?: (line: string) => void;
  /** Called when someone asks `/admin/reload` (a worker tells its primary, so every worker reloads). */
  onAdminReload?: () => void;
  /** For tests only: `delay_ms` on the model routes, and a delay before the first load. */
  testHooks?: { requestDelay?: boolean; loadDelayMs?: number };
}

/** The bundle in use: never changed, only replaced. */
interface Serving {
  pipeline: Pipeline;
  manifest: BundleManifest;
}

/** A 4xx answer: its message names what is wrong. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_INFLIGHT = 64;
const MAX_K = 1000;
const MAX_BATCH = 1000;
const MAX_BODY = 1 << 20;
/** How long SIGTERM waits for the requests in flight (a supervisor's own grace period is about this). */
const DRAIN_TIMEOUT_MS = 25_000;

type Handler = (req: http.IncomingMessage, url: URL, serving: Serving) => Promise<unknown> | unknown;

interface Route {
  method: string;
  /** Model routes need the bundle and count against the in-flight limit. */
  model: boolean;
  handler: Handler;
}

export class ModelServer {
  readonly metrics = new ServerMetrics();
  private readonly server: http.Server;
  private serving: Serving | null = null;
  private inflight = 0;
  private draining = false;
  private reloading: Promise<ReloadResult> | null = null;
  private readonly maxInflight: number;
  private readonly log: (line: string) => void;
  private readonly routes: Map<string, Route[]>;
  private idle: (() => void) | null = null;

  constructor(private readonly options: ModelServerOptions) {
    this.maxInflight = options.maxInflight ?? DEFAULT_MAX_INFLIGHT;
    this.log = options.log ?? ((line) => console.log(line));
    this.routes = new Map<string, Route[]>([
      [
        '/recommend',
        [
          { method: 'GET', model: true, handler: (_req, url, s) => this.recommendOne(url, s) },
          { method: 'POST', model: true, handler: (req, _url, s) => this.recommendMany(req, s) },
        ],
      ],
      ['/similar', [{ method: 'GET', model: true, handler: (_req, url, s) => this.similar(url, s) }]],
      // The pid tells which worker answered, for operators (and tests) behind --workers.
      ['/health', [{ method: 'GET', model: false, handler: () => ({ status: 'ok', pid: process.pid }) }]],
      ['/version', [{ method: 'GET', model: true, handler: (_req, _url, s) => versionOf(s.manifest) }]],
      ['/admin/reload', [{ method: 'POST', model: false, handler: (req) => this.adminReload(req) }]],
    ]);
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Listens, then loads the bundle: `/health` answers at once, `/ready` once the bundle is in. */
  async start(): Promise<{ url: string; loaded: Promise<ReloadResult> }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = this.server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    const delay = this.options.testHooks?.loadDelayMs ?? 0;
    const loaded = (delay ? sleep(delay) : Promise.resolve()).then(() => this.reload());
    return { url: `http://${host}:${port}`, loaded };
  }

  get version(): number | null {
    return this.serving?.manifest.version ?? null;
  }

  /**
   * Reads the bundle folder again and swaps it in when it verifies and loads; otherwise keeps
   * the one in use. Reloads asked for while one runs share its result.
   */
  reload(): Promise<ReloadResult> {
    this.reloading ??= this.load().finally(() => (this.reloading = null));
    return this.reloading;
  }

  private async load(): Promise<ReloadResult> {
    const previous = this.version;
    try {
      const next = await openBundle(this.options.bundle);
      this.serving = next;
      this.metrics.bundleVersion.set(next.manifest.version);
      this.metrics.reloads.inc({ result: 'ok' });
      this.log(
        `reclab serve-model: serving bundle version ${next.manifest.version} from ${this.options.bundle}` +
          (previous === null ? '' : ` (was version ${previous})`),
      );
      return { ok: true, version: next.manifest.version, previous };
    } catch (e) {
      const error = (e as Error).message;
      this.metrics.reloads.inc({ result: 'refused' });
      this.log(
        `reclab serve-model: bundle refused: ${error}; ` +
          (previous === null ? 'nothing is served yet' : `still serving version ${previous}`),
      );
      return { ok: false, version: previous, previous, error };
    }
  }

  /** Stops accepting, lets the requests in flight finish, then closes. */
  async drain(): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Idle keep-alive connections would hold close() open; busy ones close after their answer.
    this.server.closeIdleConnections();
    if (this.inflight > 0) {
      // A request that never ends must not keep the process from stopping: cut it after a while.
      const cut = setTimeout(() => this.server.closeAllConnections(), DRAIN_TIMEOUT_MS);
      await new Promise<void>((resolve) => (this.idle = resolve));
      clearTimeout(cut);
    }
    this.server.closeIdleConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.send(res, 'unknown', started, 400, { error: `the request path ${req.url} is not a URL` });
    }
    const path = url.pathname;
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(this.metrics.render());
      this.count('/metrics', 200, started);
      return;
    }
    if (path === '/ready' && req.method === 'GET') {
      const s = this.serving;
      return s
        ? this.send(res, path, started, 200, { ready: true, version: s.manifest.version })
        : this.send(res, path, started, 503, { ready: false, error: 'the bundle is not loaded yet' });
    }
    const routes = this.routes.get(path);
    if (!routes) {
      const known = ['/recommend', '/similar', '/health', '/ready', '/metrics', '/version', '/admin/reload'];
      return this.send(res, 'unknown', started, 404, {
        error: `no route ${path}; the routes are ${known.join(', ')}`,
      });
    }
    const route = routes.find((r) => r.method === req.method);
    if (!route) {
      res.setHeader('allow', routes.map((r) => r.method).join(', '));
      return this.send(res, path, started, 405, {
        error: `${path} takes ${routes.map((r) => r.method).join(' or ')}, not ${req.method}`,
      });
    }
    const serving = this.serving;
    if (route.model && !serving)
      return this.send(
        res,
        path,
        started,
        503,
        { error: 'the bundle is not loaded yet; see /ready' },
        { 'retry-after': '1' },
      );
    if (route.model && this.inflight >= this.maxInflight) {
      this.metrics.rejected.inc({ route: path });
      return this.send(
        res,
        path,
        started,
        503,
        {
          error: `busy: ${this.inflight} requests in flight, the limit (--max-inflight) is ${this.maxInflight}`,
        },
        { 'retry-after': '1' },
      );
    }
    this.inflight++;
    this.metrics.inflight.set(this.inflight);
    try {
      const delay = this.options.testHooks?.requestDelay ? Number(url.searchParams.get('delay_ms') ?? 0) : 0;
      if (delay > 0) await sleep(delay);
      // The bundle taken above answers, even if a reload swapped another in meanwhile.
      const body = await route.handler(req, url, serving!);
      this.send(res, path, started, 200, body);
    } catch (e) {
      if (e instanceof RequestError) this.send(res, path, started, e.status, { error: e.message });
      else {
        this.log(`reclab serve-model: ${req.method} ${req.url} failed: ${(e as Error).stack ?? String(e)}`);
        this.send(res, path, started, 500, { error: `internal error: ${(e as Error).message}` });
      }
    } finally {
      this.inflight--;
      this.metrics.inflight.set(this.inflight);
      if (this.inflight === 0 && this.idle) this.idle();
    }
  }

  private send(
    res: http.ServerResponse,
    route: string,
    started: number,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      // While draining, a keep-alive connection would outlive the server's close.
      ...(this.draining && { connection: 'close' }),
    });
    res.end(text);
    this.count(route, status, started);
  }

  private count(route: string, status: number, started: number): void {
    this.metrics.requests.inc({ route, status: String(status) });
    this.metrics.latency.observe((performance.now() - started) / 1000, { route });
  }

  private recommendOne(url: URL, s: Serving): unknown {
    const user = url.searchParams.get('user');
    if (user === null || user === '')
      throw new RequestError(400, 'user is required: /recommend?user=ID&k=10');
    const k = parseK(url.searchParams.get('k'), s.pipeline.k);
    return { version: s.manifest.version, ...this.listFor(s, user, k) };
  }

  private async recommendMany(req: http.IncomingMessage, s: Serving): Promise<unknown> {
    const body = await readJson(req);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new RequestError(400, 'the body must be a JSON object: { "users": ["u1", "u2"], "k": 10 }');
    const { users, k: givenK, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw new RequestError(400, `unknown field "${extra[0]}"; the fields are users and k`);
    if (!Array.isArray(users) || !users.length)
      throw new RequestError(400, 'users must be a non-empty list of user ids: { "users": ["u1", "u2"] }');
    if (users.length > MAX_BATCH)
      throw new RequestError(413, `users has ${users.length} ids; at most ${MAX_BATCH} per request`);
    users.forEach((u, i) => {
      if ((typeof u !== 'string' || !u) && typeof u !== 'number')
        throw new RequestError(
          400,
          `users[${i}] must be a user id (a string or number), got ${JSON.stringify(u)}`,
        );
    });
    const k = givenK === undefined ? s.pipeline.k : parseK(JSON.stringify(givenK), s.pipeline.k);
    return {
      version: s.manifest.version,
      k,
      results: (users as (string | number)[]).map((u) => this.listFor(s, String(u), k)),
    };
  }

  /** One user's list, flagged when the fallback made it; each stage's time goes to the metrics. */
  private listFor(s: Serving, user: string, k: number) {
    const before = s.pipeline.stageTotals();
    const list = s.pipeline.recommend(user, { k });
    const after = s.pipeline.stageTotals();
    for (const stage of ['retrieval', 'merge', 'ranking'] as const)
      this.metrics.stages.observe((after[stage] - before[stage]) / 1000, { stage });
    const item = list.column('item') as string[];
    const score = list.column('score') as ArrayLike<number>;
    const channels = list.column('channels') as string[];
    const reason = list.column('reason') as string[];
    return {
      user,
      fallback: !s.pipeline.knows(user),
      items: item.map((id, r) => ({
        item: id,
        score: Number.isFinite(score[r]) ? score[r] : null,
        channels: channels[r] ? channels[r].split(', ') : [],
        reason: reason[r],
      })),
    };
  }

  private similar(url: URL, s: Serving): unknown {
    const item = url.searchParams.get('item');
    if (item === null || item === '') throw new RequestError(400, 'item is required: /similar?item=ID&k=10');
    const k = parseK(url.searchParams.get('k'), s.pipeline.k);
    if (s.pipeline.train.findItem(item) < 0)
      throw new RequestError(404, `no item "${item}" in the bundle's catalogue`);
    let table;
    try {
      table = s.pipeline.similarItems(item, k);
    } catch (e) {
      throw new RequestError(422, `no similar items for "${item}": ${(e as Error).message}`);
    }
    const items = table.column('item') as string[];
    const similarity = table.column('similarity') as ArrayLike<number>;
    return {
      version: s.manifest.version,
      item,
      items: items.map((id, r) => ({ item: id, similarity: similarity[r] })),
    };
  }

  private async adminReload(req: http.IncomingMessage): Promise<unknown> {
    const token = this.options.adminToken;
    if (!token)
      throw new RequestError(
        403,
        'the admin endpoint is off: start with --admin-token or RECLAB_ADMIN_TOKEN',
      );
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!sameToken(given, token))
      throw new RequestError(401, 'a valid admin token is required: Authorization: Bearer TOKEN');
    const result = await this.reload();
    this.options.onAdminReload?.();
    if (!result.ok)
      throw new RequestError(409, `reload refused: ${result.error}; still serving version ${result.version}`);
    return { reloaded: true, version: result.version, previous: result.previous };
  }
}

function versionOf(m: BundleManifest) {
  return {
    version: m.version,
    created: m.created,
    fingerprint: m.fingerprint,
    format: m.format,
    formatVersion: m.formatVersion,
  };
}

function parseK(text: string | null, fallback: number): number {
  if (text === null || text === '') return fallback;
  const k = Number(text);
  if (!Number.isInteger(k) || k < 1 || k > MAX_K)
    throw new RequestError(400, `k must be a whole number from 1 to ${MAX_K}, got ${text}`);
  return k;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new RequestError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RequestError(400, `the body is not JSON: ${(e as Error).message}`);
  }
}

/** Compares in constant time, so the answer's timing does not reveal how much of a token matched. */
function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
