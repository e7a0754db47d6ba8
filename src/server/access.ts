import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Browsers share cookies across ports: each server's cookie carries its port. */
export const cookieName = (port: number) => `reclab-token-${port}`;

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: IncomingMessage, port: number): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === cookieName(port)) return value.join('=');
  }
  return undefined;
}

/** The token a request carries: in the URL (first load), a header, or the cookie. */
function requestToken(request: IncomingMessage, url: URL, port: number): string | undefined {
  const header = request.headers.authorization?.match(/^token\s+(\S+)$/i)?.[1];
  return url.searchParams.get('token') ?? header ?? cookieToken(request, port);
}

/**
 * Why a request must be refused, or undefined when it may go on. A page on another site
 * cannot pass: it has no token, and a browser tells us its Origin; a DNS-rebinding page
 * has the wrong Host.
 */
export function refusal(request: IncomingMessage, url: URL, token: string, port: number): string | undefined {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!hosts.includes(request.headers.host ?? '')) return 'wrong Host header';
  const origin = request.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return 'wrong Origin';
  if (!sameToken(requestToken(request, url, port), token)) return 'missing or wrong token';
  return undefined;
}
