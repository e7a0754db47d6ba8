/**
 * The preload script of the desktop window: exposes `window.reclabDesktop` (see
 * preload-api.ts) and nothing else. Runs sandboxed, with only `electron` to require.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopApi } from './preload-api';

const api: DesktopApi = {
  openDialog: () => ipcRenderer.invoke('reclab:open-dialog') as Promise<string | undefined>,
  saveDialog: (suggestedName) => ipcRenderer.invoke('reclab:save-dialog', suggestedName) as Promise<string | undefined>,
  setDirty: (dirty) => ipcRenderer.send('reclab:set-dirty', dirty),
  onCommand: (listener) => void ipcRenderer.on('reclab:command', (_e, command: string) => listener(command)),
  onOpenFile: (listener) => void ipcRenderer.on('reclab:open-file', (_e, path: string) => listener(path)),
};

contextBridge.exposeInMainWorld('reclabDesktop', api);
