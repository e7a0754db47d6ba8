/**
 * The desktop app's build, checked without Electron: its main process must parse, and the
 * kernel it forks (out/main/kernel.js, run as Node by Electron) must run cells.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelClient } from '../../src/kernel-client';
import type { Output } from '../../src/notebook';

const OUT = path.resolve(import.meta.dirname, '../../out/main');
const built = existsSync(path.join(OUT, 'index.js'));
if (!built && process.env.CI) throw new Error('The app is not built: npm test builds it before the tests.');

describe.skipIf(!built)(`the desktop build${built ? '' : ' (skipped: not built; run npm run build)'}`, () => {
  it('has a main process that parses', () => {
    const check = spawnSync(process.execPath, ['--check', path.join(OUT, 'index.js')], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('forks a bundled kernel that runs TypeScript and SQL cells', async () => {
    const kernel = await KernelClient.start({ entry: path.join(OUT, 'kernel.js') });
    try {
      const outputs: Output[] = [];
      const onOutput = (o: Output) => void outputs.push(o);
      expect((await kernel.execute('const n: number = 6 * 7; n', 'typescript', { onOutput })).status).toBe(
        'ok',
      );
      expect((await kernel.execute('SELECT 40 + 2 AS answer', 'sql', { onOutput })).status).toBe('ok');
      expect(JSON.stringify(outputs)).toContain('42');
      expect(JSON.stringify(outputs)).toContain('answer');
    } finally {
      await kernel.shutdown();
    }
  });
});
