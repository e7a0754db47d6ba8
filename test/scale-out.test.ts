/**
 * The scale-out that deploy/ ships, run on plain processes (container images cannot be built
 * here): the repository's nginx config in front of three `reclab serve-model` processes on
 * 127.0.0.1, under a bounded load from autocannon. A replica killed mid-run, and a new bundle
 * rolled out replica by replica, fail no request. Nothing here asserts a duration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pipeline } from '../src/recsys';
import { initTensorFlow } from '../src/tf-backend';
import {
  nginxUnavailable,
  request,
  spawnServeModel,
  startLoad,
  startNginx,
  until,
  untilReady,
  type LoadRequest,
  type LoadResult,
  type Nginx,
} from '../dev';
import { tinyPipeline } from './helpers/pipeline-bundle';

const skip = nginxUnavailable();
const root = mkdtempSync(join(tmpdir(), 'reclab-scale-out-'));

interface Replica {
  url: string;
  /** host:port, as nginx's upstream names it. */
  address: string;
  proc: ChildProcess;
}

interface Cluster {
  replicas: Replica[];
  front: Nginx;
  stop(): Promise<void>;
}

const clusters: Cluster[] = [];
const processes: ChildProcess[] = [];

async function replica(bundle: string): Promise<Replica> {
  const s = spawnServeModel(bundle, { args: ['--port', '0'], env: { RECLAB_TF_BACKEND: 'wasm' } });
  processes.push(s.proc);
  const url = await s.listening;
  return { url, address: new URL(url).host, proc: s.proc };
}

const kill = (p: ChildProcess) => p.exitCode === null && p.signalCode === null && p.kill('SIGKILL');

/** Three replicas of one bundle folder behind nginx, all ready. */
async function cluster(bundle: string): Promise<Cluster> {
  const replicas = await Promise.all([replica(bundle), replica(bundle), replica(bundle)]);
  await Promise.all(replicas.map((r) => untilReady(r.url)));
  const front = await startNginx(replicas.map((r) => r.address));
  const c: Cluster = {
    replicas,
    front,
    stop: async () => {
      await front.stop();
      for (const r of replicas) kill(r.proc);
    },
  };
  clusters.push(c);
  await untilReady(front.url);
  return c;
}

afterAll(async () => {
  for (const c of clusters) await c.stop();
  for (const p of processes) kill(p);
  rmSync(root, { recursive: true, force: true });
});

/**
 * Users' recommendations in turn, the unknown one (the fallback) among them: a GET, then two
 * batches by POST, which nginx passes to the next replica only because the config allows it
 * (non_idempotent).
 */
const requests = (pipe: Pipeline): LoadRequest[] =>
  [...pipe.train.userNames.slice(0, 20), 'nobody'].flatMap((u, i, all) => [
    { path: `/recommend?user=${encodeURIComponent(u)}&k=3` },
    { path: '/recommend', body: { users: [u, all[(i + 1) % all.length]], k: 3 } },
    { path: '/recommend', body: { users: [all[(i + 2) % all.length]], k: 2 } },
  ]);

/** What a failed run says: its counts and nginx's log of the requests it had to pass on or fail. */
const report = (r: LoadResult, front: Nginx) =>
  `${r.requests} answered, ${r.errors} errors, ${r.timeouts} timeouts, statuses ${JSON.stringify(r.statuses)}\n` +
  front.log();

describe.skipIf(!!skip)(
  `scale-out: nginx in front of three serve-model processes${skip ? ` (skipped: ${skip})` : ''}`,
  // Three TensorFlow.js processes, nginx and the load share two cores: the waits are for states.
  { timeout: 180_000 },
  () => {
    let pipe: Pipeline;
    let next: Pipeline;

    beforeAll(async () => {
      await initTensorFlow('wasm');
      ({ pipe } = await tinyPipeline(5));
      ({ pipe: next } = await tinyPipeline(9));
    });

    it('fails no request when a replica is killed mid-run: nginx passes it to the next', async () => {
      const bundle = join(root, 'kill');
      await pipe.export(bundle);
      const { replicas, front, stop } = await cluster(bundle);
      const load = startLoad({ url: front.url, requests: requests(pipe), connections: 4, seconds: 120 });
      await until(async () => load.answered >= 300, 'the load to get going');
      replicas[1].proc.kill('SIGKILL');
      const killedAt = load.answered;
      // Long enough after the kill for nginx to try the dead replica, mark it down and try it again.
      await until(async () => load.answered >= killedAt + 1500, 'answers after the kill');
      load.stop();
      const r = await load.done;
      expect(r.errors, report(r, front)).toBe(0);
      expect(r.non2xx, report(r, front)).toBe(0);
      expect(r.requests).toBeGreaterThan(killedAt);
      // The kill was felt: nginx logs each request it passed on ("502, 200": refused, then answered).
      expect(front.log()).toMatch(
        new RegExp(`upstreams="${replicas[1].address}, [^"]+" statuses="50\\d, 200"`),
      );
      // The two left answer through nginx alone.
      const seen = new Set<unknown>();
      for (let i = 0; i < 6; i++) seen.add((await request(`${front.url}/health`)).body.pid);
      expect([...seen].sort()).toEqual([replicas[0].proc.pid, replicas[2].proc.pid].sort());
      await stop();
    });

    it('fails no request while a new bundle rolls out replica by replica', async () => {
      const bundle = join(root, 'rollout');
      await pipe.export(bundle);
      const { replicas, front, stop } = await cluster(bundle);
      const version = async (r: Replica) => (await request(`${r.url}/version`)).body.version;
      const load = startLoad({ url: front.url, requests: requests(pipe), connections: 4, seconds: 120 });
      await until(async () => load.answered >= 300, 'the load to get going');
      expect((await next.export(bundle)).version).toBe(2);
      for (const r of replicas) {
        expect(await version(r)).toBe(1);
        r.proc.kill('SIGHUP');
        await until(async () => (await version(r)) === 2, `${r.address} to serve version 2`);
      }
      const rolledAt = load.answered;
      await until(async () => load.answered >= rolledAt + 300, 'answers after the rollout');
      load.stop();
      const r = await load.done;
      expect(r.errors, report(r, front)).toBe(0);
      expect(r.non2xx, report(r, front)).toBe(0);
      expect(await Promise.all(replicas.map(version))).toEqual([2, 2, 2]);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => request(`${front.url}/recommend?user=${pipe.train.userNames[0]}`)),
      );
      expect(answers.map((a) => a.body.version)).toEqual([2, 2, 2, 2, 2, 2]);
      // A reload through the balancer would reach one replica at random: it is refused there.
      const admin = await request(`${front.url}/admin/reload`, { method: 'POST' });
      expect(admin.status).toBe(403);
      expect(admin.body.error).toMatch(/reload each replica at its own address/);
      await stop();
    });
  },
);
