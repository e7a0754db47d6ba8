export { startServer, rendererBuilt } from './server';
export type { ServerOptions, RunningServer } from './server';
export { notebookToHtml } from './export-html';
export { readNotebookFile, readNotebookText, writeNotebookFile, writeFileAtomic } from './notebook-file';
