import { promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '../src/api';
import { startServer, type RunningServer } from '../src/server';
import { RECOVERY_INTERVAL_MS } from '../src/server/session';
import { StateStore } from '../src/server/state-store';
import {
  createNotebook,
  newCodeCell,
  serializeNotebook,
  type Output,
  type StreamOutput,
} from '../src/notebook';
import { WorkbenchClient } from '../dev';
import { nbformatAvailable, validateWithNbformat } from './helpers/nbformat';

let dir: string;
let server: RunningServer;
const fixture = path.join(import.meta.dirname, 'fixtures/jupyter-written.ipynb');

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(pathname: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path: pathname,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-server-'));
  const rendererDir = path.join(dir, 'renderer');
  await fs.mkdir(rendererDir);
  await fs.writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>RecLab</title>');
  await fs.mkdir(path.join(dir, 'work'));
  server = await startServer({
    folder: path.join(dir, 'work'),
    rendererDir,
    samplesFolder: path.join(import.meta.dirname, '../notebooks'),
    stateDir: path.join(dir, 'state'),
  });
});

afterAll(async () => {
  await server?.close();
});

describe('access', () => {
  it('refuses a request without the token and tells how to get in', async () => {
    const r = await get('/');
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/token/);
  });

  it('trades the token in the URL for a cookie, then serves the page with a strict CSP', async () => {
    const first = await get(`/?token=${server.token}`);
    expect(first.status).toBe(302);
    expect(String(first.headers['set-cookie'])).toMatch(/reclab-token-\d+=.*HttpOnly; SameSite=Strict/);
    expect(first.headers.location).toBe('/');
    const page = await get('/', { cookie: `reclab-token-${server.port}=${server.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>RecLab</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
  });

  it('refuses a wrong token, a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    expect((await get('/', { cookie: `reclab-token-${server.port}=wrong` })).status).toBe(403);
    expect(
      (await get('/', { cookie: `reclab-token-${server.port}=${server.token}`, host: 'evil.example:80' }))
        .status,
    ).toBe(403);
    expect(
      (
        await get('/', {
          cookie: `reclab-token-${server.port}=${server.token}`,
          origin: 'http://evil.example',
        })
      ).status,
    ).toBe(403);
  });

  it('refuses requests that do not follow the contract, with a message', async () => {
    const c = await WorkbenchClient.connect(server.port, server.token);
    const raw = c as unknown as { request(method: string, params: unknown): Promise<unknown> };
    await expect(raw.request('constructor', {})).rejects.toThrow(/Unknown method "constructor"/);
    await expect(raw.request('open', {})).rejects.toThrow(/open: "path" is missing/);
    await expect(
      raw.request('query', { session: 's', query: 'page', params: { tableId: 't', offset: '0', limit: 1 } }),
    ).rejects.toThrow(/page: "offset" must be a whole number, not string/);
    await expect(raw.request('query', { session: 's', query: 'eval', params: {} })).rejects.toThrow(
      /query: "query" must be one of "page", "columnSummary", "catalog"/,
    );
    await expect(raw.request('edit', null)).rejects.toThrow(
      /edit: the parameters must be an object, not null/,
    );
    await expect(
      raw.request('edit', {
        session: 's',
        client: 'c',
        seq: 1,
        edits: [{ op: 'move', cell: 'x', index: -1 }],
      }),
    ).rejects.toThrow(/edit: "edits.0.index": expected integer to be greater or equal to 0/);
    await expect(
      raw.request('edit', { session: 's', client: 'c', seq: 1, edits: [{ op: 'paste', cell: 'x' }] }),
    ).rejects.toThrow(/edit: "edits.0.op" must be one of "source", "insert"/);
    await expect(raw.request('hello', { protocol: PROTOCOL_VERSION + 1 })).rejects.toThrow(
      /another version of RecLab .* Reload the page/,
    );
    c.close();
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(WorkbenchClient.connect(server.port, 'wrong')).rejects.toThrow(/403/);
    await expect(WorkbenchClient.connect(server.port, server.token, 'http://evil.example')).rejects.toThrow(
      /403/,
    );
    const ok = await WorkbenchClient.connect(server.port, server.token);
    expect((await ok.request('hello', { protocol: PROTOCOL_VERSION })).folder).toBe(path.join(dir, 'work'));
    ok.close();
  });

  it('serves only files inside the renderer folder, even for encoded climbs', async () => {
    await fs.writeFile(path.join(dir, 'secret.txt'), 'outside');
    const cookie = { cookie: `reclab-token-${server.port}=${server.token}` };
    for (const climb of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/..%5csecret.txt']) {
      const r = await get(climb, cookie);
      expect(r.body, climb).not.toContain('outside');
      expect(r.body, climb).toContain('<title>RecLab</title>');
    }
  });
});

describe('notebook files', () => {
  it('opens and saves an unchanged notebook byte for byte, and keeps no backup behind', async () => {
    const file = path.join(dir, 'work', 'same.ipynb');
    await fs.copyFile(fixture, file);
    const before = await fs.readFile(file, 'utf8');
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    expect(notebook.dirty).toBe(false);
    await c.request('save', { session: notebook.session });
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect((await fs.readdir(path.dirname(file))).filter((f) => f.startsWith('.'))).toEqual([]);
    await c.request('close', { session: notebook.session });
    c.close();
  });

  it('applies edits by cell handle, saves a valid notebook, and lists it as recent', async () => {
    const file = path.join(dir, 'work', 'edit.ipynb');
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell('1 + 1')])));
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    const first = notebook.cells[0].handle;
    await c.request('edit', {
      session: notebook.session,
      client: 'w1',
      seq: 1,
      edits: [
        { op: 'source', cell: first, source: 'const x = 2;' },
        { op: 'insert', index: 0, cell: 'sql1', kind: 'sql', source: '-- name: t\nSELECT 1 AS a' },
        { op: 'insert', index: 2, cell: 'md1', kind: 'markdown', source: '# Title' },
        { op: 'move', cell: 'md1', index: 0 },
        { op: 'insert', index: 3, cell: 'gone', kind: 'typescript', source: 'x' },
        { op: 'delete', cell: 'gone' },
      ],
    });
    expect((await c.request('attach', { session: notebook.session })).dirty).toBe(true);
    // A batch re-sent after a lost connection is applied once.
    await c.request('edit', {
      session: notebook.session,
      client: 'w1',
      seq: 1,
      edits: [{ op: 'insert', index: 0, cell: 'again', kind: 'sql', source: 'x' }],
    });
    await c.request('save', { session: notebook.session });
    const saved = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(
      saved.cells.map((cell: { cell_type: string; source: string[] }) => [
        cell.cell_type,
        cell.source.join(''),
      ]),
    ).toEqual([
      ['markdown', '# Title'],
      ['code', '-- name: t\nSELECT 1 AS a'],
      ['code', 'const x = 2;'],
    ]);
    expect(saved.cells[1].metadata.vscode.languageId).toBe('sql');
    if (nbformatAvailable()) expect(validateWithNbformat(file)).toBe('');
    expect((await c.request('recent', {})).map((e) => e.path)).toContain(file);
    // Undo of a deletion brings the cell back where it was.
    await c.request('edit', {
      session: notebook.session,
      client: 'w1',
      seq: 2,
      edits: [
        { op: 'delete', cell: first },
        { op: 'undelete', cell: first },
      ],
    });
    expect((await c.request('attach', { session: notebook.session })).cells.map((x) => x.handle)).toEqual([
      'md1',
      'sql1',
      first,
    ]);
    // A batch with an edit that cannot apply changes nothing, and says why.
    await expect(
      c.request('edit', {
        session: notebook.session,
        client: 'w1',
        seq: 3,
        edits: [
          { op: 'source', cell: first, source: 'lost' },
          { op: 'move', cell: 'nope', index: 0 },
        ],
      }),
    ).rejects.toThrow(/no cell nope/);
    expect((await c.request('attach', { session: notebook.session })).cells[2].source).toBe('const x = 2;');
    // Opening the same file again shares the session instead of starting a rival one.
    expect((await c.request('open', { path: file })).notebook.session).toBe(notebook.session);
    await c.request('close', { session: notebook.session });
    c.close();
  });

  it('names the problem of a notebook that does not parse, and does not touch it', async () => {
    const file = path.join(dir, 'work', 'broken.ipynb');
    await fs.writeFile(file, '{"cells": [}');
    const c = await WorkbenchClient.connect(server.port, server.token);
    await expect(c.request('open', { path: file })).rejects.toThrow(/broken\.ipynb: not valid JSON/);
    expect(await fs.readFile(file, 'utf8')).toBe('{"cells": [}');
    c.close();
  });

  it('keeps the edits when a save fails, says why, and offers them back after a crash', async () => {
    const folder = path.join(dir, 'work', 'locked');
    await fs.mkdir(folder);
    const file = path.join(folder, 'n.ipynb');
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell('1')])));
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    await c.request('edit', {
      session: notebook.session,
      client: 'w1',
      seq: 1,
      edits: [{ op: 'source', cell: notebook.cells[0].handle, source: 'precious()' }],
    });
    await fs.chmod(folder, 0o500);
    try {
      // root writes anywhere: a file without write permission is what stops its save.
      if (process.getuid?.() === 0) await fs.chmod(file, 0o444);
      await expect(c.request('save', { session: notebook.session })).rejects.toThrow(
        /Could not save .*n\.ipynb: .*Your edits are kept/,
      );
    } finally {
      await fs.chmod(folder, 0o700);
      await fs.chmod(file, 0o644);
    }
    expect(await fs.readFile(file, 'utf8')).not.toContain('precious');
    // The server "crashes": a new server opens the notebook again.
    await c.request('close', { session: notebook.session });
    const again = await c.request('open', { path: file });
    expect(again.recovery?.savedAt).toBeGreaterThan(0);
    expect(again.notebook.cells[0].source).toBe('1');
    const restored = await c.request('open', { path: file, restore: true });
    expect(restored.notebook.cells[0].source).toBe('precious()');
    expect(restored.notebook.dirty).toBe(true);
    // Recovered edits come back even when the file on disk no longer parses.
    await c.request('close', { session: restored.notebook.session });
    await fs.writeFile(file, '{ truncated');
    await expect(c.request('open', { path: file })).rejects.toThrow(/not valid JSON/);
    expect((await c.request('open', { path: file, restore: true })).notebook.cells[0].source).toBe(
      'precious()',
    );
    c.close();
  });
});

describe('unsaved edits and closing', () => {
  it('copies unsaved edits to the recovery file within seconds, without a save or a close', async () => {
    const file = path.join(dir, 'work', 'autosave.ipynb');
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell('1')])));
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    await c.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'source', cell: notebook.cells[0].handle, source: 'typed()' }],
    });
    const store = new StateStore(path.join(dir, 'state'));
    // Written within RECOVERY_INTERVAL_MS of the edit; a busy machine may take longer, so poll.
    await vi.waitFor(async () => expect((await store.readRecovery(file))?.text).toContain('typed()'), {
      timeout: RECOVERY_INTERVAL_MS + 30_000,
      interval: 250,
    });
    // Saving makes the copy unnecessary.
    await c.request('save', { session: notebook.session });
    expect(await store.readRecovery(file)).toBeUndefined();
    await c.request('close', { session: notebook.session });
    c.close();
  });

  it('saves as another file, which becomes the notebook’s path and a recent file', async () => {
    const file = path.join(dir, 'work', 'original.ipynb');
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell('1')])));
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    await c.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'source', cell: notebook.cells[0].handle, source: 'copy()' }],
    });
    const saved = await c.request('saveAs', { session: notebook.session, path: 'copy' });
    expect(saved).toEqual({ path: path.join(dir, 'work', 'copy.ipynb'), name: 'copy.ipynb' });
    expect(await fs.readFile(saved.path, 'utf8')).toContain('copy()');
    expect(await fs.readFile(file, 'utf8')).not.toContain('copy()');
    expect((await c.request('attach', { session: notebook.session })).path).toBe(saved.path);
    expect((await c.request('recent', {}))[0].path).toBe(saved.path);
    await c.request('close', { session: notebook.session });
    c.close();
  });

  it('opens a shipped sample as a fresh copy in the folder served, and never writes into the install', async () => {
    const sample = path.join(import.meta.dirname, '../notebooks/01-explore.ipynb');
    const before = await fs.readFile(sample, 'utf8');
    const c = await WorkbenchClient.connect(server.port, server.token);
    const first = await c.request('open', { path: sample });
    expect(first.copiedFrom).toBe('01-explore.ipynb');
    expect(first.notebook.path).toBe(path.join(dir, 'work', '01-explore.ipynb'));
    expect(await fs.readFile(first.notebook.path, 'utf8')).toBe(before);
    // Opened again: another copy, not the first one's edits.
    const second = await c.request('open', { path: sample });
    expect(second.notebook.path).toBe(path.join(dir, 'work', '01-explore-1.ipynb'));
    await expect(c.request('saveAs', { session: first.notebook.session, path: sample })).rejects.toThrow(
      /one of RecLab's sample notebooks, inside its install.*Save your copy in your own folder/,
    );
    expect(await fs.readFile(sample, 'utf8')).toBe(before);
    for (const { notebook } of [first, second]) await c.request('close', { session: notebook.session });
    c.close();
  });

  it('creates a notebook under the name asked for, and refuses one that exists or is no file name', async () => {
    const c = await WorkbenchClient.connect(server.port, server.token);
    const made = await c.request('create', { name: 'named-by-me' });
    expect(made.notebook.path).toBe(path.join(dir, 'work', 'named-by-me.ipynb'));
    expect(made.notebook.name).toBe('named-by-me.ipynb');
    await expect(fs.stat(made.notebook.path)).resolves.toBeTruthy();
    await expect(c.request('create', { name: 'named-by-me.ipynb' })).rejects.toThrow(
      /named-by-me.ipynb already exists. Choose another name/,
    );
    await expect(c.request('create', { name: 'no-such-folder/x' })).rejects.toThrow(
      /Cannot create .*x.ipynb: its folder does not exist/,
    );
    for (const name of ['  ', 'sub/', '.ipynb'])
      await expect(c.request('create', { name })).rejects.toThrow(/New notebook needs a file name/);
    await c.request('close', { session: made.notebook.session });
    c.close();
  });

  it('shuts the kernel down when its notebook closes, and clears a queued cell that was deleted', async () => {
    const file = path.join(dir, 'work', 'closing.ipynb');
    await fs.writeFile(
      file,
      serializeNotebook(
        createNotebook([newCodeCell('await new Promise((r) => setTimeout(r, 1500))'), newCodeCell('2')]),
      ),
    );
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    const ready = await c.waitFor(
      (e) => e.event === 'kernel' && e.kernel.state === 'idle' && !!e.kernel.info,
    );
    const pid = ready.event === 'kernel' ? ready.kernel.info!.pid : 0;
    const [slow, queued] = notebook.cells.map((x) => x.handle);
    await c.request('execute', { session: notebook.session, cells: [slow, queued] });
    await c.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'delete', cell: queued }],
    });
    await c.waitFor((e) => e.event === 'run' && e.run.cell === queued && e.run.state === 'done');
    expect((await c.request('attach', { session: notebook.session })).running).toEqual([]);
    await c.request('close', { session: notebook.session });
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 5000 }).toBe(false);
    c.close();
  });
});

describe('kernels', () => {
  it(
    'runs queued cells in order, stops the queue at a failing cell, ' +
      'and reports a dead kernel to its notebook only',
    async () => {
      const a = path.join(dir, 'work', 'a.ipynb');
      const b = path.join(dir, 'work', 'b.ipynb');
      await fs.writeFile(
        a,
        serializeNotebook(
          createNotebook([
            newCodeCell('const v = 6 * 7; v'),
            newCodeCell('throw new Error("stop here")'),
            newCodeCell('"never"'),
          ]),
        ),
      );
      await fs.writeFile(b, serializeNotebook(createNotebook([newCodeCell('1')])));
      const ca = await WorkbenchClient.connect(server.port, server.token);
      const cb = await WorkbenchClient.connect(server.port, server.token);
      const na = (await ca.request('open', { path: a })).notebook;
      const nb = (await cb.request('open', { path: b })).notebook;
      const [h1, h2, h3] = na.cells.map((c) => c.handle);
      await ca.request('execute', { session: na.session, cells: [h1, h2, h3] });
      await ca.waitFor((e) => e.event === 'run' && e.run.cell === h3 && e.run.state === 'done');
      const state = await ca.request('attach', { session: na.session });
      expect(JSON.stringify(state.cells[0].outputs)).toContain('42');
      expect(state.cells[0].executionCount).toBe(1);
      expect(JSON.stringify(state.cells[1].outputs)).toContain('stop here');
      expect(state.cells[2].outputs).toEqual([]);

      // A cell that prints fast reaches the window in batched updates, with every line, each sent about once.
      const before = ca.events.length;
      const source =
        'for (let b = 0; b < 4; b++) {\n' +
        '  for (let i = b * 5000; i < (b + 1) * 5000; i++) console.log(`line ${i}`);\n' +
        '  await new Promise((r) => setTimeout(r, 150));\n' +
        '}';
      await ca.request('edit', {
        session: na.session,
        client: 'a',
        seq: 1,
        edits: [{ op: 'source', cell: h3, source }],
      });
      await ca.request('execute', { session: na.session, cells: [h3] });
      await ca.waitFor(
        (e) => e.event === 'run' && e.run.cell === h3 && e.run.state === 'done' && e.run.status === 'ok',
      );
      const updates = ca.events
        .slice(before)
        .filter((e) => (e.event === 'outputs' || e.event === 'stream') && e.cell === h3);
      // Batched by time, not one update per line; how many batches depends on the machine's speed.
      expect(updates.length).toBeLessThan(2000);
      expect(updates.some((e) => e.event === 'stream')).toBe(true);
      // The window's copy of the cell's outputs, kept up to date as the UI keeps it.
      let outputs: Output[] = [];
      let sent = 0;
      for (const e of updates) {
        if (e.event === 'stream') {
          const text = (outputs[e.index] as StreamOutput).text as string[];
          outputs[e.index] = {
            ...outputs[e.index],
            text: [...text.slice(0, e.fromLine), ...e.lines],
          } as Output;
          sent += e.lines.length;
        } else if (e.event === 'outputs') {
          outputs = [...outputs.slice(0, e.from), ...e.outputs];
          sent += e.outputs.reduce((n, o) => n + (o.output_type === 'stream' ? o.text.length : 0), 0);
        }
      }
      const text = outputs[0]?.output_type === 'stream' ? (outputs[0].text as string[]) : [];
      expect(text.length).toBe(20000);
      expect(text[19999]).toBe('line 19999\n');
      // The open last line of each batch may go again; the rest goes once.
      expect(sent).toBeLessThanOrEqual(20000 + updates.length);

      const kernelA = await ca.waitFor(
        (e) => e.event === 'kernel' && e.kernel.state === 'idle' && !!e.kernel.info,
      );
      const kernelB = await cb.waitFor(
        (e) => e.event === 'kernel' && e.kernel.state === 'idle' && !!e.kernel.info,
      );
      const pidA = kernelA.event === 'kernel' ? kernelA.kernel.info!.pid : 0;
      expect(pidA).not.toBe(kernelB.event === 'kernel' ? kernelB.kernel.info!.pid : 0);
      process.kill(pidA, 'SIGKILL');
      const died = await ca.waitFor((e) => e.event === 'kernel' && e.kernel.state === 'dead');
      expect(died.event === 'kernel' && died.kernel.message).toMatch(/killed/);
      // A reply comes after every event sent before it on that socket: cb has seen all it will.
      await cb.request('hello', { protocol: PROTOCOL_VERSION });
      expect(cb.events.some((e) => e.event === 'kernel' && e.kernel.state === 'dead')).toBe(false);
      const restarted = await ca.request('restart', { session: na.session });
      expect(restarted.state).toBe('idle');
      expect(restarted.info?.pid).not.toBe(pidA);

      // A cell that writes junk to the kernel's channel stops its own kernel, says why, and nothing else.
      await ca.request('edit', {
        session: na.session,
        client: 'a',
        seq: 2,
        edits: [{ op: 'source', cell: h1, source: "process.send({ type: 'output', execId: 1 });" }],
      });
      await ca.request('execute', { session: na.session, cells: [h1] });
      const stopped = await ca.waitFor(
        (e) => e.event === 'kernel' && e.kernel.state === 'dead' && /contract/.test(e.kernel.message ?? ''),
      );
      expect(stopped.event === 'kernel' && stopped.kernel.message).toMatch(
        /outside RecLab's kernel contract \("output" is missing\)/,
      );
      await cb.request('hello', { protocol: PROTOCOL_VERSION });
      expect(cb.events.some((e) => e.event === 'kernel' && e.kernel.state === 'dead')).toBe(false);
      await ca.request('close', { session: na.session });
      await cb.request('close', { session: nb.session });
      ca.close();
      cb.close();
    },
  );
});

describe('widgets', () => {
  it(
    'calls a widget by id, keeps its last state in the file, lists cell variables, ' +
      'and refuses a widget of an earlier kernel',
    async () => {
      const file = path.join(dir, 'work', 'widget.ipynb');
      // A widget written in the cell itself: the contract is the symbol, nothing else.
      const widget = `const answer = 42;
let count = 0;
const counter = {
  [Symbol.for('reclab.widget')]: () => ({
    bundle: (widgetId: string) => ({
      'text/plain': 'count ' + count,
      'application/vnd.reclab.counter+json': { widgetId, count },
    }),
    call: (method: string, params: { by: number }, context: { variables(): Iterable<[string, unknown]> }) => {
      if (method === 'variables') return { result: [...context.variables()].map(([name]) => name) };
      count = params.by;
      return { result: params.by * 2, changed: true };
    },
  }),
};
display(counter);`;
      await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell(widget)])));
      const c = await WorkbenchClient.connect(server.port, server.token);
      const { notebook } = await c.request('open', { path: file });
      const [cell] = notebook.cells.map((x) => x.handle);
      await c.request('execute', { session: notebook.session, cells: [cell] });
      await c.waitFor((e) => e.event === 'run' && e.run.cell === cell && e.run.state === 'done');
      const shown = (await c.request('attach', { session: notebook.session })).cells[0].outputs[0];
      const widgetId =
        shown.output_type === 'display_data'
          ? (shown.data['application/vnd.reclab.counter+json'] as { widgetId: string }).widgetId
          : '';
      expect(widgetId).toMatch(/^[0-9a-f]{8}-w\d+$/);

      const variables = (await c.request('widget', {
        session: notebook.session,
        widgetId,
        method: 'variables',
        params: null,
      })) as string[];
      expect(variables).toEqual(expect.arrayContaining(['answer', 'counter']));
      expect(variables).not.toContain('tf');
      expect(variables).not.toContain('process');

      const before = c.events.length;
      expect(
        await c.request('widget', { session: notebook.session, widgetId, method: 'add', params: { by: 5 } }),
      ).toBe(10);
      const update = await c.waitFor(
        (e) => e.event === 'outputs' && e.cell === cell && c.events.indexOf(e) >= before,
      );
      expect(update.event === 'outputs' && update.from).toBe(0);
      await c.request('save', { session: notebook.session });
      const saved = JSON.parse(await fs.readFile(file, 'utf8'));
      expect([saved.cells[0].outputs[0].data['text/plain']].flat().join('')).toBe('count 5');

      // Run again, the cell shows a new widget and the kernel lets the old one go.
      await c.request('execute', { session: notebook.session, cells: [cell] });
      await c.waitFor(
        (e) =>
          e.event === 'run' && e.run.cell === cell && e.run.state === 'done' && c.events.indexOf(e) > before,
      );
      await expect(
        c.request('widget', { session: notebook.session, widgetId, method: 'add', params: { by: 1 } }),
      ).rejects.toThrow(/no longer in the kernel \(its cell ran again or was cleared/);
      // Clearing the outputs lets the new one go too.
      const rerun = (await c.request('attach', { session: notebook.session })).cells[0].outputs[0];
      const newId =
        rerun.output_type === 'display_data'
          ? (rerun.data['application/vnd.reclab.counter+json'] as { widgetId: string }).widgetId
          : '';
      expect(
        await c.request('widget', {
          session: notebook.session,
          widgetId: newId,
          method: 'add',
          params: { by: 2 },
        }),
      ).toBe(4);
      await c.request('edit', {
        session: notebook.session,
        client: 'w',
        seq: 1,
        edits: [{ op: 'clearOutputs' }],
      });
      await expect(
        c.request('widget', { session: notebook.session, widgetId: newId, method: 'add', params: { by: 1 } }),
      ).rejects.toThrow(/no longer in the kernel \(its cell ran again or was cleared/);

      await c.request('restart', { session: notebook.session });
      await expect(
        c.request('widget', { session: notebook.session, widgetId, method: 'add', params: { by: 1 } }),
      ).rejects.toThrow(/no longer in the kernel \(the kernel was restarted.*run its cell again/);
      await expect(
        c.request('widget', {
          session: notebook.session,
          widgetId: 7 as unknown as string,
          method: 'add',
          params: null,
        }),
      ).rejects.toThrow(/"widgetId" must be a string/);
      await c.request('close', { session: notebook.session });
      c.close();
    },
  );
});

describe('column summaries', () => {
  it('checks the parameters of columnSummary before asking a kernel', async () => {
    const c = await WorkbenchClient.connect(server.port, server.token);
    const raw = c as unknown as { request(method: string, params: unknown): Promise<unknown> };
    const ask = (params: unknown) => raw.request('query', { session: 's', query: 'columnSummary', params });
    await expect(ask({})).rejects.toThrow(/columnSummary: "tableId" is missing/);
    await expect(ask({ tableId: 't', bins: '40' })).rejects.toThrow(
      /"bins" must be a whole number, not string/,
    );
    await expect(ask({ tableId: 't', bins: 2.5 })).rejects.toThrow(/"bins" must be a whole number, not 2.5/);
    await expect(ask({ tableId: 't', column: 3 })).rejects.toThrow(/"column" must be a string, not number/);
    c.close();
  });
});

describe('a widget whose cell still runs', () => {
  it('keeps what a call changed when the run ends, in the window and in the file', async () => {
    const file = path.join(dir, 'widget-running.ipynb');
    const code = `let shown = 'first';
display({
  [Symbol.for('reclab.widget')]: () => ({
    bundle: (widgetId: string) => ({ 'text/plain': shown, 'application/vnd.reclab.projector+json': { widgetId } }),
    call: (_method: string, params: { text: string }) => ((shown = params.text), { result: null, changed: true }),
  }),
});
await new Promise((r) => setTimeout(r, 1500));
console.log('done');`;
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell(code)])));
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    const [cell] = notebook.cells.map((x) => x.handle);
    await c.request('execute', { session: notebook.session, cells: [cell] });
    const shown = await c.waitFor(
      (e) =>
        e.event === 'outputs' && e.cell === cell && e.outputs.some((o) => o.output_type === 'display_data'),
    );
    const output =
      shown.event === 'outputs' ? shown.outputs.find((o) => o.output_type === 'display_data') : undefined;
    const widgetId =
      output?.output_type === 'display_data'
        ? (output.data['application/vnd.reclab.projector+json'] as { widgetId: string }).widgetId
        : '';
    // Clearing outputs while the cell runs does not cost it its widget: the run still shows it.
    await c.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'clearOutputs' }],
    });
    await c.request('widget', {
      session: notebook.session,
      widgetId,
      method: 'set',
      params: { text: 'second' },
    });
    await c.waitFor((e) => e.event === 'run' && e.run.cell === cell && e.run.state === 'done');
    const after = (await c.request('attach', { session: notebook.session })).cells[0].outputs;
    expect(
      after.map((o) =>
        o.output_type === 'display_data' ? [o.data['text/plain']].flat().join('') : o.output_type,
      ),
    ).toEqual(['second', 'stream']);
    await c.request('save', { session: notebook.session });
    expect(await fs.readFile(file, 'utf8')).toContain('"second"');
    await c.request('close', { session: notebook.session });
    c.close();
  });
});

describe('a notebook whose code cells have no outputs field', () => {
  it('runs them (the field is optional when reading)', async () => {
    const file = path.join(dir, 'work', 'no-outputs.ipynb');
    const nb = createNotebook([newCodeCell('6 * 7')]);
    delete (nb.cells[0] as { outputs?: unknown }).outputs;
    await fs.writeFile(file, JSON.stringify(nb));
    const c = await WorkbenchClient.connect(server.port, server.token);
    const { notebook } = await c.request('open', { path: file });
    const [cell] = notebook.cells.map((x) => x.handle);
    await c.request('execute', { session: notebook.session, cells: [cell] });
    const done = await c.waitFor((e) => e.event === 'run' && e.run.cell === cell && e.run.state === 'done');
    expect(done.event === 'run' && done.run.status).toBe('ok');
    await c.request('close', { session: notebook.session });
    c.close();
  });
});
