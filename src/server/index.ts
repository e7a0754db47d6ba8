export { startServer, rendererBuilt } from './server';
export type { ServerOptions, RunningServer } from './server';
