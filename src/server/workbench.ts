import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import {
  KERNEL_QUERIES,
  PROTOCOL_VERSION,
  WORKBENCH_PARAMS,
  checked,
  type FolderEntry,
  type OpenResult,
  type WorkbenchEvent,
  type WorkbenchMethod,
  type WorkbenchMethods,
} from '../api';
import type { KernelOptions } from '../kernel-client';
import { createNotebook, newCodeCell, parseNotebook, serializeNotebook } from '../notebook';
import { readNotebookText } from './notebook-file';
import { NotebookDocument } from './document';
import { fileStamp, OverwriteError } from './save-file';
import { NotebookSession } from './session';
import type { StateStore } from './state-store';
import { notebookToHtml } from './export-html';

export interface WorkbenchOptions {
  /** The folder the workbench opens in. */
  folder: string;
  /** Sample notebooks shipped with the app. */
  samplesFolder: string;
  store: StateStore;
  kernel?: KernelOptions;
  version: string;
}

type Handler<M extends keyof WorkbenchMethods> = (
  params: WorkbenchMethods[M]['params'],
  connection: Connection,
) => Promise<WorkbenchMethods[M]['result']>;

/** One client (a window or a browser tab): what it is attached to and how to reach it. */
export interface Connection {
  send(event: WorkbenchEvent): void;
  sessions: Set<string>;
}

/** A notebook no window is attached to is closed after this long (a reload reattaches well within it). */
export const ORPHAN_GRACE_MS = 60_000;

/**
 * The server's side of the workbench contract: notebooks on disk, open sessions and their
 * kernels. Knows nothing of HTTP or WebSockets.
 */
export class Workbench {
  private readonly sessions = new Map<string, NotebookSession>();
  private readonly connections = new Set<Connection>();
  private readonly orphanTimers = new Map<string, NodeJS.Timeout>();
  private shuttingDown = false;

  constructor(private readonly options: WorkbenchOptions) {}

  connect(connection: Connection): () => void {
    this.connections.add(connection);
    return () => {
      this.connections.delete(connection);
      for (const id of connection.sessions) if (!this.attached(id)) this.closeLater(id);
    };
  }

  /**
   * Runs a request as it came off the wire: the method must exist and its parameters must have the contract's
   * types.
   */
  async call(method: unknown, params: unknown, connection: Connection): Promise<unknown> {
    if (typeof method !== 'string' || !Object.hasOwn(this.handlers, method))
      throw new Error(`Unknown method "${String(method)}".`);
    checked(WORKBENCH_PARAMS[method as WorkbenchMethod], params, method, 'the parameters');
    const handler = this.handlers[method as keyof WorkbenchMethods] as Handler<keyof WorkbenchMethods>;
    return handler(params as never, connection);
  }

  async shutdown(): Promise<void> {
    // Windows disconnecting now must not schedule closes that would keep the process alive.
    this.shuttingDown = true;
    for (const timer of this.orphanTimers.values()) clearTimeout(timer);
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }

  private attached(id: string): boolean {
    for (const c of this.connections) if (c.sessions.has(id)) return true;
    return false;
  }

  private attach(session: NotebookSession, connection: Connection): void {
    connection.sessions.add(session.id);
    clearTimeout(this.orphanTimers.get(session.id));
    this.orphanTimers.delete(session.id);
  }

  /** A notebook whose windows all went away is closed (its edits kept in the recovery file) unless one comes back. */
  private closeLater(id: string): void {
    if (this.shuttingDown) return;
    clearTimeout(this.orphanTimers.get(id));
    this.orphanTimers.set(
      id,
      setTimeout(() => {
        this.orphanTimers.delete(id);
        const session = this.sessions.get(id);
        if (!session || this.attached(id)) return;
        this.sessions.delete(id);
        void session.close();
      }, ORPHAN_GRACE_MS).unref(),
    );
  }

  private session(id: string): NotebookSession {
    const session = this.sessions.get(id);
    if (!session)
      throw new Error(
        'This notebook is no longer open on the server (it was closed or the server restarted). Open it again.',
      );
    return session;
  }

  private publish = (event: WorkbenchEvent) => {
    for (const c of this.connections) if (c.sessions.has(event.session)) c.send(event);
  };

  private async openSession(
    file: string,
    document: NotebookDocument,
    connection: Connection,
  ): Promise<NotebookSession> {
    const session = new NotebookSession(
      file,
      document,
      this.options.store,
      this.publish,
      this.options.kernel ?? {},
    );
    this.sessions.set(session.id, session);
    this.attach(session, connection);
    await this.options.store.addRecent(file);
    return session;
  }

