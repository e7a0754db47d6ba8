/**
 * `pipeline.serve()` in a notebook: a ModelServer in the kernel's own process, answering the
 * bundle the pipeline was just exported to. The kernel installs this as the serving host.
 */
import type { PipelineServer, ReloadResult, ServingHost } from '../recsys';
import { ModelServer } from './model-server';

class NotebookServer implements PipelineServer {
  constructor(
    private readonly server: ModelServer,
    readonly url: string,
    readonly bundle: string,
  ) {}

  get version(): number | null {
    return this.server.version;
  }

  reload(): Promise<ReloadResult> {
    return this.server.reload();
  }

  stop(): Promise<void> {
    return this.server.drain();
  }

  /** What a cell shows for the server: where it answers and what. */
  toString(): string {
    return (
      `Pipeline server at ${this.url}, bundle version ${this.version} from ${this.bundle}: ` +
      'GET /recommend?user=&k=, POST /recommend, GET /similar?item=&k=, /health, /ready, /metrics, /version'
    );
  }
}

export const startPipelineServer: ServingHost = async (bundle, options) => {
  // Silent: what a log line would say, the cell shows already (the server, reload()'s result).
  const server = new ModelServer({ ...options, bundle, log: () => {} });
  let started: Awaited<ReturnType<ModelServer['start']>>;
  try {
    started = await server.start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `Pipeline.serve: port ${options.port} is in use (by another server, or one this notebook started: ` +
          'stop() it first). Pass another port, or 0 for any free one.',
        { cause: e },
      );
    throw e;
  }
  const loaded = await started.loaded;
  if (!loaded.ok) {
    await server.drain();
    throw new Error(`Pipeline.serve: the exported bundle did not load: ${loaded.error}`);
  }
  return new NotebookServer(server, started.url, bundle);
};
