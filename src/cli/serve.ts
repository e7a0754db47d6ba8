import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { escapeHtml } from '../api';
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
      `reclab: the interface is not built (no ${rendererDir}/index.html). ` +
        'Run "npm run build" first, or start with "npm run web", which builds it.',
    );
    return 2;
  }
  const { version } = JSON.parse(await fs.readFile(`${packageRoot}package.json`, 'utf8')) as {
    version: string;
  };
  const stateDir = process.env.RECLAB_STATE_DIR ?? path.join(os.homedir(), '.reclab');
  const server = await startServer({
    folder: options.folder,
    rendererDir,
    samplesFolder: `${packageRoot}notebooks`,
    port: options.port,
    stateDir,
    version,
  });
  console.log(
    `RecLab is serving ${options.folder}\n` +
      `Open this address in a browser (it carries the access token):\n\n    ${server.url}\n`,
  );
  const opener = options.open ? await openBrowser(server.url, stateDir) : undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  if (opener) await fs.rm(opener, { force: true });
  return 0;
}

export type Launch = (command: string, args: string[]) => void;

/**
 * Opens the workbench in the default browser through a page that sends it on to `url`. The
 * page, readable by this user only, carries the token: a command line does not, since `ps`
 * shows it to every local user. Returns the page's path, to delete when the server stops.
 */
export async function openBrowser(
  url: string,
  stateDir: string,
  launch: Launch = launchDetached,
): Promise<string> {
  const dir = path.join(stateDir, 'runtime');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const page = path.join(dir, `open-${process.pid}.html`);
  // A fresh file, so the mode applies: writeFile keeps an existing file's mode.
  await fs.rm(page, { force: true });
  const href = escapeHtml(url);
  await fs.writeFile(
    page,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}">` +
      `<title>RecLab</title><p>Opening RecLab… <a href="${href}">Go on</a></p>\n`,
    { mode: 0o600, flag: 'wx' },
  );
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  launch(command, [pathToFileURL(page).href]);
  return page;
}

/** Best effort: a machine without a desktop just keeps the printed address. */
function launchDetached(command: string, args: string[]): void {
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener on this machine
  }
}
