/**
 * The preload script of the desktop window: exposes `window.reclabDesktop` (see
 * preload-api.ts) and nothing else. Runs sandboxed, with only `electron` to require.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopApi } from './preload-api';

const api: DesktopApi = {
  openDialog: () => ipcRenderer.invoke('reclab:open-dialog') as Promise<string | undefined>,
  saveDialog: (suggestedName) =>
    ipcRenderer.invoke('reclab:save-dialog', suggestedName) as Promise<string | undefined>,
  setDirty: (dirty) => ipcRenderer.send('reclab:set-dirty', dirty),
  onCommand: (listener) => subscribe('reclab:command', listener),
  onOpenFile: (listener) => subscribe('reclab:open-file', listener),
};

function subscribe(channel: string, listener: (value: string) => void): () => void {
  const wrapped = (_event: unknown, value: string) => listener(value);
  ipcRenderer.on(channel, wrapped);
  return () => void ipcRenderer.removeListener(channel, wrapped);
}

contextBridge.exposeInMainWorld('reclabDesktop', api);
