import WebSocket from 'ws';
import type { ServerMessage, WorkbenchEvent, WorkbenchMethods } from '../src/api';

/** A test's or benchmark's connection to the workbench WebSocket, speaking the same contract as the UI. */
export class WorkbenchClient {
  readonly events: WorkbenchEvent[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly waiters: { test(e: WorkbenchEvent): boolean; resolve(e: WorkbenchEvent): void }[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if ('event' in message) {
        this.events.push(message);
        for (const w of [...this.waiters]) {
          if (w.test(message)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(message);
          }
        }
        return;
      }
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) p?.resolve(message.result);
      // `needs` travels with the error, so a test sees what the UI would ask the user.
      else p?.reject(Object.assign(new Error(message.error), { needs: message.needs }));
    });
  }

  static connect(port: number, token: string, origin = `http://127.0.0.1:${port}`): Promise<WorkbenchClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { cookie: `reclab-token-${port}=${token}`, origin },
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WorkbenchClient(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  request<M extends keyof WorkbenchMethods>(
    method: M,
    params: WorkbenchMethods[M]['params'],
  ): Promise<WorkbenchMethods[M]['result']> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
    );
  }

  /** The first event (already received or still to come) that passes `test`. */
  waitFor(test: (e: WorkbenchEvent) => boolean, timeoutMs = 60_000): Promise<WorkbenchEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
      this.waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  close(): void {
    this.socket.close();
  }
}
