import type { MenuItemConstructorOptions } from 'electron';

/** A menu item that runs one of the renderer's commands (renderer/src/lib/commands.ts). */
type Run = (command: string) => void;

/**
 * The application menu. Every item sends the id of a command the UI already has, so
 * menus, toolbar and keys do the same thing.
 */
export function menuTemplate(run: Run, isMac: boolean): MenuItemConstructorOptions[] {
  const item = (label: string, command: string, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => run(command),
  });
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        item('New Notebook', 'file.new', 'CmdOrCtrl+N'),
        item('Open…', 'file.open', 'CmdOrCtrl+O'),
        { type: 'separator' },
        item('Save', 'file.save', 'CmdOrCtrl+S'),
        item('Save As…', 'file.saveAs', 'CmdOrCtrl+Shift+S'),
        item('Export as HTML', 'file.exportHtml'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
        { type: 'separator' },
        item('Find in Notebook', 'edit.find'),
        item('Find and Replace', 'edit.replace'),
        { type: 'separator' },
        item('Cut Cell', 'cell.cut'),
        item('Copy Cell', 'cell.copy'),
        item('Paste Cell Below', 'cell.pasteBelow'),
        item('Paste Cell Above', 'cell.pasteAbove'),
        item('Merge Cell Below', 'cell.merge'),
        item('Split Cell at Cursor', 'cell.split'),
        item('Delete Cell', 'cell.delete'),
        item('Undo Cell Deletion', 'cell.undelete'),
        item('Clear All Outputs', 'cell.clearOutputs'),
      ],
    },
    {
      label: 'Cell',
      submenu: [
        item('Run Cell', 'cell.run'),
        item('Run Cell and Select Below', 'cell.runAdvance'),
        item('Run Cell and Insert Below', 'cell.runInsert'),
        item('Run All', 'cell.runAll'),
        item('Run Above', 'cell.runAbove'),
        item('Run Below', 'cell.runBelow'),
        { type: 'separator' },
        item('Insert Cell Above', 'cell.insertAbove'),
        item('Insert Cell Below', 'cell.insertBelow'),
        item('Move Cell Up', 'cell.moveUp'),
        item('Move Cell Down', 'cell.moveDown'),
        { type: 'separator' },
        item('Change to TypeScript', 'cell.toCode'),
        item('Change to SQL', 'cell.toSql'),
        item('Change to Markdown', 'cell.toMarkdown'),
      ],
    },
    {
      label: 'Kernel',
      submenu: [
        item('Interrupt', 'kernel.interrupt'),
        item('Restart', 'kernel.restart'),
        item('Restart and Run All', 'kernel.restartRunAll'),
        { type: 'separator' },
        item('Type Errors Stop Runs (On/Off)', 'kernel.typeErrorsStop'),
      ],
    },
    {
      label: 'View',
      submenu: [
        item('Table of Contents', 'view.contents'),
        item('Variables', 'view.variables'),
        item('Files', 'view.files'),
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Help', submenu: [item('Keyboard Shortcuts', 'help.keys')] },
  ];
}
