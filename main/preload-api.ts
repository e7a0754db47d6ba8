/**
 * What the desktop app adds to the page, as `window.reclabDesktop`: only what a browser
 * cannot do. In a plain browser the object is absent and the UI uses its own dialogs.
 */
export interface DesktopApi {
  /** A native open dialog; resolves to the chosen notebook path, or undefined. */
  openDialog(): Promise<string | undefined>;
  /** A native save dialog; resolves to the chosen path, or undefined. */
  saveDialog(suggestedName: string): Promise<string | undefined>;
  /** Tells the app whether a notebook has unsaved edits, so quitting can ask first. */
  setDirty(dirty: boolean): void;
  /** Menu commands and files opened from the OS arrive here; each returns how to stop listening. */
  onCommand(listener: (command: string) => void): () => void;
  onOpenFile(listener: (path: string) => void): () => void;
}

declare global {
  interface Window {
    reclabDesktop?: DesktopApi;
  }
}
