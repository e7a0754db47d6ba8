/** The serving benchmark's open-loop load (dev/paced-load.ts) against a real HTTP server. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPacedLoad } from '../dev';

let server: http.Server;
let url: string;
const bodies: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST') bodies.push(body);
      res.writeHead(req.url === '/busy' ? 503 : 200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('startPacedLoad', () => {
  it('sends rate × seconds requests in turn, counting every status and each answer’s time', async () => {
    const r = await startPacedLoad({
      url,
      requests: [{ path: '/a' }, { path: '/busy' }, { path: '/b', body: { users: ['u1'] } }],
      rate: 200,
      seconds: 0.3,
    }).done;
    expect(r.requests).toBe(60);
    expect(r.statuses).toEqual({ 200: 40, 503: 20 });
    expect(r.non2xx).toBe(20);
    expect(r.errors).toBe(0);
    expect(r.latencies).toHaveLength(60);
    expect(r.latencies.every((ms) => ms >= 0)).toBe(true);
    expect(bodies.slice(-20).every((b) => b === '{"users":["u1"]}')).toBe(true);
  });

  it('ends early when stopped, with the answers to what it sent', async () => {
    const load = startPacedLoad({ url, requests: [{ path: '/a' }], rate: 100, seconds: 60 });
    while (load.answered < 5) await new Promise((wake) => setTimeout(wake, 10));
    load.stop();
    const r = await load.done;
    expect(r.requests).toBeGreaterThanOrEqual(5);
    expect(r.requests).toBeLessThan(6000);
    expect(r.statuses).toEqual({ 200: r.requests });
  });

  it('counts a refused connection as an error, not an answer', async () => {
    const r = await startPacedLoad({
      url: 'http://127.0.0.1:1',
      requests: [{ path: '/' }],
      rate: 100,
      seconds: 0.05,
    }).done;
    expect(r.requests).toBe(0);
    expect(r.errors).toBe(5);
  });
});
