/**
 * The kernel process. Started by {@link KernelClient} with an IPC channel; everything it
 * says goes through that channel as {@link KernelOutbound} messages.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelInbound, KernelInfo, KernelOutbound, KernelRequest, ReplyPayload } from '../api';
import { Database } from '../data';
import { Kernel } from './kernel';
import { initTensorFlow } from './tf-backend';
import { loadTypeScript } from './transpile';
import { loadECharts } from '../charts';

// Bound once at start: cells run in this global scope, and the channel must not depend on
// what they do to it.
const channel = process;
const send = (message: KernelOutbound) => channel.send?.(message);

async function main(): Promise<void> {
  const [backend, db] = await Promise.all([initTensorFlow(), Database.open()]);
  const info: KernelInfo = {
    ...backend,
    tfjsVersion: tf.version.tfjs,
    duckdbVersion: Database.version,
    nodeVersion: process.version,
    pid: process.pid,
  };
  const kernel = new Kernel(send, db, process.cwd());

  // Cells run one after another; pages and info are answered while a cell runs.
  let queue: Promise<void> = Promise.resolve();
  const answer = async <K extends keyof ReplyPayload>(
    request: KernelRequest & { type: K },
    work: () => Promise<ReplyPayload[K]> | ReplyPayload[K],
  ) => {
    try {
      const result = await work();
      send({ type: 'reply', id: request.id, request: request.type, ok: true, result } as KernelOutbound);
    } catch (e) {
      send({
        type: 'reply',
        id: request.id,
        request: request.type,
        ok: false,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  };

  channel.on('message', (message: KernelInbound) => {
    switch (message.type) {
      case 'interrupt':
        kernel.interrupt(message.target);
        break;
      case 'info':
        void answer(message, () => info);
        break;
      case 'catalog':
        void answer(message, () => kernel.catalog());
        break;
      case 'widget':
        void answer(message, () => kernel.widgets.call(message.widgetId, message.method, message.params));
        break;
      case 'releaseWidgets':
        void answer(message, () => kernel.widgets.release(message.widgetIds));
        break;
      case 'page':
        void answer(message, () =>
          kernel.tables.page(message.tableId, message.offset, message.limit, message.sort),
        );
        break;
      case 'columnSummary':
        void answer(message, () =>
          kernel.tables.columnSummary(message.tableId, message.column, message.bins),
        );
        break;
      case 'execute':
        queue = queue.then(async () => {
          send({ type: 'status', state: 'busy' });
          await answer(message, () => kernel.execute(message.id, message.code, message.kind));
          send({ type: 'status', state: 'idle' });
        });
        break;
    }
  });
  // Errors from callbacks that outlive their cell (timers, listeners) are shown, not fatal.
  channel.on('uncaughtException', (e) => console.error('Uncaught error after the cell finished:', e));
  channel.on('unhandledRejection', (e) => console.error('Unhandled promise rejection:', e));
  channel.on('disconnect', () => channel.exit(0));
  send({ type: 'ready', info });
  // Load what the first cell and the first chart will need, now that the kernel answers.
  setTimeout(() => {
    loadTypeScript();
    loadECharts();
  }, 0);
}

main().catch((e) => {
  process.stderr.write(`The kernel could not start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