  private openAt(file: string): NotebookSession | undefined {
    for (const s of this.sessions.values()) if (s.path === file) return s;
    return undefined;
  }

  private resolve(p: string): string {
    return path.resolve(this.options.folder, p);
  }

  /** A notebook's path from what the user typed, under `dir`: a file name is needed; `.ipynb` is added when missing. */
  private notebookPath(typed: string, dir: string, action: string): string {
    const name = typed.trim();
    if (!name || /[/\\]$/.test(name) || path.basename(name) === '.ipynb')
      throw new Error(`${action} needs a file name, such as "ratings.ipynb".`);
    return path.resolve(dir, name.endsWith('.ipynb') ? name : `${name}.ipynb`);
  }

  /**
   * A sample shipped inside RecLab's install. Those are read-only in a packaged app and replaced by the next
   * update, so they open as copies and are never written; unless RecLab serves the samples folder itself, which
   * is how the samples are edited.
   */
  private isShippedSample(file: string): boolean {
    const samples = this.options.samplesFolder;
    return within(file, samples) && !within(this.options.folder, samples);
  }

  private refuseSample(file: string): void {
    if (this.isShippedSample(file))
      throw new Error(
        `${file} is one of RecLab's sample notebooks, inside its install, which an update replaces. ` +
          'Save your copy in your own folder instead (Save As).',
      );
  }

  /** Opens a fresh copy of a sample in the folder served, named after it (01-explore.ipynb, 01-explore-1.ipynb, …). */
  private async openSampleCopy(sample: string, connection: Connection): Promise<OpenResult> {
    const text = await readNotebookText(sample);
    const notebook = parseNotebook(text, sample);
    const file = await createUnder(this.options.folder, path.basename(sample, '.ipynb'), '.ipynb', text);
    const session = await this.openSession(file, new NotebookDocument(notebook), connection);
    session.stamp = await fileStamp(file);
    return { notebook: session.wire(), copiedFrom: path.basename(sample) };
  }

  private readonly handlers: { [M in keyof WorkbenchMethods]: Handler<M> } = {
    hello: async ({ protocol }) => {
      // A window left open across an upgrade would misread the new messages: it reloads instead.
      if (protocol !== PROTOCOL_VERSION)
        throw new Error(
          'This page was loaded from another version of RecLab ' +
            `(protocol ${protocol}; the server speaks ${PROTOCOL_VERSION}). Reload the page.`,
        );
      return { folder: this.options.folder, version: this.options.version };
    },

    listFolder: async ({ path: p }) => {
      const dir = this.resolve(p ?? '.');
      return { path: dir, entries: await listEntries(dir) };
    },

    samples: async () => (await listEntries(this.options.samplesFolder)).filter((e) => e.kind === 'notebook'),

    recent: async () => {
      const recent = await this.options.store.recent();
      const existing = await Promise.all(
        recent.map((p) =>
          fs.stat(p).then(
            () => p,
            () => undefined,
          ),
        ),
      );
      return existing
        .filter((p): p is string => p !== undefined)
        .map((p) => ({ name: path.basename(p), path: p, kind: 'notebook' as const }));
    },

    open: async ({ path: p, restore }, connection) => {
      const file = this.resolve(p);
      if (this.isShippedSample(file)) return this.openSampleCopy(file, connection);
      // One session per file: a second window shares it rather than overwriting its saves.
      const live = this.openAt(file);
      if (live && !restore) {
        this.attach(live, connection);
        return { notebook: live.wire() };
      }
      const recovery = await this.options.store.readRecovery(file);
      // Restoring needs only the recovered text, even when the file itself no longer parses.
      const restoring = restore && recovery !== undefined;
      const diskText = restoring ? undefined : await readNotebookText(file);
      const document = restoring
        ? new NotebookDocument(parseNotebook(recovery.text, `${file} (recovered edits)`), true)
        : new NotebookDocument(parseNotebook(diskText!, file));
      if (recovery && recovery.text === diskText) await this.options.store.dropRecovery(file);
      if (live) {
        this.sessions.delete(live.id);
        await live.close();
      }
      const session = await this.openSession(file, document, connection);
      session.stamp = await fileStamp(file);
      const result: OpenResult = { notebook: session.wire() };
      if (!restore && recovery && recovery.text !== diskText) result.recovery = { savedAt: recovery.savedAt };
      return result;
    },

    create: async ({ folder, name }, connection) => {
      const dir = this.resolve(folder ?? '.');
      // Like Jupyter: a new notebook starts with one empty cell to type into.
      const notebook = createNotebook([newCodeCell('')]);
      const text = serializeNotebook(notebook);
      const file =
        name === undefined
          ? await createUnder(dir, 'Untitled', '.ipynb', text)
          : await createNamed(this.notebookPath(name, dir, 'New notebook'), text);
      return { notebook: (await this.openSession(file, new NotebookDocument(notebook), connection)).wire() };
    },

    attach: async ({ session }, connection) => {
      const s = this.session(session);
      this.attach(s, connection);
      return s.wire();
    },

    close: async ({ session }, connection) => {
      const s = this.session(session);
      connection.sessions.delete(s.id);
      // Leaving is per window: the notebook, its kernel and its edits stay while another window has it.
      if (this.attached(s.id)) return null;
      this.sessions.delete(s.id);
      await s.close();
      return null;
    },

    edit: async ({ session, client, seq, edits }) => {
      this.session(session).edit(client, seq, edits);
      return null;
    },

    save: async ({ session, overwrite }) => {
      const s = this.session(session);
      this.refuseSample(s.path);
      await s.save(s.path, overwrite);
      return { path: s.path, name: s.name };
    },

    saveAs: async ({ session, path: p, overwrite }) => {
      const s = this.session(session);
      const target = this.notebookPath(p, this.options.folder, 'Save As');
      this.refuseSample(target);
      if (target === s.path) {
        await s.save(target, overwrite);
        return { path: s.path, name: s.name };
      }
      // One session per path: two would overwrite each other's saves.
      if (this.openAt(target))
        throw new Error(`${target} is open in another window. Close it there first, or choose another name.`);
      if (!overwrite && (await fileStamp(target)))
        throw new OverwriteError(`${target} already exists. Saving replaces it with this notebook.`);
      await s.save(target, true);
      return { path: s.path, name: s.name };
    },

    discardRecovery: async ({ session }) => {
      await this.options.store.dropRecovery(this.session(session).path);
      return null;
    },

    execute: async ({ session, cells, typeErrors }) => {
      this.session(session).execute(cells, typeErrors);
      return null;
    },

    interrupt: async ({ session }) => {
      await this.session(session).interrupt();
      return null;
    },

    restart: async ({ session }) => this.session(session).restart(),

    query: async ({ session, query, params }) => {
      const asked = checked(KERNEL_QUERIES[query].params, params, query, 'the parameters');
      return (await this.session(session).client()).query(query, asked);
    },

    exportHtml: async ({ session }) => {
      const s = this.session(session);
      const name = s.name.replace(/\.ipynb$/i, '');
      return { html: notebookToHtml(s.document.notebook, name), name: `${name}.html` };
    },

    widget: async ({ session, widgetId, method, params }) =>
      this.session(session).widget(widgetId, method, params),
  };
}

