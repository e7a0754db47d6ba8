import { createReadStream, promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/**
 * The page may load only its own scripts and styles and talk only to its own server.
 * Inline styles are allowed because Monaco and ECharts set them; inline scripts are not.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

export async function serveStatic(
  root: string,
  pathname: string,
  response: ServerResponse,
  port: number,
): Promise<void> {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    relative = '/';
  }
  // A URL path starts at "/", so normalizing it cannot climb above the renderer folder.
  let file = path.join(path.resolve(root), path.posix.normalize(`/${relative}`));
  // The single page app answers every path that is not one of its files.
  let stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) {
    file = path.join(root, 'index.html');
    stat = await fs.stat(file).catch(() => undefined);
  }
  if (!stat?.isFile()) {
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(
      `The RecLab interface has not been built (no ${file}). Run "npm run build", then start again.\n`,
    );
    return;
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': stat.size,
    'x-content-type-options': 'nosniff',
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  };
  if (type.startsWith('text/html')) headers['content-security-policy'] = contentSecurityPolicy(port);
  response.writeHead(200, headers);
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}
