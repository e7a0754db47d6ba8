import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'reclab.mjs');

/** The processes started here and still running: they end with this process, even one that crashed. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** A `reclab serve-model` process started as an operator starts it, through bin/reclab.mjs. */
export interface ServeModelProcess {
  proc: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  log(): string;
  exited: Promise<number | null>;
  /** Its address (http://127.0.0.1:PORT) once it says it listens; rejected if it exits first. */
  listening: Promise<string>;
}

/**
 * Spawns `reclab serve-model BUNDLE ARGS…` and returns at once, so the caller can register the
 * process for clean-up before waiting on `listening`.
 */
export function spawnServeModel(
  bundle: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): ServeModelProcess {
  const proc = spawn(process.execPath, [BIN, 'serve-model', bundle, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let log = '';
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      running.delete(proc);
      resolve(code);
    }),
  );
  const listening = new Promise<string>((resolve, reject) => {
    const read = (c: Buffer) => {
      log += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(log);
      if (m) resolve(m[1]);
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    void exited.then((code) => reject(new Error(`serve-model exited ${code}:\n${log}`)));
  });
  // A caller that never waits on it must not see an unhandled rejection when the process ends.
  listening.catch(() => {});
  return { proc, log: () => log, exited, listening };
}
