import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { CHROMIUM } from '../../dev';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');

/** Why browser tests cannot run here, or undefined when they can. CI must have everything. */
export function browserUnavailable(): string | undefined {
  let why: string | undefined;
  if (!existsSync(CHROMIUM)) why = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  else if (!existsSync(path.join(ROOT, 'out/renderer/index.html')))
    why = 'the interface is not built (npm run build)';
  if (why && process.env.CI) throw new Error(`Browser tests cannot run on CI: ${why}`);
  return why;
}

export interface Served {
  url: string;
  port: number;
  token: string;
  folder: string;
  stop(): Promise<void>;
  /** Ends the server as a crash would: no clean-up, no saving. */
  kill(): Promise<void>;
}

/** Starts `reclab serve FOLDER` as a user would, and reads the address it prints. */
export async function serve(folder: string, stateDir: string): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/reclab.mjs'), 'serve', folder, '--no-open'],
    {
      cwd: ROOT,
      env: { ...process.env, RECLAB_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reclab serve printed no address:\n${printed}`)), 30_000);
    const read = (chunk: Buffer) => {
      printed += chunk.toString();
      const m = printed.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`reclab serve exited with ${code}:\n${printed}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    folder,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    },
    kill: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Debian's Chromium, headless, kept off the network, with a fresh profile. */
export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page. */
  errors: string[];
  /** The last messages of the workbench contract, both ways, for a failed test's log. */
  frames: string[];
}

/** How many recent WebSocket messages a page keeps for a failed test's log. */
const KEPT_FRAMES = 80;

export async function openBrowser(colorScheme: 'light' | 'dark' = 'light'): Promise<OpenBrowser> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    colorScheme,
    viewport: { width: 1280, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const frames: string[] = [];
  const keep = (line: string) => {
    frames.push(line);
    if (frames.length > KEPT_FRAMES) frames.shift();
    // Every message as it goes, for debugging a test by hand.
    if (process.env.RECLAB_E2E_TRACE) console.log(line);
  };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => keep(`>> ${String(f.payload).slice(0, 200)}`));
    ws.on('framereceived', (f) => keep(`<< ${String(f.payload).slice(0, 200)}`));
  });
  return { context, page, errors, frames };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
