import type { NotebookModel } from './notebook.svelte';

export interface Command {
  id: string;
  label: string;
  /** Shown in the help overlay and menus; `Mod` is Ctrl, or Cmd on a Mac. */
  keys?: string;
  /** Other keys for the same command (arrow keys beside J and K), listed after `keys`. */
  altKeys?: string[];
  /** Where the key works: while editing a cell, in command mode, or both. */
  mode?: 'edit' | 'command' | 'both';
  group: 'File' | 'Edit' | 'View' | 'Cell' | 'Kernel' | 'Help';
  /** A setting the command turns on and off: whether it is on. */
  checked?(nb: NotebookModel): boolean;
  run(nb: NotebookModel, ui: CommandUi): void | Promise<unknown>;
}

/** What commands need from the window beyond the notebook. */
export interface CommandUi {
  focusEditor(handle: string): void;
  /** Closes a cell editor's pop-ups (completions, hovers): they must not linger over the outputs. */
  closeEditorWidgets(handle: string): void;
  /** Where the cursor is in a cell's editor, as an offset into its source. */
  cursorOffset(handle: string): number | undefined;
  leaveEditor(): void;
  toggleHelp(): void;
  /** Opens find across the notebook, with the replace row when `replace`. */
  find(replace: boolean): void;
  /** Shows a panel of the sidebar, or hides the sidebar when that panel is already showing. */
  togglePanel(panel: 'contents' | 'variables' | 'files'): void;
  saveAs(): void;
  open(): void;
  create(): void;
}

const activeHandle = (nb: NotebookModel) => nb.cells[nb.active]?.handle;

function runActive(nb: NotebookModel, then: 'stay' | 'next' | 'insert', ui: CommandUi): Promise<void> {
  const cell = nb.cells[nb.active];
  if (!cell) return Promise.resolve();
  ui.closeEditorWidgets(cell.handle);
  const ran = nb.run([cell.handle]);
  if (cell.kind === 'markdown') nb.mode = 'command';
  if (then === 'next') {
    if (nb.active === nb.cells.length - 1) nb.insert(nb.cells.length);
    else nb.active += 1;
    if (nb.mode === 'edit') ui.focusEditor(nb.cells[nb.active].handle);
  } else if (then === 'insert') {
    const handle = nb.insert(nb.active + 1);
    nb.mode = 'edit';
    ui.focusEditor(handle);
  }
  return ran;
}

