/**
 * `reclab run NOTEBOOK.ipynb [-o OUT.ipynb] [--timeout SECONDS] [--backend NAME]`
 * `reclab export NOTEBOOK.ipynb --to html [-o FILE]`
 * `reclab serve [FOLDER] [--port N] [--no-open]`
 * `reclab serve-model BUNDLE --port N [--host H] [--workers N] [--max-inflight N] [--admin-token T]`
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { NotebookFormatError, upgradeNotebook } from '../notebook';
import { readNotebookFile, writeFileAtomic, writeNotebookFile } from '../server';
import { KernelDiedError } from '../kernel-client';
import { notebookToHtml } from '../server';
import { runNotebook, type CellSummary } from './run-notebook';
import { serve } from './serve';

const USAGE = `Usage:
  reclab run NOTEBOOK.ipynb [-o OUT.ipynb] [--timeout SECONDS] [--backend NAME]
      Runs every cell in a fresh kernel and writes the notebook with its outputs
      (to OUT, or in place). Exits 1 naming the cell that failed.
  reclab export NOTEBOOK.ipynb --to html [-o FILE.html]
      Writes one self-contained HTML page with every cell and output.
  reclab serve [FOLDER] [--port N] [--no-open]
      Starts the workbench in the browser: prints (and opens) its address, with
      the access token. Stop it with Ctrl+C.
  reclab serve-model BUNDLE --port N [--host H] [--workers N] [--max-inflight N]
                     [--admin-token TOKEN]
      Serves a pipeline bundle (pipeline.export(dir)) over HTTP on 127.0.0.1 (or
      --host): /recommend, /similar, /health, /ready, /metrics, /version. SIGHUP or
      POST /admin/reload (token from --admin-token or RECLAB_ADMIN_TOKEN) loads a
      new bundle version; SIGTERM drains requests in flight and exits.`;

class UsageError extends Error {}
/** An output path that cannot be used; said before any work is done. */
class OutputError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'export':
        return await exportCommand(rest);
      case 'serve':
        return await serveCommand(rest);
      case 'serve-model':
        return await serveModelCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`reclab: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof NotebookFormatError || e instanceof OutputError) {
      console.error(`reclab: ${e.message}`);
      return 2;
    }
    if (e instanceof KernelDiedError) {
      console.error(`reclab: ${e.message}`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).syscall !== undefined) {
      // A file the command reads or writes (missing, not allowed, disk full).
      console.error(`reclab: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}

function oneNotebook(positionals: string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? 'Give one notebook.' : 'Which notebook? Give its path.');
  return positionals[0];
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      timeout: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const file = oneNotebook(positionals);
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw new UsageError(`--timeout takes a number of seconds greater than 0, not "${values.timeout}".`);
  }
  const notebook = await readNotebookFile(file);
  const out = values.output ?? file;
  await checkWritable(out);
  const total = notebook.cells.filter((c) => c.cell_type === 'code').length;
  let done = 0;
  const result = await runNotebook(notebook, {
    dir: path.dirname(path.resolve(file)),
    timeoutSeconds,
    backend: values.backend,
    onCell: (s) => console.log(cellLine(s, ++done, total)),
  });
  upgradeNotebook(notebook);
  await writeNotebookFile(out, notebook);
  if (result.failed) {
    const f = result.failed;
    console.error(
      `reclab: cell ${f.position}${f.cellId ? ` (id ${f.cellId})` : ''} failed: ${f.error ?? f.status}`,
    );
    console.error(`reclab: wrote ${out} with the outputs so far`);
    return 1;
  }
  console.log(`reclab: ran ${total} cells, wrote ${out}`);
  return 0;
}

/** Fails early, so that no cell runs for output that could not be written. */
async function checkWritable(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new OutputError(`${file}: the folder ${dir} does not exist; create it or write elsewhere with -o.`);
  const target = await fs.stat(file).catch(() => undefined);
  if (target?.isDirectory()) throw new OutputError(`${file}: is a folder; give a file name with -o.`);
  try {
    await fs.access(dir, fsConstants.W_OK);
  } catch {
    throw new OutputError(`${file}: the folder ${dir} is not writable; write elsewhere with -o.`);
  }
}

function cellLine(s: CellSummary, done: number, total: number): string {
  const mark = s.status === 'ok' ? 'ok' : s.status.toUpperCase();
  const ms = s.durationMs < 1000 ? `${s.durationMs.toFixed(0)} ms` : `${(s.durationMs / 1000).toFixed(2)} s`;
  const counter = `[${String(done).padStart(String(total).length)}/${total}]`;
  const cell = `cell ${s.position}`.padEnd(8);
  const kind = s.kind === 'sql' ? 'sql' : 'ts ';
  return `${counter} ${cell} ${kind} ${mark.padEnd(11)} ${ms.padStart(9)}${s.error ? `  ${s.error}` : ''}`;
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { to: { type: 'string' }, output: { type: 'string', short: 'o' } },
  });
  const file = oneNotebook(positionals);
  if (values.to !== 'html')
    throw new UsageError(`--to takes "html"${values.to ? `, not "${values.to}"` : ''}.`);
  const notebook = await readNotebookFile(file);
  const out = values.output ?? file.replace(/\.ipynb$/i, '') + '.html';
  if (path.resolve(out) === path.resolve(file))
    throw new OutputError(`${out}: that is the notebook itself; give another file for the HTML with -o.`);
  await checkWritable(out);
  await writeFileAtomic(out, notebookToHtml(notebook, path.basename(file, '.ipynb')));
  console.log(`reclab: wrote ${out}`);
  return 0;
}

async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, 'no-open': { type: 'boolean' } },
  });
  if (positionals.length > 1) throw new UsageError('Give at most one folder.');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port takes a port number (0 to 65535), not "${values.port}".`);
  const folder = path.resolve(positionals[0] ?? '.');
  const stat = await fs.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`${folder} is not a folder.`);
  return serve({ folder, port, open: !values['no-open'] });
}

async function serveModelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      'max-inflight': { type: 'string' },
      'admin-token': { type: 'string' },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? 'Give one bundle folder.' : 'Which bundle? Give its folder.');
  if (values.port === undefined) throw new UsageError('serve-model needs --port N (0: any free port).');
  const count = (name: string, text: string | undefined, fallback: number, min: number, max: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not "${text}".`);
    return n;
  };
  // Loaded here, not at the top: the model server brings DuckDB and TensorFlow.js, which the
  // other commands must not load (only kernels do).
  const { DEFAULT_MAX_INFLIGHT, serveModel } = await import('../serving');
  const port = count('port', values.port, 0, 0, 65535);
  const workers = count('workers', values.workers, 1, 1, 256);
  const maxInflight = count('max-inflight', values['max-inflight'], DEFAULT_MAX_INFLIGHT, 1, 1_000_000);
  const bundle = path.resolve(positionals[0]);
  const stat = await fs.stat(bundle).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new UsageError(`${bundle} is not a folder; give a bundle written by pipeline.export(dir).`);
  // Test-only hooks, from the environment so no command-line user meets them.
  const loadDelayMs = Number(process.env.RECLAB_SERVE_TEST_LOAD_DELAY_MS ?? 0);
  const code = await serveModel({
    bundle,
    port,
    host: values.host,
    workers,
    maxInflight,
    adminToken: values['admin-token'] ?? process.env.RECLAB_ADMIN_TOKEN,
    testHooks: { requestDelay: process.env.RECLAB_SERVE_TEST_HOOKS === '1', loadDelayMs },
  });
  // Every request is answered by now; TensorFlow.js's backend would keep the process alive.
  process.exit(code);
}
