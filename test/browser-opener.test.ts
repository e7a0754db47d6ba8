import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBrowser } from '../src/cli/serve';

describe('reclab serve opening the browser', () => {
  it('puts the token in a page only this user can read, never on the opener’s command line', async () => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-opener-'));
    try {
      const url = 'http://127.0.0.1:4321/?token=s3cret&x="<y>"';
      const launched: string[][] = [];
      const page = await openBrowser(url, stateDir, (command, args) => launched.push([command, ...args]));
      expect(launched).toHaveLength(1);
      expect(launched[0].join(' ')).not.toContain('s3cret');
      expect(fileURLToPath(launched[0][1])).toBe(page);
      expect((await fs.stat(page)).mode & 0o777).toBe(0o600);
      const html = await fs.readFile(page, 'utf8');
      expect(html).toContain(
        'content="0;url=http://127.0.0.1:4321/?token=s3cret&#38;x=&#34;&#60;y&#62;&#34;"',
      );
      // A second server of the same process (tests) gets a fresh page, not a reused one.
      await fs.chmod(page, 0o644);
      expect((await fs.stat(await openBrowser(url, stateDir, () => undefined))).mode & 0o777).toBe(0o600);
    } finally {
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });
});
