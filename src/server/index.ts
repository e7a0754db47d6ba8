export { startServer, rendererBuilt } from './server';
export type { ServerOptions, RunningServer } from './server';
export { contentSecurityPolicy } from './static-files';
