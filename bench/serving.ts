/**
 * `npm run bench -- serving`: `reclab serve-model` end to end, the HTTP server in front of the
 * whole pipeline (three retrieval channels, merge and filters, MMoE ranking about 300 candidates),
 * as a client sees it:
 * - the bundle's load time, in this process and from a server's start to its /ready;
 * - /recommend at a steady 300 requests per second (evenly spaced, open loop, each time counted
 *   from when its request was due): answers per second, p50 and p99, errors, and the time each
 *   pipeline stage took from the servers' /metrics; then as fast as answered by 10 connections
 *   (autocannon: throughput); beside the same pipeline called in this process;
 * - one process, then two replicas behind nginx with the repository's config (deploy/nginx);
 * - a new bundle rolled out to both replicas (SIGHUP, one after the other) under a load they
 *   sustain, and one reload under the full rate when that is more than they answer.
 * The targets are printed, never asserted.
 */
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../src/data';
import {
  ClusterIndex,
  Dataset,
  ItemCF,
  MMoE,
  TwoTower,
  UserCF,
  importSyntheticBehaviour,
  loadPipeline,
  pipeline,
  rankingSamples,
  type Pipeline,
} from '../src/recsys';
import { initTensorFlow } from '../src/tf-backend';
import {
  nginxUnavailable,
  request,
  sample,
  spawnServeModel,
  startLoad,
  startNginx,
  startPacedLoad,
  until,
  untilReady,
  type LoadResult,
  type Nginx,
} from '../dev';
import { printTable, quantile } from './shared';

const CATALOGUE = 10_000;
const USERS = 5_000;
/** Per channel: with their overlap and the seen filter, about 300 candidates reach the ranker. */
const QUOTA = 190;
const RATE = 300;
/** The closed-loop runs' connections (throughput, the rollout): a request waits behind at most 9 others. */
const CONNECTIONS = 10;
const SECONDS = 20;
const WARM_UP_SECONDS = 3;
const THROUGHPUT_SECONDS = 10;
/** The ranker's fit: few samples and one epoch, since this section times serving, not accuracy. */
const RANKER_SAMPLES = 150_000;
const RANKER_EPOCHS = 1;
const TARGET = { p99Ms: 15, loadMs: 2000 };
/** How long a reload at a rate beyond what the replicas answer is given before the load stops. */
const SATURATED_RELOAD_MS = 20_000;
const STAGES = ['retrieval', 'merge', 'ranking'] as const;

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await f();
  return [value, performance.now() - t];
}

/** The pipeline, fitted on a synthetic behaviour log; says what it is made of. */
async function build(): Promise<{ pipe: Pipeline; setup: string[] }> {
  const db = await Database.open();
  try {
    const [log, logMs] = await timed(() =>
      importSyntheticBehaviour(db, { users: USERS, items: CATALOGUE, categories: 60, eventsPerUser: 40 }),
    );
    const data = Dataset.fromData(log);
    const silent = { progress: false };
    const itemcf = new ItemCF();
    const usercf = new UserCF();
    const tower = new TwoTower({ epochs: 2, embeddingDim: 32, batchSize: 512 });
    const [, retrievalMs] = await timed(async () => {
      await itemcf.fit(data, silent);
      await usercf.fit(data, silent);
      await tower.fit(data, silent);
    });
    const e = tower.itemEmbeddings();
    const index = ClusterIndex.build(e.data, e.dim, { clusters: 100, nprobe: 10, seed: 1 });
    const split = await rankingSamples(db, 'taobao', { negatives: 1, maxSamples: RANKER_SAMPLES });
    const mmoe = new MMoE({ epochs: RANKER_EPOCHS, validation: 0, patience: 0 });
    const [, rankerMs] = await timed(() => mmoe.fit(split.train, silent));
    const pipe = pipeline({
      channels: {
        itemcf: { model: itemcf, quota: QUOTA },
        usercf: { model: usercf, quota: QUOTA },
        tower: { model: tower, quota: QUOTA, index },
      },
      ranker: mmoe,
      objective: { click: 1, buy: 10 },
      k: 10,
    });
    const sampleUsers = data.userNames.slice(0, 200);
    const candidates = sampleUsers.reduce((n, u) => n + pipe.retrieve(u).length, 0) / sampleUsers.length;
    return {
      pipe,
      setup: [
        `log: rl.importSyntheticBehaviour, ${count(CATALOGUE)}-item catalogue (${count(data.numItems)} with ` +
          `interactions), ${count(data.numUsers)} users, ${count(log.interactions.numRows)} behaviours ` +
          `(${seconds(logMs)})`,
        `channels: ItemCF, UserCF, TwoTower through a ClusterIndex (100 clusters, nprobe 10), quota ${QUOTA} each: ` +
          `${candidates.toFixed(0)} candidates on average after merge and the seen filter ` +
          `(fits: ${seconds(retrievalMs)})`,
        `ranker: MMoE (click, cart, buy; objective click×1 + buy×10), ${RANKER_EPOCHS} epoch on ` +
          `${count(split.train.size)} samples (${seconds(rankerMs)}): this section times serving, not accuracy`,
      ],
    };
  } finally {
    db.close();
  }
}

