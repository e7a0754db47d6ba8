import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../src/api';
import { createNotebook, newCodeCell, serializeNotebook } from '../src/notebook';
import { startServer, type RunningServer } from '../src/server';
import { WorkbenchClient } from '../dev';

const BIN = path.join(__dirname, '..', 'bin', 'reclab.mjs');

/**
 * A folder whose tsconfig.json maps the modules RecLab itself loads to a script of the
 * folder's own. tsx honours the tsconfig of the working directory, so a kernel or a CLI
 * started there would run it: opening or exporting must not.
 */
let dir: string;
let marker: string;
let notebook: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-hostile-'));
  marker = path.join(dir, 'ran.txt');
  notebook = path.join(dir, 'shared.ipynb');
  await fs.writeFile(
    path.join(dir, 'evil.ts'),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`,
  );
  const hijacked = [
    'marked',
    'sanitize-html',
    'echarts',
    '@tensorflow/tfjs',
    '@duckdb/node-api',
    'typescript',
    'ws',
  ];
  await fs.writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { baseUrl: '.', paths: Object.fromEntries(hijacked.map((m) => [m, ['./evil.ts']])) },
    }),
  );
  await fs.writeFile(notebook, serializeNotebook(createNotebook([newCodeCell('6 * 7')])));
});

afterAll(() => fs.rm(dir, { recursive: true, force: true }));

function reclabIn(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, RECLAB_TF_BACKEND: 'wasm' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a folder whose tsconfig.json maps modules to its own script', () => {
  it('runs none of it on reclab export or reclab run there', async () => {
    const exported = reclabIn(dir, 'export', 'shared.ipynb', '--to', 'html');
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const ran = reclabIn(dir, 'run', 'shared.ipynb', '-o', 'out.ipynb');
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(await fs.readFile(path.join(dir, 'out.ipynb'), 'utf8')).toContain('42');
    expect(existsSync(marker)).toBe(false);
  });

  it('runs none of it when a notebook there is opened in the workbench and its kernel starts', async () => {
    let server: RunningServer | undefined;
    let client: WorkbenchClient | undefined;
    try {
      server = await startServer({
        folder: dir,
        rendererDir: dir,
        samplesFolder: path.join(import.meta.dirname, '../notebooks'),
        stateDir: path.join(dir, '.state'),
      });
      client = await WorkbenchClient.connect(server.port, server.token);
      await client.request('hello', { protocol: PROTOCOL_VERSION });
      const { notebook: opened } = await client.request('open', { path: notebook });
      await client.request('execute', { session: opened.session, cells: [opened.cells[0].handle] });
      await client.waitFor((e) => e.event === 'run' && e.run.state === 'done');
      const state = await client.request('attach', { session: opened.session });
      expect(JSON.stringify(state.cells[0].outputs)).toContain('42');
      expect(existsSync(marker)).toBe(false);
    } finally {
      client?.close();
      await server?.close();
    }
  });
});
