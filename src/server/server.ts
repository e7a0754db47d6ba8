import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerMessage, WorkbenchRequest } from '../api';
import type { KernelOptions } from '../kernel-client';
import { cookieName, newToken, refusal } from './access';
import { serveStatic } from './static-files';
import { StateStore } from './state-store';
import { Workbench, type Connection } from './workbench';
import { OverwriteError } from './save-file';

export interface ServerOptions {
  /** The folder notebooks are opened from and listed in. */
  folder: string;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  samplesFolder: string;
  /** 0 picks a free port. */
  port?: number;
  /** Recent files and recovery copies; `~/.reclab` unless given. */
  stateDir?: string;
  kernel?: KernelOptions;
  version?: string;
}

export interface RunningServer {
  port: number;
  token: string;
  /** The address to open, token included. */
  url: string;
  /** Cuts every window's connection, as a network failure would; windows reconnect. */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * The RecLab server: HTTP serves the renderer, one WebSocket per window carries the
 * workbench contract. Loopback only; every request needs the launch token.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = newToken();
  const store = new StateStore(options.stateDir ?? path.join(os.homedir(), '.reclab'));
  const workbench = new Workbench({
    folder: path.resolve(options.folder),
    samplesFolder: options.samplesFolder,
    store,
    kernel: options.kernel,
    version: options.version ?? '0.0.0',
  });
  let port = 0;

  const refuse = (request: IncomingMessage, response: ServerResponse, url: URL): boolean => {
    const why = refusal(request, url, token, port);
    if (!why) return false;
    response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(
      `403 Forbidden: ${why}. Open the address RecLab printed when it started (it carries the access token).\n`,
    );
    return true;
  };

  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (refuse(request, response, url)) return;
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a cookie, and drop it from the address bar.
      url.searchParams.delete('token');
      response.writeHead(302, {
        'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname + url.search,
      });
      return response.end();
    }
    serveStatic(options.rendererDir, url.pathname, response, port).catch(() => response.destroy());
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  http.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const why = url.pathname === '/ws' ? refusal(request, url, token, port) : 'not found';
    if (why) {
      socket.end(
        `HTTP/1.1 ${why === 'not found' ? '404 Not Found' : '403 Forbidden'}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveConnection(ws, workbench));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    dropConnections: () => {
      for (const ws of sockets.clients) ws.terminate();
    },
    close: async () => {
      for (const ws of sockets.clients) ws.terminate();
      await workbench.shutdown();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function serveConnection(ws: WebSocket, workbench: Workbench): void {
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const connection: Connection = { send, sessions: new Set() };
  const disconnect = workbench.connect(connection);
  ws.on('close', disconnect);
  ws.on('message', async (data) => {
    let request: Partial<Record<keyof WorkbenchRequest, unknown>>;
    try {
      request = JSON.parse(String(data)) as typeof request;
    } catch {
      return ws.close(1003, 'messages must be JSON');
    }
    if (typeof request !== 'object' || request === null || typeof request.id !== 'number') {
      return ws.close(1003, 'a request is an object with a numeric id');
    }
    const id = request.id;
    try {
      const result = await workbench.call(request.method, request.params, connection);
      send({ id, ok: true, result });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      // The window asks the user, then sends the request again with `overwrite`.
      send(
        e instanceof OverwriteError ? { id, ok: false, error, needs: 'overwrite' } : { id, ok: false, error },
      );
    }
  });
}

/** Whether the renderer has been built into `dir`. */
export async function rendererBuilt(dir: string): Promise<boolean> {
  return fs.access(path.join(dir, 'index.html')).then(
    () => true,
    () => false,
  );
}
