import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  ExecuteReplySchema,
  KERNEL_QUERIES,
  KernelOutboundSchema,
  PROTOCOL_VERSION,
  checked,
  firstProblem,
  type CodeCellKind,
  type ExecuteReply,
  type KernelInbound,
  type KernelInfo,
  type KernelOutbound,
  type KernelQueryName,
  type KernelRequest,
  type QueryParams,
  type QueryResult,
} from '../api';
import type { MimeBundle, Output, OutputCollector } from '../notebook';

export interface KernelOptions {
  /** The kernel's working folder: the notebook's folder. */
  cwd?: string;
  /** A TensorFlow.js backend to try first (see RECLAB_TF_BACKEND). */
  backend?: string;
  /** How long an interrupted cell may take to stop before the kernel is restarted. */
  interruptGraceMs?: number;
  /** The kernel entry script; the TypeScript source unless a build provides one. */
  entry?: string;
}

export interface ExecuteHandlers {
  onOutput?(output: Output, displayId?: string): void;
  onUpdateDisplay?(displayId: string, data: MimeBundle): void;
}

export type KernelState = 'starting' | 'idle' | 'busy' | 'dead';

/** Rejects requests of a kernel that died; says how it died and what it printed last. */
export class KernelDiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelDied';
  }
}

interface Pending {
  /** The request in words, for a reply that does not fit. */
  what: string;
  /** What the reply's result must fit. */
  result: TSchema;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

// Not named `require`: bundlers for the desktop app declare one of their own.
const requireHere = createRequire(import.meta.url);
const STARTUP_TIMEOUT_MS = 60_000;
/**
 * Every message a kernel sends is checked, a printed line as much as a 100,000-point map:
 * compiled, the check costs a twentieth of the interpreted one (1.7 against 23.5 ms for such
 * a map, 0.06 against 1.6 µs a line), on the server's event loop.
 */
const OUTBOUND = TypeCompiler.Compile(KernelOutboundSchema);
/** RecLab's own compiler settings, for running its TypeScript source through tsx. */
const RECLAB_TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
const LOG_LINES = 20;

/**
 * Drives one kernel process. Emits `state` (KernelState), `died` (KernelDiedError) and
 * `restarted` (KernelInfo).
 */
export class KernelClient extends EventEmitter {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<number, ExecuteHandlers>();
  private readonly executions = new Map<number, Promise<ExecuteReply>>();
  private lastExecution = 0;
  private log: string[] = [];
  private stateValue: KernelState = 'starting';
  private infoValue: KernelInfo | undefined;
  private interrupting: Promise<void> | undefined;
  private restarting: Promise<KernelInfo> | undefined;
  /** Why the kernel is being stopped, when this side stopped it for a reason the user should read. */
  private stopReason: string | undefined;

  private constructor(private readonly options: KernelOptions) {
    super();
  }

  static async start(options: KernelOptions = {}): Promise<KernelClient> {
    const client = new KernelClient(options);
    await client.spawn();
    return client;
  }

  get state(): KernelState {
    return this.stateValue;
  }

  /** What the kernel reported when it started: backend, device, versions, pid. */
  get info(): KernelInfo {
    if (!this.infoValue) throw new Error('The kernel has not started.');
    return this.infoValue;
  }

  execute(
    code: string,
    kind: CodeCellKind = 'typescript',
    handlers: ExecuteHandlers = {},
  ): Promise<ExecuteReply> {
    const id = this.nextId++;
    this.handlers.set(id, handlers);
    const execution = (
      this.request(
        { type: 'execute', id, code, kind },
        'running a cell',
        ExecuteReplySchema,
      ) as Promise<ExecuteReply>
    ).finally(() => {
      this.executions.delete(id);
    });
    this.executions.set(id, execution);
    return execution;
  }

