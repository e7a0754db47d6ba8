import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rendererBuilt, startServer } from '../server';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeOptions {
  folder: string;
  port: number;
  open: boolean;
}

/** `reclab serve`: the workbench server, until Ctrl+C. */
export async function serve(options: ServeOptions): Promise<number> {
  const rendererDir = `${packageRoot}out/renderer`;
  if (!(await rendererBuilt(rendererDir))) {
    console.error(
      `reclab: the interface is not built (no ${rendererDir}/index.html). Run "npm run build" first, or start with "npm run web", which builds it.`,
    );
    return 2;
  }
  const { version } = JSON.parse(await fs.readFile(`${packageRoot}package.json`, 'utf8')) as {
    version: string;
  };
  const server = await startServer({
    folder: options.folder,
    rendererDir,
    samplesFolder: `${packageRoot}notebooks`,
    port: options.port,
    stateDir: process.env.RECLAB_STATE_DIR,
    version,
  });
  console.log(
    `RecLab is serving ${options.folder}\nOpen this address in a browser (it carries the access token):\n\n    ${server.url}\n`,
  );
  if (options.open) openBrowser(server.url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

/** Best effort: a machine without a desktop just keeps the printed address. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener on this machine
  }
}
