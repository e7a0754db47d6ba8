/**
 * `reclab serve-model`'s processes: one ModelServer, or with `workers` > 1 a node:cluster
 * primary that forks them on one shared port and passes SIGHUP (reload) and SIGTERM (drain)
 * on, since a supervisor signals the primary alone.
 */
import cluster, { type Worker } from 'node:cluster';
import { initTensorFlow } from '../tf-backend';
import { ModelServer, type ModelServerOptions } from './model-server';

export interface ServeModelOptions extends Omit<ModelServerOptions, 'log' | 'onAdminReload'> {
  /** Processes answering on the port (default 1: this process itself). */
  workers?: number;
}

/** What the primary and its workers say to each other. */
type Message = { type: 'reload' } | { type: 'drain' } | { type: 'reload-others' };

const isMessage = (m: unknown): m is Message =>
  typeof m === 'object' && m !== null && ['reload', 'drain', 'reload-others'].includes((m as Message).type);

/** Runs until SIGTERM or SIGINT has drained every request; resolves with the exit code. */
export async function serveModel(options: ServeModelOptions): Promise<number> {
  const workers = options.workers ?? 1;
  if (workers > 1 && cluster.isPrimary) return primary(options, workers);
  return single(options, cluster.isWorker);
}

async function single(options: ServeModelOptions, worker: boolean): Promise<number> {
  const prefix = worker ? `[worker ${cluster.worker!.id}] ` : '';
  const log = (line: string) => console.log(prefix + line);
  const backend = await initTensorFlow();
  const server = new ModelServer({
    ...options,
    log,
    // A worker's reload reaches the other workers through the primary.
    onAdminReload: worker ? () => process.send?.({ type: 'reload-others' } satisfies Message) : undefined,
  });
  const { url } = await server.start();
  if (!worker) log(`reclab serve-model: listening on ${url} (TensorFlow.js on ${backend.backend})`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      log(`reclab serve-model: ${why}: draining requests in flight`);
      void server.drain().then(() => {
        log('reclab serve-model: stopped');
        resolve(0);
      });
    };
    process.on('SIGHUP', () => void server.reload());
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.type === 'reload') void server.reload();
      if (m.type === 'drain') stop('asked to stop');
    });
  });
}

async function primary(options: ServeModelOptions, count: number): Promise<number> {
  const log = (line: string) => console.log(line);
  let stopping = false;
  let listening = 0;
  const fork = () => {
    const w = cluster.fork();
    w.on('message', (m: unknown) => {
      // One worker was asked to reload over HTTP: the others reload too, so every answer agrees.
      if (isMessage(m) && m.type === 'reload-others')
        for (const other of all()) if (other !== w) other.send({ type: 'reload' });
    });
    return w;
  };
  const all = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  cluster.on('listening', (_w, address) => {
    if (++listening === count) {
      const host = options.host ?? '127.0.0.1';
      log(
        `reclab serve-model: listening on http://${host.includes(':') ? `[${host}]` : host}:${address.port} with ${count} workers`,
      );
    }
  });
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    log(`reclab serve-model: worker ${w.id} exited (${signal ?? `code ${code}`}); starting another`);
    fork();
  });
  for (let i = 0; i < count; i++) fork();
  return new Promise<number>((resolve) => {
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      log(`reclab serve-model: ${why}: draining ${all().length} workers`);
      const left = all();
      if (!left.length) resolve(0);
      let alive = left.length;
      for (const w of left) {
        w.once('exit', () => {
          if (--alive === 0) {
            log('reclab serve-model: stopped');
            resolve(0);
          }
        });
        w.send({ type: 'drain' } satisfies Message);
      }
    };
    process.on('SIGHUP', () => {
      log('reclab serve-model: SIGHUP: reloading every worker');
      for (const w of all()) w.send({ type: 'reload' } satisfies Message);
    });
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
