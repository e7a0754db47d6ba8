import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/api';
import { startServer, type RunningServer } from '../../src/server';
import { WorkbenchClient } from '../../dev';

export interface TestServer {
  /** A fresh temporary folder; the server lists and opens notebooks in its `work/`. */
  dir: string;
  work: string;
  server: RunningServer;
  /** A new window, greeted. */
  connect(): Promise<WorkbenchClient>;
}

/** One workbench server for the tests of a file, on a temporary folder removed afterwards. */
export function suiteServer(name: string): TestServer {
  const suite = { connect: () => connect(suite.server) } as TestServer;
  beforeAll(async () => {
    suite.dir = await fs.mkdtemp(path.join(os.tmpdir(), `reclab-${name}-`));
    suite.work = path.join(suite.dir, 'work');
    await fs.mkdir(suite.work);
    suite.server = await startServer({
      folder: suite.work,
      rendererDir: suite.dir,
      samplesFolder: path.join(import.meta.dirname, '../../notebooks'),
      stateDir: path.join(suite.dir, 'state'),
    });
  });
  afterAll(async () => {
    await suite.server?.close();
    await fs.rm(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

async function connect(server: RunningServer): Promise<WorkbenchClient> {
  const client = await WorkbenchClient.connect(server.port, server.token);
  await client.request('hello', { protocol: PROTOCOL_VERSION });
  return client;
}