/** The same pipeline called in this process, one request after another: the floor under HTTP. */
function inProcess(
  pipe: Pipeline,
  users: string[],
): { p50: number; p99: number; stages: Record<string, number> } {
  for (const u of users.slice(0, 50)) pipe.recommend(u);
  const before = pipe.stageTotals();
  const times: number[] = [];
  for (const u of users) {
    const t = performance.now();
    pipe.recommend(u);
    times.push(performance.now() - t);
  }
  const after = pipe.stageTotals();
  const stages = Object.fromEntries(STAGES.map((s) => [s, (after[s] - before[s]) / users.length]));
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), stages };
}

interface Replica {
  url: string;
  address: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** From spawn to /ready: process, TensorFlow.js, the bundle's load. */
  readyMs: number;
}

const processes: ChildProcess[] = [];

async function replica(bundle: string): Promise<Replica> {
  const t = performance.now();
  const s = spawnServeModel(bundle, { args: ['--port', '0'] });
  processes.push(s.proc);
  const url = await s.listening;
  await untilReady(url);
  return { url, address: new URL(url).host, proc: s.proc, exited: s.exited, readyMs: performance.now() - t };
}

/** Each stage's and the whole request's seconds summed, and the requests counted, over `replicas`. */
async function serverTimes(replicas: Replica[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = { requests: 0, total: 0, retrieval: 0, merge: 0, ranking: 0 };
  for (const r of replicas) {
    const text = (await request(`${r.url}/metrics`)).text;
    totals.requests += sample(text, 'reclab_http_request_duration_seconds_count{route="/recommend"}') ?? 0;
    totals.total += sample(text, 'reclab_http_request_duration_seconds_sum{route="/recommend"}') ?? 0;
    for (const s of STAGES)
      totals[s] += sample(text, `reclab_pipeline_stage_duration_seconds_sum{stage="${s}"}`) ?? 0;
  }
  return totals;
}

interface Measured {
  fixed: LoadResult;
  /** Mean milliseconds per request in the servers: the whole answer and each stage. */
  server: Record<string, number>;
  max: LoadResult;
}

/** The fixed-rate run, with the servers' stage times over it, then the run as fast as answered. */
async function measure(url: string, replicas: Replica[], paths: string[]): Promise<Measured> {
  const requests = paths.map((p) => ({ path: p }));
  await startPacedLoad({ url, requests, rate: RATE, seconds: WARM_UP_SECONDS }).done;
  const before = await serverTimes(replicas);
  const fixed = await startPacedLoad({ url, requests, rate: RATE, seconds: SECONDS }).done;
  const after = await serverTimes(replicas);
  const n = after.requests - before.requests;
  const server = Object.fromEntries(
    ['total', ...STAGES].map((k) => [k, n ? ((after[k] - before[k]) / n) * 1000 : NaN]),
  );
  const max = await startLoad({ url, requests, connections: CONNECTIONS, seconds: THROUGHPUT_SECONDS }).done;
  return { fixed, server, max };
}

interface Rollout {
  rate: number;
  boundMs: number;
  version: number;
  /** Per replica: from its SIGHUP to its /version saying so, or null when not within the bound. */
  reloads: (number | null)[];
  result: LoadResult;
  /** For reloads not done under load: from the load's end until they were. */
  afterLoad?: number;
}

/**
 * A new bundle version rolled out under `rate` req/s: each replica in turn gets SIGHUP, and the next
 * one only once the last one's /version says so, or `boundMs` passed.
 */
async function rollOut(
  url: string,
  replicas: Replica[],
  pipe: Pipeline,
  bundle: string,
  paths: string[],
  perSecond: number,
  boundMs: number,
): Promise<Rollout> {
  const requests = paths.map((p) => ({ path: p }));
  const load = startLoad({ url, requests, connections: CONNECTIONS, rate: perSecond, seconds: 300 });
  await until(async () => load.answered >= 100, 'the load to get going');
  const { version } = await pipe.export(bundle);
  const on = async (r: Replica) => (await request(`${r.url}/version`)).body.version === version;
  const reloads: (number | null)[] = [];
  for (const r of replicas) {
    const t = performance.now();
    r.proc.kill('SIGHUP');
    while (!(await on(r)) && performance.now() - t < boundMs)
      await new Promise((wake) => setTimeout(wake, 50));
    reloads.push((await on(r)) ? performance.now() - t : null);
  }
  const rolled = load.answered;
  await until(async () => load.answered >= rolled + 100, 'answers after the rollout');
  load.stop();
  const result = await load.done;
  const rollout = { rate: perSecond, boundMs, version, reloads, result };
  if (reloads.every((t) => t !== null)) return rollout;
  const t = performance.now();
  for (const r of replicas) await until(() => on(r), `${r.address} on version ${version}`);
  return { ...rollout, afterLoad: performance.now() - t };
}

const failures = (r: LoadResult) => r.errors + r.non2xx;
const rate = (r: LoadResult) => r.requests / r.seconds;
const p = (r: LoadResult, q: number) => quantile(r.latencies, q);

export async function servingBench(): Promise<void> {
  const backend = await initTensorFlow();
  console.log(
    `\nRecLab serving benchmark — ${os.cpus()[0]?.model.trim()} × ${os.cpus().length}, Node ${process.version}, ` +
      `TensorFlow.js on ${backend.backend} (the servers pick theirs the same way)\n`,
  );
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-bench-serving-'));
  const bundle = path.join(dir, 'bundle');
  let nginx: Nginx | undefined;
  try {
    const { pipe, setup } = await build();
    for (const line of setup) console.log(line);
    const users = pipe.train.userNames.slice(0, 1000);
    const paths = users.map((u) => `/recommend?user=${encodeURIComponent(u)}&k=10`);
    const reference = inProcess(pipe, users);

    const [, exportMs] = await timed(() => pipe.export(bundle));
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) loads.push((await timed(() => loadPipeline(bundle)))[1]);
    const loadMs = quantile(loads, 0.5);

    const single = await replica(bundle);
    const one = await measure(single.url, [single], paths);
    single.proc.kill('SIGTERM');
    await single.exited;

    const why = nginxUnavailable();
    let two: Measured | undefined;
    const rollouts: Rollout[] = [];
    let pair: Replica[] = [];
    if (!why) {
      pair = [await replica(bundle), await replica(bundle)];
      nginx = await startNginx(pair.map((r) => r.address));
      two = await measure(nginx.url, pair, paths);
      // Beyond what the replicas answer, a reload waits behind the queued requests: the rollout
      // that counts runs at a rate they sustain, then one reload is tried at the full rate.
      const sustained = Math.min(RATE, Math.floor(rate(two.max) / 2));
      rollouts.push(await rollOut(nginx.url, pair, pipe, bundle, paths, sustained, 60_000));
      if (sustained < RATE)
        rollouts.push(
          await rollOut(nginx.url, pair.slice(0, 1), pipe, bundle, paths, RATE, SATURATED_RELOAD_MS),
        );
    }

    const col = (m: Measured | undefined, f: (m: Measured) => string) => (m ? f(m) : `— (${why})`);
    const both = (f: (m: Measured) => string, ref = '') => [col(one, f), col(two, f), ref];
    console.log(
      `\n/recommend?user=…&k=10 over ${count(users.length)} users: at ${RATE} req/s evenly spaced for ` +
        `${SECONDS} s after ${WARM_UP_SECONDS} s of warm-up (each time from when its request was due), then as ` +
        `fast as ${CONNECTIONS} connections are answered for ${THROUGHPUT_SECONDS} s. Times as the client sees ` +
        "them; stages as the servers' /metrics count them.\n",
    );
    printTable(
      ['figure', 'one process', '2 replicas behind nginx', 'reference: pipeline in this process'],
      [
        ['answers per second at 300 req/s', ...both((m) => rate(m.fixed).toFixed(0))],
        ['p50 at 300 req/s', ...both((m) => `${ms(p(m.fixed, 0.5))} ms`, `${ms(reference.p50)} ms`)],
        ['p99 at 300 req/s', ...both((m) => `${ms(p(m.fixed, 0.99))} ms`, `${ms(reference.p99)} ms`)],
        ['  p50 ratio to the reference', ...both((m) => `${(p(m.fixed, 0.5) / reference.p50).toFixed(2)}×`)],
        ['errors and non-2xx at 300 req/s', ...both((m) => `${m.fixed.errors} + ${m.fixed.non2xx}`)],
        ['server time per request (mean)', ...both((m) => `${ms(m.server.total)} ms`)],
        ...STAGES.map((s) => [
          `  ${s === 'merge' ? 'merge + filters' : s}`,
          ...both((m) => `${ms(m.server[s])} ms`, `${ms(reference.stages[s])} ms`),
        ]),
        ['throughput, as fast as answered', ...both((m) => `${rate(m.max).toFixed(0)} req/s`)],
        ['  p50 / p99 then', ...both((m) => `${ms(p(m.max, 0.5))} / ${ms(p(m.max, 0.99))} ms`)],
        ['  errors and non-2xx then', ...both((m) => `${m.max.errors} + ${m.max.non2xx}`)],
      ],
    );

    const readies = [single, ...pair].map((r) => r.readyMs);
    console.log(
      `\nbundle: export ${seconds(exportMs)}; loadPipeline ${ms(loadMs)} ms (median of 3, in this process); ` +
        `a server's start to /ready (process, TensorFlow.js, bundle) ${readies.map(seconds).join(', ')}`,
    );
    for (const r of rollouts) {
      const said = (t: number | null) =>
        t === null ? `had not said so after ${seconds(r.boundMs)}` : `said so after ${seconds(t)}`;
      const what =
        r.reloads.length > 1
          ? `rollout of version ${r.version} at ${r.rate} req/s, by SIGHUP to each of ${r.reloads.length} ` +
            `replicas in turn: their /version ${r.reloads.map(said).join(', ')}`
          : `reload of version ${r.version} at ${r.rate} req/s (more than the replicas answer), by SIGHUP to ` +
            `one replica: its /version ${said(r.reloads[0])}`;
      console.log(
        what +
          (r.afterLoad === undefined ? '' : `, and did ${seconds(r.afterLoad)} after the load stopped`) +
          `; ${count(r.result.requests)} answers, ${r.result.errors} errors, ${r.result.non2xx} non-2xx`,
      );
    }

    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const targets: string[][] = [
      [
        `p99 < ${TARGET.p99Ms} ms at ${RATE} req/s, one process`,
        `${ms(p(one.fixed, 0.99))} ms`,
        met(p(one.fixed, 0.99) < TARGET.p99Ms && rate(one.fixed) >= RATE * 0.95),
      ],
      [
        `p99 < ${TARGET.p99Ms} ms at ${RATE} req/s, 2 replicas behind nginx`,
        two ? `${ms(p(two.fixed, 0.99))} ms` : `— (${why})`,
        two ? met(p(two.fixed, 0.99) < TARGET.p99Ms && rate(two.fixed) >= RATE * 0.95) : '',
      ],
      [
        'zero errors on a reload under load',
        rollouts.length ? `${rollouts.reduce((n, r) => n + failures(r.result), 0)} errors` : `— (${why})`,
        rollouts.length ? met(rollouts.every((r) => failures(r.result) === 0)) : '',
      ],
      [`bundle loads in < ${TARGET.loadMs / 1000} s`, `${ms(loadMs)} ms`, met(loadMs < TARGET.loadMs)],
    ];
    console.log('');
    printTable(['target', 'measured', ''], targets);
    console.log(
      `(a rate target counts as met only when the answers kept up with it: ${RATE * 0.95} per second at least)`,
    );
  } finally {
    await nginx?.stop();
    for (const proc of processes)
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
}