export const COMMANDS: Command[] = [
  { id: 'file.new', label: 'New Notebook', group: 'File', run: (_nb, ui) => ui.create() },
  { id: 'file.open', label: 'Open…', group: 'File', run: (_nb, ui) => ui.open() },
  { id: 'file.save', label: 'Save', keys: 'Mod+S', mode: 'both', group: 'File', run: (nb) => nb.save() },
  {
    id: 'file.saveAs',
    label: 'Save As…',
    keys: 'Mod+Shift+S',
    mode: 'both',
    group: 'File',
    run: (_nb, ui) => ui.saveAs(),
  },
  { id: 'file.exportHtml', label: 'Export as HTML', group: 'File', run: (nb) => nb.exportHtml() },

  {
    id: 'cell.runAdvance',
    label: 'Run cell and select below',
    keys: 'Shift+Enter',
    mode: 'both',
    group: 'Cell',
    run: (nb, ui) => runActive(nb, 'next', ui),
  },
  {
    id: 'cell.run',
    label: 'Run cell',
    keys: 'Mod+Enter',
    mode: 'both',
    group: 'Cell',
    run: (nb, ui) => runActive(nb, 'stay', ui),
  },
  {
    id: 'cell.runInsert',
    label: 'Run cell and insert below',
    keys: 'Alt+Enter',
    mode: 'both',
    group: 'Cell',
    run: (nb, ui) => runActive(nb, 'insert', ui),
  },
  {
    id: 'cell.runAll',
    label: 'Run all cells',
    group: 'Cell',
    run: (nb) => nb.run(nb.cells.map((c) => c.handle)),
  },
  {
    id: 'cell.runAbove',
    label: 'Run cells above',
    group: 'Cell',
    run: (nb) => nb.run(nb.cells.slice(0, nb.active).map((c) => c.handle)),
  },
  {
    id: 'cell.runBelow',
    label: 'Run this cell and below',
    group: 'Cell',
    run: (nb) => nb.run(nb.cells.slice(nb.active).map((c) => c.handle)),
  },
  {
    id: 'cell.edit',
    label: 'Edit cell',
    keys: 'Enter',
    mode: 'command',
    group: 'Cell',
    run: (nb, ui) => {
      const h = activeHandle(nb);
      if (h) {
        nb.mode = 'edit';
        ui.focusEditor(h);
      }
    },
  },
  {
    id: 'cell.leave',
    label: 'Leave the editor (command mode)',
    keys: 'Escape',
    mode: 'edit',
    group: 'Cell',
    run: (nb, ui) => {
      nb.mode = 'command';
      ui.leaveEditor();
    },
  },
  {
    id: 'cell.insertAbove',
    label: 'Insert cell above',
    keys: 'A',
    mode: 'command',
    group: 'Cell',
    run: (nb) => void nb.insert(nb.active),
  },
  {
    id: 'cell.insertBelow',
    label: 'Insert cell below',
    keys: 'B',
    mode: 'command',
    group: 'Cell',
    run: (nb) => void nb.insert(nb.active + 1),
  },
  {
    id: 'cell.delete',
    label: 'Delete cell',
    keys: 'D D',
    mode: 'command',
    group: 'Edit',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.remove(h);
    },
  },
  {
    id: 'cell.undelete',
    label: 'Undo cell deletion',
    keys: 'Z',
    altKeys: ['Mod+Z'],
    mode: 'command',
    group: 'Edit',
    run: (nb) => nb.undelete(),
  },
  {
    id: 'cell.copy',
    label: 'Copy cell',
    keys: 'C',
    mode: 'command',
    group: 'Edit',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.copy(h);
    },
  },
  {
    id: 'cell.cut',
    label: 'Cut cell',
    keys: 'X',
    mode: 'command',
    group: 'Edit',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.cut(h);
    },
  },
  {
    id: 'cell.pasteBelow',
    label: 'Paste cells below',
    keys: 'V',
    mode: 'command',
    group: 'Edit',
    run: (nb) => paste(nb, nb.cells.length ? nb.active + 1 : 0),
  },
  {
    id: 'cell.pasteAbove',
    label: 'Paste cells above',
    keys: 'Shift+V',
    mode: 'command',
    group: 'Edit',
    run: (nb) => paste(nb, nb.active),
  },
  {
    id: 'cell.merge',
    label: 'Merge with the cell below',
    keys: 'Shift+M',
    mode: 'command',
    group: 'Edit',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.mergeBelow(h);
    },
  },
  {
    id: 'cell.split',
    label: 'Split cell at the cursor',
    keys: 'Mod+Shift+-',
    mode: 'edit',
    group: 'Edit',
    run: (nb, ui) => {
      const h = activeHandle(nb);
      const offset = h === undefined ? undefined : ui.cursorOffset(h);
      if (h === undefined || offset === undefined) return;
      const below = nb.split(h, offset);
      if (below) ui.focusEditor(below);
    },
  },
  {
    id: 'cell.toMarkdown',
    label: 'Change to Markdown',
    keys: 'M',
    mode: 'command',
    group: 'Cell',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.setKind(h, 'markdown');
    },
  },
  {
    id: 'cell.toCode',
    label: 'Change to TypeScript',
    keys: 'Y',
    mode: 'command',
    group: 'Cell',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.setKind(h, 'typescript');
    },
  },
  {
    id: 'cell.toSql',
    label: 'Change to SQL',
    keys: 'S',
    mode: 'command',
    group: 'Cell',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.setKind(h, 'sql');
    },
  },
  {
    id: 'cell.down',
    label: 'Select cell below',
    keys: 'J',
    altKeys: ['Down'],
    mode: 'command',
    group: 'Cell',
    run: (nb) => void (nb.active = Math.min(nb.cells.length - 1, nb.active + 1)),
  },
  {
    id: 'cell.up',
    label: 'Select cell above',
    keys: 'K',
    altKeys: ['Up'],
    mode: 'command',
    group: 'Cell',
    run: (nb) => void (nb.active = Math.max(0, nb.active - 1)),
  },
  {
    id: 'cell.moveUp',
    label: 'Move cell up',
    keys: 'Mod+Shift+Up',
    mode: 'command',
    group: 'Cell',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.move(h, -1);
    },
  },
  {
    id: 'cell.moveDown',
    label: 'Move cell down',
    keys: 'Mod+Shift+Down',
    mode: 'command',
    group: 'Cell',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.move(h, 1);
    },
  },
  {
    id: 'edit.find',
    label: 'Find in the notebook',
    keys: 'Mod+F',
    mode: 'command',
    group: 'Edit',
    run: (_nb, ui) => ui.find(false),
  },
  {
    id: 'edit.replace',
    label: 'Find and replace',
    keys: 'Mod+H',
    mode: 'command',
    group: 'Edit',
    run: (_nb, ui) => ui.find(true),
  },
  {
    id: 'cell.toggleOutputs',
    label: 'Hide or show outputs',
    keys: 'O',
    mode: 'command',
    group: 'Cell',
    run: (nb) => {
      const h = activeHandle(nb);
      if (h) nb.toggleOutputs(h);
    },
  },
  { id: 'cell.clearOutputs', label: 'Clear all outputs', group: 'Edit', run: (nb) => nb.clearOutputs() },

  {
    id: 'view.contents',
    label: 'Table of contents',
    group: 'View',
    run: (_nb, ui) => ui.togglePanel('contents'),
  },
  { id: 'view.variables', label: 'Variables', group: 'View', run: (_nb, ui) => ui.togglePanel('variables') },
  { id: 'view.files', label: 'Files', group: 'View', run: (_nb, ui) => ui.togglePanel('files') },

  {
    id: 'kernel.interrupt',
    label: 'Interrupt',
    keys: 'I I',
    mode: 'command',
    group: 'Kernel',
    run: (nb) => nb.rpc.request('interrupt', { session: nb.session }),
  },
  {
    id: 'kernel.restart',
    label: 'Restart',
    keys: '0 0',
    mode: 'command',
    group: 'Kernel',
    run: async (nb) => {
      if (confirmRestart(nb)) await nb.rpc.request('restart', { session: nb.session });
    },
  },
  {
    id: 'kernel.restartRunAll',
    label: 'Restart and run all',
    group: 'Kernel',
    run: async (nb) => {
      if (!confirmRestart(nb)) return;
      await nb.rpc.request('restart', { session: nb.session });
      await nb.run(nb.cells.map((c) => c.handle));
    },
  },
  {
    id: 'kernel.typeErrorsStop',
    label: 'Type errors stop runs',
    group: 'Kernel',
    checked: (nb) => nb.typeErrors === 'stop',
    run: (nb) => nb.setTypeErrors(nb.typeErrors === 'stop' ? 'warn' : 'stop'),
  },

  {
    id: 'help.keys',
    label: 'Keyboard shortcuts',
    keys: 'H',
    mode: 'command',
    group: 'Help',
    run: (_nb, ui) => ui.toggleHelp(),
  },
];

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The key as written in `Command.keys`, for this event. */
export function keyName(e: KeyboardEvent): string {
  const parts: string[] = [];
  if (isMac ? e.metaKey : e.ctrlKey) parts.push('Mod');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey) parts.push('Shift');
  const key =
    e.key === 'ArrowUp'
      ? 'Up'
      : e.key === 'ArrowDown'
        ? 'Down'
        : e.key.length === 1
          ? e.key.toUpperCase()
          : e.key;
  if (!['Control', 'Meta', 'Alt', 'Shift'].includes(e.key)) parts.push(key);
  return parts.join('+');
}

