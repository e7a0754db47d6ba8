import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, promises as fs, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { request, until } from './http';
import { NGINX } from './locations';

/** The config the repository ships (deploy/nginx): nginx.conf and the compose defaults of its includes. */
const SHIPPED = path.join(import.meta.dirname, '..', 'deploy', 'nginx');

/** The nginx masters started here and still running: they stop with this process, even one that crashed. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGTERM');
});

/** Why nginx cannot run here, or undefined when it can. CI installs it, so there the reason is an error. */
export function nginxUnavailable(): string | undefined {
  const why = existsSync(NGINX) ? undefined : `no nginx at ${NGINX} (apt-get install nginx)`;
  if (why && process.env.CI) throw new Error(`nginx is required on CI: ${why}`);
  return why;
}

export interface Nginx {
  /** Where it listens: http://127.0.0.1:PORT. */
  url: string;
  proc: ChildProcess;
  /** What it printed so far: its error log and its access log of unusual requests. */
  log(): string;
  /** Stops it (fast shutdown: the master stops its workers) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * The shipped replicas.conf's server parameters (max_fails, fail_timeout, …) on one `server` line
 * per address: the processes here listen on ports of 127.0.0.1, not behind a service name, but
 * nginx treats them as it treats compose's replicas.
 */
async function replicasConf(addresses: string[]): Promise<string> {
  const shipped = await fs.readFile(path.join(SHIPPED, 'replicas.conf'), 'utf8');
  const servers = [...shipped.matchAll(/^\s*server\s+\S+([^;]*);/gm)];
  if (servers.length !== 1)
    throw new Error(`${SHIPPED}/replicas.conf should have one server line, not ${servers.length}`);
  return addresses.map((a) => `server ${a}${servers[0][1]};\n`).join('');
}

/**
 * Runs the repository's nginx.conf, unchanged, in front of `addresses` (host:port each): in a folder
 * of its own (its prefix, so its temporary files and pid stay there), as whatever user this is, on a
 * free port of 127.0.0.1. Resolves once nginx answers.
 */
export async function startNginx(addresses: string[]): Promise<Nginx> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-nginx-'));
  const port = await freePort();
  await fs.copyFile(path.join(SHIPPED, 'nginx.conf'), path.join(dir, 'nginx.conf'));
  await fs.writeFile(path.join(dir, 'replicas.conf'), await replicasConf(addresses));
  await fs.writeFile(path.join(dir, 'listen.conf'), `listen 127.0.0.1:${port};\n`);
  // Its output goes to a file, not a pipe: Node's stdio pipes are sockets, which the config's
  // `access_log /dev/stdout` cannot open.
  const logFile = path.join(dir, 'output.log');
  const out = openSync(logFile, 'a');
  const proc = spawn(
    NGINX,
    [
      '-e',
      'stderr',
      '-p',
      dir,
      '-c',
      path.join(dir, 'nginx.conf'),
      '-g',
      `daemon off; pid ${dir}/nginx.pid;`,
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let failed: Error | undefined;
  proc.on('error', (e) => (failed = e));
  running.add(proc);
  const exited = new Promise<void>((resolve) =>
    proc.on('exit', () => {
      running.delete(proc);
      resolve();
    }),
  );
  const stop = async () => {
    // SIGTERM, not SIGKILL: the master stops its workers, which would otherwise keep the port.
    if (proc.exitCode === null && proc.signalCode === null && !failed) {
      proc.kill('SIGTERM');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(async () => {
      if (failed) throw new Error(`nginx could not start: ${failed.message}`);
      if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}:\n${log()}`);
      // Any answer will do (a replica's, or nginx's own 502): nginx listens.
      return request(`${url}/health`).then(
        () => true,
        () => false,
      );
    }, 'nginx to listen');
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, proc, log, stop };
}

/** A port of 127.0.0.1 free now (nginx cannot be asked to pick one and say which). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
