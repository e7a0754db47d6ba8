/**
 * How `pipeline.serve()` reaches an HTTP server. The server (src/serving) reads bundles through
 * this library, so the library cannot import it back; whoever runs both (the kernel, a script
 * that imports src/serving) installs the host, as the kernel installs the training host.
 */

export interface ServeOptions {
  /** The port to listen on; 0 picks a free one (`url` says which). */
  port: number;
  /** Default 127.0.0.1: only this machine reaches a server started from a notebook, unless asked. */
  host?: string;
  /** The bundle folder the pipeline is exported to and served from (default: a new temporary folder). */
  bundle?: string;
  /** Requests answered at once; more get 503 with Retry-After (default as `reclab serve-model`). */
  maxInflight?: number;
}

export interface ReloadResult {
  ok: boolean;
  version: number | null;
  previous: number | null;
  error?: string;
}

/** A server answering a bundle's requests in this process, until `stop()` or the process ends. */
export interface PipelineServer {
  readonly url: string;
  readonly bundle: string;
  /** The bundle version answering now. */
  readonly version: number | null;
  /** Reads the bundle folder again (after an export of a new version) and swaps it in if it verifies. */
  reload(): Promise<ReloadResult>;
  /** Lets requests in flight finish, then stops listening. */
  stop(): Promise<void>;
}

export type ServingHost = (bundle: string, options: Omit<ServeOptions, 'bundle'>) => Promise<PipelineServer>;

let host: ServingHost | null = null;

/** Installs what `pipeline.serve()` starts; the kernel calls this once at start. */
export function setServingHost(h: ServingHost | null): void {
  host = h;
}

export function servingHost(): ServingHost {
  if (!host)
    throw new Error(
      'Pipeline.serve: no server in this process. In a notebook the kernel provides one; elsewhere ' +
        "export the bundle (await pipeline.export(dir)) and run 'reclab serve-model DIR --port N'.",
    );
  return host;
}