export function displayKeys(keys: string): string {
  return keys.replace(/Mod/g, isMac ? '⌘' : 'Ctrl');
}

/** Every key of a command, as the help lists them: "K / Up". */
export function allKeys(c: Command): string {
  return [c.keys, ...(c.altKeys ?? [])]
    .filter((k) => k !== undefined)
    .map(displayKeys)
    .join(' / ');
}

/**
 * Finds the command for a key press. Two-key chords (D D, I I, 0 0) need the same key
 * twice within a short time; `pending` carries the first press.
 */
export class KeyMap {
  private last = { key: '', at: 0 };

  /** The command-mode command for a key press (in an editor, Monaco binds the keys itself). */
  match(e: KeyboardEvent): Command | undefined {
    const key = keyName(e);
    const now = performance.now();
    const chord = this.last.key === key && now - this.last.at < 800 ? `${key} ${key}` : undefined;
    this.last = { key, at: now };
    const fits = (c: Command) => c.mode === 'both' || c.mode === 'command';
    const found = COMMANDS.find(
      (c) =>
        fits(c) && (c.keys === key || c.altKeys?.includes(key) || (chord !== undefined && c.keys === chord)),
    );
    if (found?.keys?.includes(' ')) this.last = { key: '', at: 0 };
    return found;
  }
}

function paste(nb: NotebookModel, index: number): void {
  if (!nb.paste(index))
    nb.notice = { kind: 'info', text: 'There are no copied cells to paste: copy one with C first.' };
}

/**
 * Asks before a restart, as Jupyter does, naming what it loses: a long training run is gone
 * with one keystroke too many. A dead kernel has nothing left to lose.
 */
function confirmRestart(nb: NotebookModel): boolean {
  if (nb.kernel.state === 'dead') return true;
  const running = nb.cells.some((c) => c.run?.state === 'running');
  return confirm(
    `Restart the kernel? Every variable the cells made is lost${running ? ', and the running cell is stopped' : ''}.`,
  );
}
