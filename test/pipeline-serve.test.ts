/**
 * `await pipeline.serve({ port })` from a cell: a real HTTP server in the kernel's process that
 * answers what the pipeline recommends, reloads a newer export, and is gone after a restart.
 */
import { describe, expect, it } from 'vitest';
import type { KernelClient } from '../src/kernel-client';
import { initTensorFlow } from '../src/tf-backend';
import { run, suiteKernel } from './helpers/kernel';
import { tinyPipeline } from './helpers/pipeline-bundle';

const BUILD = `const data = rl.synthetic({ users: 80, items: 60, seed: 3 });
const itemcf = new rl.ItemCF();
await itemcf.fit(data, { progress: false });
const usercf = new rl.UserCF();
await usercf.fit(data, { progress: false });
const pipe = rl.pipeline({ channels: { itemcf, usercf }, k: 5 });
const server = await pipe.serve({ port: 0 });
const who = data.userNames[7];
server`;

/** The cell's last value as the text it displays, quotes removed. */
const value = (text: string) => text.trim().replace(/^'|'$/g, '');

describe('pipeline.serve from a notebook', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('serves it, reloads a newer export, refuses a taken port, and stops (also with the kernel)', async () => {
    const built = await run(kernel, BUILD);
    expect(built.reply.status).toBe('ok');
    expect(built.text).toMatch(/Pipeline server at http:\/\/127\.0\.0\.1:\d+, bundle version 1 from /);
    const url = value((await run(kernel, 'server.url')).text);
    const who = value((await run(kernel, 'who')).text);

    // What the server answers is what the pipeline recommends in the notebook.
    const answer = (await (await fetch(`${url}/recommend?user=${encodeURIComponent(who)}&k=5`)).json()) as {
      items: { item: string }[];
    };
    const inNotebook = await run(kernel, 'JSON.stringify([...pipe.recommend(who, { k: 5 }).column("item")])');
    expect(answer.items.map((i) => i.item)).toEqual(JSON.parse(value(inNotebook.text)));
    expect(((await (await fetch(`${url}/ready`)).json()) as { version: number }).version).toBe(1);

    // A new export into the served folder answers after reload(), not before.
    const reloaded = await run(kernel, 'await pipe.export(server.bundle);\nawait server.reload()');
    expect(reloaded.text).toMatch(/ok: true.*version: 2.*previous: 1/s);
    expect(((await (await fetch(`${url}/version`)).json()) as { version: number }).version).toBe(2);

    const port = new URL(url).port;
    const taken = await run(kernel, `await pipe.serve({ port: ${port} })`);
    expect(taken.reply.status).toBe('error');
    expect(taken.text).toContain(`port ${port} is in use`);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const second = value((await run(kernel, 'const other = await pipe.serve({ port: 0 });\nother.url')).text);
    expect((await fetch(`${second}/health`)).status).toBe(200);
    expect((await run(kernel, 'await other.stop()')).reply.status).toBe('ok');
    await expect(fetch(`${second}/health`)).rejects.toThrow();

    await kernel.restart();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});

describe('pipeline.serve outside a kernel', () => {
  it('says to export the bundle and run reclab serve-model', async () => {
    await initTensorFlow('wasm');
    const { pipe } = await tinyPipeline();
    await expect(pipe.serve({ port: 0 })).rejects.toThrow(/reclab serve-model DIR/);
  });
});
