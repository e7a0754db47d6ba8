/**
 * `reclab serve-model` as it runs: real processes started through bin/reclab.mjs, real HTTP on
 * 127.0.0.1, one connection per request (so --workers' round robin is exercised).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline, type Pipeline } from '../src/recsys';
import { initTensorFlow } from '../src/tf-backend';
import {
  request,
  sample,
  spawnServeModel,
  until,
  untilReady,
  type Answer,
  type ServeModelProcess,
} from '../dev';
import { tinyPipeline } from './helpers/pipeline-bundle';

const BIN = join(__dirname, '..', 'bin', 'reclab.mjs');
const TOKEN = 'test-admin-token';
const root = mkdtempSync(join(tmpdir(), 'reclab-serve-model-'));
let pipe: Pipeline;
let other: Pipeline;
let user: string;
const processes: ChildProcess[] = [];

beforeAll(async () => {
  await initTensorFlow('wasm');
  ({ pipe } = await tinyPipeline(5));
  ({ pipe: other } = await tinyPipeline(9));
  user = pipe.train.userNames[3];
});
afterAll(() => {
  for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  request(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
const admin = { authorization: `Bearer ${TOKEN}` };

interface Served extends ServeModelProcess {
  url: string;
}

/** Starts `reclab serve-model` and resolves once it says where it listens. */
async function serve(bundle: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const s = spawnServeModel(bundle, {
    args: ['--port', '0', '--admin-token', TOKEN, ...args],
    env: { RECLAB_TF_BACKEND: 'wasm', RECLAB_SERVE_TEST_HOOKS: '1', ...env },
  });
  processes.push(s.proc);
  return { ...s, url: await s.listening };
}

const ready = (s: Served) => untilReady(s.url);

/** Parses the text exposition format strictly enough that a malformed line fails the test. */
function parsePrometheus(text: string): Map<string, string> {
  const types = new Map<string, string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/.exec(
        line,
      );
    expect(m, `not a Prometheus sample line: ${line}`).not.toBeNull();
    const family = m![1].replace(/_(bucket|sum|count)$/, '');
    expect(types.has(m![1]) || types.get(family) === 'histogram', `no TYPE for ${m![1]}`).toBe(true);
  }
  return types;
}

