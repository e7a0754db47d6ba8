import { afterAll, beforeAll } from 'vitest';
import type { CodeCellKind, ExecuteReply } from '../../src/api';
import { KernelClient } from '../../src/kernel-client';
import { OutputCollector, joinText, type MimeBundle, type Output } from '../../src/notebook';

export interface CellRun {
  reply: ExecuteReply;
  outputs: Output[];
  /** Every bundle a display showed, in order, before the collector replaced it. */
  updates: MimeBundle[];
  /** All text/plain and stream text, joined. */
  text: string;
}

/** Runs a cell and collects its outputs the way a notebook stores them. */
export async function run(
  kernel: KernelClient,
  code: string,
  kind: CodeCellKind = 'typescript',
  onOutput?: (o: Output) => void,
): Promise<CellRun> {
  const collector = new OutputCollector([]);
  const updates: MimeBundle[] = [];
  const reply = await kernel.execute(code, kind, {
    onOutput: (o, id) => {
      collector.add(o, id);
      onOutput?.(o);
    },
    onUpdateDisplay: (id, data) => {
      updates.push(data);
      collector.update(id, { output_type: 'display_data', data, metadata: {} });
    },
  });
  return { reply, outputs: collector.outputs, updates, text: outputText(collector.outputs) };
}

export function outputText(outputs: Output[]): string {
  return outputs
    .map((o) => {
      if (o.output_type === 'stream') return joinText(o.text);
      if (o.output_type === 'error') return `${o.ename}: ${o.evalue}\n${o.traceback.join('\n')}`;
      if (o.output_type === 'display_data' || o.output_type === 'execute_result')
        return String(o.data['text/plain'] ?? '');
      return '';
    })
    .join('\n');
}

type KernelTestOptions = { backend?: string; cwd?: string; interruptGraceMs?: number };

export function startKernel(options: KernelTestOptions = {}): Promise<KernelClient> {
  return KernelClient.start({ backend: 'wasm', ...options });
}

/** One kernel for the tests of a describe block: started before them (handed to `use`), shut down after. */
export function suiteKernel(use: (kernel: KernelClient) => void, options: KernelTestOptions = {}): void {
  let kernel: KernelClient | undefined;
  beforeAll(async () => use((kernel = await startKernel(options))));
  afterAll(() => kernel?.shutdown());
}

/**
 * Starts a cell that prints a line and then runs `code`; resolves `started` once that line
 * arrives, so a test interrupts the cell while it runs, not before it begins.
 */
export function runStarted(
  kernel: KernelClient,
  code: string,
): { result: Promise<CellRun>; started: Promise<void> } {
  let started!: () => void;
  const begun = new Promise<void>((resolve) => (started = resolve));
  const result = run(kernel, `console.log('started');\n${code}`, 'typescript', () => started());
  return { result, started: begun };
}