  /**
   * Runs a cell and gathers its outputs into `collector` the way a notebook stores them
   * (streams merged, displays updated in place); `onChange` hears of each change.
   */
  executeInto(
    code: string,
    kind: CodeCellKind,
    collector: OutputCollector,
    onChange?: () => void,
  ): Promise<ExecuteReply> {
    return this.execute(code, kind, {
      onOutput: (output, displayId) => {
        collector.add(output, displayId);
        onChange?.();
      },
      onUpdateDisplay: (displayId, data) => {
        if (collector.update(displayId, { output_type: 'display_data', data, metadata: {} })) onChange?.();
      },
    });
  }

  /** Asks the kernel one of the contract's queries; its answer is checked against the query's result schema. */
  query<Q extends KernelQueryName>(query: Q, params: QueryParams<Q>): Promise<QueryResult<Q>> {
    const request = { type: 'query', id: this.nextId++, query, params } as KernelRequest;
    return this.request(request, `the ${query} query`, KERNEL_QUERIES[query].result) as Promise<
      QueryResult<Q>
    >;
  }

  /**
   * Interrupts the running cell. A cell stuck in synchronous code cannot see the
   * interrupt; after the grace period the kernel is restarted and the cell reports so.
   * A second call while one is under way waits for the same outcome.
   */
  interrupt(): Promise<void> {
    this.interrupting ??= this.interruptOnce().finally(() => (this.interrupting = undefined));
    return this.interrupting;
  }

