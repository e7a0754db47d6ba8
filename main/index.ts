/**
 * The Electron main process: one window on the RecLab server, which runs here and forks
 * one kernel process per notebook (never running cells itself). Everything else the
 * window shows comes from the same renderer a browser gets from `reclab serve`.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BrowserWindow,
  Menu,
  app,
  dialog,
  ipcMain,
  shell,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type Rectangle,
} from 'electron';
import { startServer, type RunningServer } from '../src/server';
import { menuTemplate } from './menu';

const isMac = process.platform === 'darwin';
let server: RunningServer | undefined;
let window: BrowserWindow | undefined;
let dirty = false;
/** Notebooks asked for before the window was ready (command line, the OS). */
const pendingFiles: string[] = [];

const notebookArgs = (argv: string[]) =>
  argv.filter((a) => a.toLowerCase().endsWith('.ipynb')).map((a) => path.resolve(a));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  pendingFiles.push(...notebookArgs(process.argv.slice(1)));
  app.on('second-instance', (_event, argv) => {
    for (const file of notebookArgs(argv)) openFile(file);
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openFile(file);
  });
  app.whenReady().then(start, (e: Error) => {
    dialog.showErrorBox('RecLab could not start', e.message);
    app.quit();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!server) return;
    event.preventDefault();
    const s = server;
    server = undefined;
    void s.close().finally(() => app.quit());
  });
}

function openFile(file: string): void {
  if (window && server) window.webContents.send('reclab:open-file', file);
  else pendingFiles.push(file);
}

async function start(): Promise<void> {
  const appRoot = app.getAppPath();
  server = await startServer({
    folder: pendingFiles[0] ? path.dirname(pendingFiles[0]) : os.homedir(),
    rendererDir: path.join(import.meta.dirname, '../renderer'),
    samplesFolder: app.isPackaged
      ? path.join(process.resourcesPath, 'notebooks')
      : path.join(appRoot, 'notebooks'),
    stateDir: process.env.RECLAB_STATE_DIR ?? app.getPath('userData'),
    kernel: { entry: path.join(import.meta.dirname, 'kernel.js') },
    version: app.getVersion(),
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate((command) => window?.webContents.send('reclab:command', command), isMac),
    ),
  );
  registerIpc(new URL(server.url).origin);
  await createWindow(server);
}

/** Only the RecLab page may ask for dialogs; anything else that ends up in the window is ignored. */
function registerIpc(origin: string): void {
  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent) =>
    !!event.senderFrame && new URL(event.senderFrame.url).origin === origin;
  ipcMain.handle('reclab:open-dialog', async (event) => {
    if (!trusted(event)) return undefined;
    const result = await dialog.showOpenDialog(window!, {
      properties: ['openFile'],
      filters: [{ name: 'Notebooks', extensions: ['ipynb'] }],
    });
    return result.canceled ? undefined : result.filePaths[0];
  });
  ipcMain.handle('reclab:save-dialog', async (event, suggestedName: string) => {
    if (!trusted(event)) return undefined;
    const result = await dialog.showSaveDialog(window!, {
      defaultPath: suggestedName,
      filters: [{ name: 'Notebooks', extensions: ['ipynb'] }],
    });
    return result.canceled ? undefined : result.filePath;
  });
  ipcMain.on('reclab:set-dirty', (event, value: boolean) => {
    if (trusted(event)) dirty = value === true;
  });
}

const stateFile = () => path.join(app.getPath('userData'), 'window-state.json');

async function createWindow(s: RunningServer): Promise<void> {
  const saved = (await fs.readFile(stateFile(), 'utf8').then(JSON.parse, () => undefined)) as
    (Rectangle & { maximized?: boolean }) | undefined;
  const win = new BrowserWindow({
    width: saved?.width ?? 1280,
    height: saved?.height ?? 860,
    x: saved?.x,
    y: saved?.y,
    minWidth: 640,
    minHeight: 400,
    title: 'RecLab',
    show: false,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window = win;
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  // The window shows the RecLab server and nothing else; links open in the OS browser.
  const origin = new URL(s.url).origin;
  const external = (url: string) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
  };
  win.webContents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== origin) {
      event.preventDefault();
      external(url);
    }
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    external(url);
    return { action: 'deny' };
  });

  win.on('close', (event) => {
    if (dirty) {
      const choice = dialog.showMessageBoxSync(win, {
        type: 'warning',
        buttons: ['Cancel', 'Quit without saving'],
        defaultId: 0,
        cancelId: 0,
        message: 'The notebook has unsaved changes.',
        detail:
          'They are kept in the recovery file, and RecLab offers them back the next time you open the notebook.',
      });
      if (choice === 0) return event.preventDefault();
    }
    const bounds = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    void fs.writeFile(stateFile(), JSON.stringify(bounds)).catch(() => undefined);
  });

  const first = pendingFiles.shift();
  const url = new URL(s.url);
  if (first) url.searchParams.set('path', first);
  await win.loadURL(url.href);
  for (const file of pendingFiles.splice(0)) win.webContents.send('reclab:open-file', file);
}