/** Keeps asking for recommendations until stopped; counts answers and failures. */
function clientLoop(url: string) {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const done = (async () => {
    while (running) {
      try {
        const r = await request(`${url}/recommend?user=${user}&k=3`);
        if (r.status === 200 && Array.isArray(r.body.items)) ok++;
        else failures.push(`${r.status} ${r.text}`);
      } catch (e) {
        failures.push(String(e));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { ok, failures };
    },
  };
}

describe('reclab serve-model: endpoints', () => {
  let s: Served;
  let bundle: string;

  beforeAll(async () => {
    bundle = join(root, 'endpoints');
    await pipe.export(bundle);
    // The load waits, so /ready can be seen saying no.
    s = await serve(bundle, [], { RECLAB_SERVE_TEST_LOAD_DELAY_MS: '1500' });
  });
  afterAll(() => s?.proc.kill('SIGKILL'));

  it('is alive at once, and ready (503 until then) once the bundle is loaded', async () => {
    expect((await request(`${s.url}/health`)).body).toMatchObject({ status: 'ok' });
    const early = await request(`${s.url}/ready`);
    expect(early.status).toBe(503);
    expect(early.body).toEqual({ ready: false, error: 'the bundle is not loaded yet' });
    expect((await request(`${s.url}/recommend?user=${user}`)).status).toBe(503);
    await ready(s);
    expect((await request(`${s.url}/ready`)).body).toEqual({ ready: true, version: 1 });
  });

  it('answers /version with the bundle’s version, creation time and fingerprint', async () => {
    const manifest = JSON.parse(await fs.readFile(join(bundle, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const r = await request(`${s.url}/version`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      version: 1,
      created: manifest.created,
      fingerprint: manifest.fingerprint,
    });
  });

  it('recommends what the pipeline recommends, one user or a batch', async () => {
    const loaded = await loadPipeline(bundle);
    const expected = loaded.recommend(user, { k: 3 }).column('item');
    const one = await request(`${s.url}/recommend?user=${user}&k=3`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ version: 1, user, fallback: false });
    const items = one.body.items as { item: string; score: number; channels: string[]; reason: string }[];
    expect(items.map((i) => i.item)).toEqual(expected);
    expect(items[0].reason).toMatch(/found by/);
    expect((await request(`${s.url}/recommend?user=${user}`)).body.items).toHaveLength(5);

    const second = pipe.train.userNames[7];
    const batch = await post(`${s.url}/recommend`, { users: [user, second, 'nobody'], k: 2 });
    expect(batch.status).toBe(200);
    const results = batch.body.results as { user: string; fallback: boolean; items: { item: string }[] }[];
    expect(results.map((r) => [r.user, r.fallback, r.items.length])).toEqual([
      [user, false, 2],
      [second, false, 2],
      ['nobody', true, 2],
    ]);
    expect(results[1].items.map((i) => i.item)).toEqual(loaded.recommend(second, { k: 2 }).column('item'));
  });

  it('answers an unknown user from the fallback, flagged', async () => {
    const r = await request(`${s.url}/recommend?user=nobody&k=3`);
    expect(r.status).toBe(200);
    expect(r.body.fallback).toBe(true);
    const items = r.body.items as { channels: string[] }[];
    expect(items).toHaveLength(3);
    expect(items.every((i) => i.channels.join() === 'fallback')).toBe(true);
  });

  it('finds similar items', async () => {
    const item = pipe.train.itemNames[3];
    const r = await request(`${s.url}/similar?item=${item}&k=2`);
    expect(r.status).toBe(200);
    expect((r.body.items as { item: string }[]).map((i) => i.item)).toEqual(
      pipe.similarItems(item, 2).column('item'),
    );
  });

  it('answers bad requests with a 4xx naming what is wrong', async () => {
    const cases: [Promise<Answer>, number, string][] = [
      [request(`${s.url}/recommend`), 400, 'user is required: /recommend?user=ID&k=10'],
      [request(`${s.url}/recommend?user=${user}&k=0`), 400, 'k must be a whole number from 1 to 1000, got 0'],
      [
        request(`${s.url}/recommend?user=${user}&k=abc`),
        400,
        'k must be a whole number from 1 to 1000, got abc',
      ],
      [post(`${s.url}/recommend`, '{"users": [', {}), 400, 'the body is not JSON'],
      [post(`${s.url}/recommend`, { users: [] }), 400, 'users must be a non-empty list of user ids'],
      [post(`${s.url}/recommend`, { users: [user, {}] }), 400, 'users[1] must be a user id'],
      [
        post(`${s.url}/recommend`, { users: [user], n: 3 }),
        400,
        'unknown field "n"; the fields are users and k',
      ],
      [
        post(`${s.url}/recommend`, { users: [user], k: 2.5 }),
        400,
        'k must be a whole number from 1 to 1000, got 2.5',
      ],
      [request(`${s.url}/similar`), 400, 'item is required'],
      [request(`${s.url}/similar?item=nothing`), 404, 'no item "nothing" in the bundle\'s catalogue'],
      [request(`${s.url}/nowhere`), 404, 'no route /nowhere; the routes are'],
      [request(`${s.url}/similar`, { method: 'DELETE' }), 405, '/similar takes GET, not DELETE'],
      [post(`${s.url}/admin/reload`, {}), 401, 'a valid admin token is required'],
      [
        post(`${s.url}/admin/reload`, {}, { authorization: 'Bearer wrong' }),
        401,
        'a valid admin token is required',
      ],
    ];
    for (const [answer, status, message] of cases) {
      const r = await answer;
      expect(r.status, message).toBe(status);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.body.error).toContain(message);
    }
  });

  it('serves /metrics as Prometheus text that counts requests and times stages', async () => {
    const before = (await request(`${s.url}/metrics`)).text;
    const series = 'reclab_http_requests_total{route="/recommend",status="200"}';
    const count = sample(before, series) ?? 0;
    await request(`${s.url}/recommend?user=${user}`);
    await request(`${s.url}/recommend?user=${user}`);
    const r = await request(`${s.url}/metrics`);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    const types = parsePrometheus(r.text);
    expect(types.get('reclab_http_requests_total')).toBe('counter');
    expect(types.get('reclab_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('reclab_pipeline_stage_duration_seconds')).toBe('histogram');
    expect(sample(r.text, series)).toBe(count + 2);
    expect(sample(r.text, 'reclab_bundle_version')).toBe(1);
    for (const stage of ['retrieval', 'merge', 'ranking'])
      expect(
        sample(r.text, `reclab_pipeline_stage_duration_seconds_count{stage="${stage}"}`),
      ).toBeGreaterThanOrEqual(2);
    expect(
      sample(r.text, 'reclab_http_request_duration_seconds_count{route="/recommend"}'),
    ).toBeGreaterThanOrEqual(2);
  });
});

describe('reclab serve-model: reload', () => {
  let s: Served;
  let bundle: string;

  beforeAll(async () => {
    bundle = join(root, 'reload');
    await pipe.export(bundle);
    s = await serve(bundle);
    await ready(s);
  });
  afterAll(() => s?.proc.kill('SIGKILL'));

  const version = async () => (await request(`${s.url}/version`)).body.version;

  it('loads a new version on POST /admin/reload and on SIGHUP, failing no request', async () => {
    const loop = clientLoop(s.url);
    const v2 = await other.export(bundle);
    expect(v2.version).toBe(2);
    const r = await post(`${s.url}/admin/reload`, {}, admin);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ reloaded: true, version: 2, previous: 1 });
    expect((await request(`${s.url}/version`)).body).toMatchObject({
      version: 2,
      fingerprint: v2.fingerprint,
    });

    await pipe.export(bundle);
    s.proc.kill('SIGHUP');
    await until(async () => (await version()) === 3, 'version 3 after SIGHUP');
    const { ok, failures } = await loop.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(s.log()).toContain('serving bundle version 3');
  });

  it('lets a request in flight finish on the old pipeline while new ones get the new', async () => {
    const before = await version();
    const slow = request(`${s.url}/recommend?user=${user}&delay_ms=1500`);
    await until(
      async () => sample((await request(`${s.url}/metrics`)).text, 'reclab_inflight_requests') === 1,
      'the slow request',
    );
    await pipe.export(bundle);
    expect((await post(`${s.url}/admin/reload`, {}, admin)).body.version).toBe(Number(before) + 1);
    expect((await request(`${s.url}/recommend?user=${user}`)).body.version).toBe(Number(before) + 1);
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.body.version).toBe(before);
  });

  it('refuses a bundle with a corrupted file, naming it, and keeps serving the old one', async () => {
    const before = await version();
    const loop = clientLoop(s.url);
    await pipe.export(bundle);
    const file = join(bundle, 'channels', 'itemcf', 'similarities.bin');
    const bytes = await fs.readFile(file);
    bytes[0] ^= 0xff;
    await fs.writeFile(file, bytes);
    const r = await post(`${s.url}/admin/reload`, {}, admin);
    expect(r.status).toBe(409);
    expect(r.body.error).toContain(`${file} fails its checksum`);
    expect(r.body.error).toContain(`still serving version ${before}`);
    s.proc.kill('SIGHUP');
    await until(
      async () => (s.log().match(/bundle refused/g) ?? []).length >= 2,
      'the SIGHUP reload to be refused',
    );
    expect(s.log()).toContain(`${file} fails its checksum`);
    expect(s.log()).toContain(`still serving version ${before}`);
    expect(await version()).toBe(before);
    const { ok, failures } = await loop.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    const metrics = (await request(`${s.url}/metrics`)).text;
    expect(sample(metrics, 'reclab_reloads_total{result="refused"}')).toBe(2);
    expect(sample(metrics, 'reclab_bundle_version')).toBe(before);
  });
});

describe('reclab serve-model: limits and shutdown', () => {
  it('answers 503 with Retry-After over --max-inflight, then drains on SIGTERM and exits 0', async () => {
    const bundle = join(root, 'limits');
    await pipe.export(bundle);
    const s = await serve(bundle, ['--max-inflight', '1']);
    await ready(s);
    const inflight = async () => sample((await request(`${s.url}/metrics`)).text, 'reclab_inflight_requests');

    const slow = request(`${s.url}/recommend?user=${user}&delay_ms=1500`);
    await until(async () => (await inflight()) === 1, 'the slow request');
    const busy = await request(`${s.url}/recommend?user=${user}`);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body.error).toBe('busy: 1 requests in flight, the limit (--max-inflight) is 1');
    expect((await request(`${s.url}/health`)).status).toBe(200);
    expect((await slow).status).toBe(200);
    expect((await request(`${s.url}/recommend?user=${user}`)).status).toBe(200);

    // Caught here, so a server that drops it fails the assertions below rather than the run.
    const draining = request(`${s.url}/recommend?user=${user}&delay_ms=1500`).catch((e: Error) => e);
    await until(async () => (await inflight()) === 1, 'the request to drain');
    s.proc.kill('SIGTERM');
    await until(async () => s.log().includes('draining'), 'draining');
    await expect(request(`${s.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
    const answer = await draining;
    expect(answer).not.toBeInstanceOf(Error);
    expect((answer as Answer).status).toBe(200);
    expect((answer as Answer).body.items).toHaveLength(5);
    expect(await s.exited).toBe(0);
  });
});

describe('reclab serve-model --workers', () => {
  it('answers from several processes on one port; SIGHUP and SIGTERM reach them all', async () => {
    const bundle = join(root, 'workers');
    await pipe.export(bundle);
    const s = await serve(bundle, ['--workers', '2']);
    expect(s.log()).toContain('with 2 workers');
    await ready(s);
    // Round robin over fresh connections: several answers show every worker's pid and version.
    const answers = async (path: string) =>
      Promise.all(Array.from({ length: 8 }, () => request(`${s.url}${path}`)));
    const pids = new Set<unknown>();
    await until(async () => {
      for (const r of await answers('/health')) pids.add(r.body.pid);
      return pids.size === 2;
    }, 'both workers to answer');
    expect(pids.has(s.proc.pid)).toBe(false);
    await until(async () => (await answers('/ready')).every((r) => r.status === 200), 'both workers ready');

    await pipe.export(bundle);
    s.proc.kill('SIGHUP');
    await until(
      async () => (await answers('/version')).every((r) => r.body.version === 2),
      'every worker on version 2',
    );

    await pipe.export(bundle);
    expect((await post(`${s.url}/admin/reload`, {}, admin)).body.version).toBe(3);
    await until(
      async () => (await answers('/version')).every((r) => r.body.version === 3),
      'every worker on version 3',
    );

    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    for (const pid of pids)
      expect(() => process.kill(Number(pid), 0), `worker ${String(pid)} still runs`).toThrow();
  });
});

describe('reclab serve-model: the command line', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'serve-model', ...args], { encoding: 'utf8' });

  it('exits 2 naming a wrong argument, before loading anything', () => {
    const cases: [string[], string][] = [
      [[root], 'serve-model needs --port N'],
      [[root, '--port', '70000'], '--port takes a whole number from 0 to 65535, not "70000"'],
      [[root, '--port', '0', '--workers', '0'], '--workers takes a whole number from 1 to 256, not "0"'],
      [[root, '--port', '0', '--max-inflight', 'x'], '--max-inflight takes a whole number'],
      [[join(root, 'no-such-bundle'), '--port', '0'], 'no-such-bundle is not a folder'],
      [['--port', '0'], 'Which bundle? Give its folder.'],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.status, message).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