  private async interruptOnce(): Promise<void> {
    // Executions run in the order they were sent: the oldest unfinished one is running, or
    // about to start.
    const target = this.oldestExecution();
    const execution = target === undefined ? undefined : this.executions.get(target);
    if (target === undefined || !execution || !this.child) return;
    this.post({ type: 'interrupt', target });
    const grace = this.options.interruptGraceMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      execution.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), grace))),
    ]);
    clearTimeout(timer);
    if (stopped) return;
    const seconds = (grace / 1000).toFixed(grace % 1000 ? 1 : 0);
    const pending = this.pending.get(target);
    this.handlers.get(target)?.onOutput?.({
      output_type: 'error',
      ename: 'KernelRestarted',
      evalue:
        `The cell did not stop within ${seconds} s of the interrupt (it is busy in code that never awaits), ` +
        'so the kernel was restarted. Variables from earlier cells are gone: run them again.',
      traceback: [],
    });
    this.pending.delete(target);
    try {
      await this.restart();
    } finally {
      pending?.resolve({ status: 'interrupted', executionCount: 0, durationMs: 0 } satisfies ExecuteReply);
    }
  }

  /** Stops the kernel and starts a fresh one with a clean context; concurrent calls share one restart. */
  restart(): Promise<KernelInfo> {
    this.restarting ??= (async () => {
      this.stop(new KernelDiedError('The kernel was restarted.'));
      await this.spawn();
      this.emit('restarted', this.info);
      return this.info;
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  async shutdown(): Promise<void> {
    this.stop(new KernelDiedError('The kernel was shut down.'));
    this.setState('dead');
  }

  private stop(reason: KernelDiedError): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
    this.failPending(reason);
  }

  private request(message: KernelRequest, what: string, result: TSchema): Promise<unknown> {
    if (!this.child || this.stateValue === 'dead') {
      return Promise.reject(new KernelDiedError('The kernel is not running. Restart it to run cells again.'));
    }
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { what, result, resolve, reject });
      this.post(message);
    });
  }

  private post(message: KernelInbound): void {
    this.child?.send(message);
  }

  private setState(state: KernelState): void {
    this.stateValue = state;
    this.emit('state', state);
  }

  private spawn(): Promise<void> {
    const entry = this.options.entry ?? fileURLToPath(new URL('../kernel/main.ts', import.meta.url));
    const env = { ...process.env };
    if (this.options.backend) env.RECLAB_TF_BACKEND = this.options.backend;
    // tsx would otherwise honour a tsconfig.json in the notebook's folder, whose `paths` could
    // swap a module the kernel loads for a script of that folder's: opening must run no code.
    if (entry.endsWith('.ts')) env.TSX_TSCONFIG_PATH = RECLAB_TSCONFIG;
    this.log = [];
    const child = fork(entry, [], {
      cwd: this.options.cwd ?? process.cwd(),
      env,
      execArgv: entry.endsWith('.ts') ? ['--import', pathToFileURL(requireHere.resolve('tsx')).href] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.setState('starting');
    const keepLog = (chunk: Buffer) => {
      this.log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.log = this.log.slice(-LOG_LINES);
    };
    child.stdout?.on('data', keepLog);
    child.stderr?.on('data', keepLog);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new KernelDiedError(
            `The kernel did not start within ${STARTUP_TIMEOUT_MS / 1000} s.${this.lastLog()}`,
          ),
        );
      }, STARTUP_TIMEOUT_MS);
      child.on('message', (raw: unknown) => {
        // A cell can write to this channel too (process.send): what does not fit the contract stops this kernel only.
        if (!OUTBOUND.Check(raw))
          return this.breakContract(child, firstProblem(KernelOutboundSchema, raw) ?? 'an unknown shape');
        const message = raw;
        if (message.type !== 'ready') return this.receive(message);
        if (message.protocol !== PROTOCOL_VERSION)
          return this.breakContract(
            child,
            `it speaks protocol ${message.protocol} and this server ${PROTOCOL_VERSION}; reinstall RecLab`,
          );
        clearTimeout(timer);
        this.infoValue = message.info;
        this.setState('idle');
        resolve();
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        // Stopped on purpose (restart, shutdown): only a start still under way is told.
        if (this.child !== child)
          return reject(new KernelDiedError('The kernel was stopped before it was ready.'));
        this.child = undefined;
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const why = this.stopReason ?? `${how}${signal === 'SIGKILL' ? ', perhaps out of memory' : ''}`;
        this.stopReason = undefined;
        const error = new KernelDiedError(
          `The kernel process ${why}. Its variables are lost; restart the kernel to go on.${this.lastLog()}`,
        );
        this.setState('dead');
        this.failPending(error);
        this.emit('died', error);
        reject(error);
      });
    });
  }

  /** Stops a kernel that sent what the contract does not allow, and says so when it exits. */
  private breakContract(child: ChildProcess, problem: string): void {
    if (this.child !== child) return;
    this.stopReason =
      `was stopped because it sent a message outside RecLab's kernel contract (${problem}); ` +
      'a cell may have called process.send';
    child.kill('SIGKILL');
  }

  private lastLog(): string {
    return this.log.length ? `\nLast output of the kernel process:\n${this.log.join('\n')}` : '';
  }

  private failPending(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private receive(message: KernelOutbound): void {
    switch (message.type) {
      case 'status':
        if (message.state === 'busy') {
          this.lastExecution = this.oldestExecution() ?? this.lastExecution;
        }
        this.setState(message.state);
        break;
      case 'output':
        this.handlerFor(message.execId)?.onOutput?.(message.output, message.displayId);
        break;
      case 'update_display':
        this.handlerFor(message.execId)?.onUpdateDisplay?.(message.displayId, message.data);
        break;
      case 'reply': {
        const p = this.pending.get(message.id);
        if (!p) return;
        this.pending.delete(message.id);
        if (!message.ok) return p.reject(new Error(message.error));
        try {
          p.resolve(checked(p.result, message.result, `The kernel's answer to ${p.what}`));
        } catch (e) {
          p.reject(e as Error);
        }
        break;
      }
    }
  }

  private oldestExecution(): number | undefined {
    return this.executions.keys().next().value;
  }

  private handlerFor(execId: number): ExecuteHandlers | undefined {
    // Drop handlers of executions that can no longer produce output.
    for (const id of this.handlers.keys())
      if (id < this.lastExecution && id !== execId) this.handlers.delete(id);
    return this.handlers.get(execId);
  }
}