/** Files DuckDB reads by their name, compressed or not. */
const DATA_FILE = /\.(csv|tsv|parquet|json|jsonl|ndjson)(\.gz)?$/i;

const entryKind = (e: Dirent): FolderEntry['kind'] | undefined =>
  e.isDirectory()
    ? 'folder'
    : e.name.endsWith('.ipynb')
      ? 'notebook'
      : DATA_FILE.test(e.name)
        ? 'data'
        : undefined;
const KIND_ORDER: FolderEntry['kind'][] = ['folder', 'notebook', 'data'];

/** Folders, then notebooks, then data files, each by name; hidden files and node_modules left out. */
async function listEntries(dir: string): Promise<FolderEntry[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new Error(
      `Cannot list ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : String(e)}.`,
      { cause: e },
    );
  }
  return entries
    .flatMap((e) => {
      const kind = entryKind(e);
      return kind && !e.name.startsWith('.') && e.name !== 'node_modules'
        ? [{ name: e.name, path: path.join(dir, e.name), kind }]
        : [];
    })
    .sort((a, b) =>
      a.kind === b.kind
        ? a.name.localeCompare(b.name)
        : KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
    );
}

function within(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Creates `file` holding `text`, refusing to replace one that exists. */
async function createNamed(file: string, text: string): Promise<string> {
  try {
    await fs.writeFile(file, text, { flag: 'wx' });
    return file;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new Error(`${file} already exists. Choose another name, or open it from the file list.`, {
        cause: e,
      });
    if (code === 'ENOENT') throw new Error(`Cannot create ${file}: its folder does not exist.`, { cause: e });
    throw e;
  }
}

/** Writes `text` to the first free name stem.ext, stem-1.ext, …; exclusive, so two windows never take the same one. */
async function createUnder(dir: string, stem: string, ext: string, text: string): Promise<string> {
  for (let n = 0; ; n++) {
    const file = path.join(dir, `${stem}${n ? `-${n}` : ''}${ext}`);
    try {
      await fs.writeFile(file, text, { flag: 'wx' });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
