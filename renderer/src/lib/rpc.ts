import type { ServerMessage, WorkbenchEvent, WorkbenchMethods } from '../../../src/api';

/** `unreachable`: reconnecting has failed for a while (the server stopped, or restarted with a new token). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unreachable';

/** Failed attempts in a row (about 20 s with the back-off) before the server counts as unreachable. */
const UNREACHABLE_AFTER = 8;

/** A request that may or may not have reached the server before the connection went. */
export class ConnectionLostError extends Error {
  constructor() {
    super('The connection to the RecLab server was lost.');
  }
}

/** A request the server refused; `needs: 'overwrite'` means it may be sent again once the user agrees. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly needs?: 'overwrite',
  ) {
    super(message);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The UI's end of the workbench WebSocket. Requests made while the connection is down
 * wait and go out once it is back; a lost connection is retried with back-off, and
 * `onReconnect` lets the notebook resynchronise.
 */
export class Rpc {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: string[] = [];
  private retryMs = 250;
  private failures = 0;
  private everOpened = false;
  onEvent: (event: WorkbenchEvent) => void = () => {};
  onState: (state: ConnectionState) => void = () => {};
  onReconnect: () => void = () => {};

  constructor(private readonly url: string) {
    this.connect();
  }

  request<M extends keyof WorkbenchMethods>(
    method: M,
    params: WorkbenchMethods[M]['params'],
  ): Promise<WorkbenchMethods[M]['result']> {
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
      else this.waiting.push(text);
    });
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 250;
      this.failures = 0;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.onState('open');
      for (const text of this.waiting.splice(0)) socket.send(text);
      if (reconnected) this.onReconnect();
    };
    socket.onmessage = (e) => {
      const message = JSON.parse(String(e.data)) as ServerMessage;
      if ('event' in message) return this.onEvent(message);
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(new RequestError(message.error, message.needs));
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      // Requests sent on the dead socket may or may not have been handled: they fail, and
      // the notebook resynchronises on reconnect.
      for (const p of this.pending.values()) p.reject(new ConnectionLostError());
      this.pending.clear();
      this.failures++;
      this.onState(this.failures >= UNREACHABLE_AFTER ? 'unreachable' : 'reconnecting');
      // Still trying: a server that comes back at the same address picks the window up.
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 4000);
    };
  }
}

export function serverUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}
