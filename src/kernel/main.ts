/**
 * The kernel process. Started by {@link KernelClient} with an IPC channel; everything it
 * says goes through that channel as {@link KernelOutbound} messages.
 */
import * as tf from '@tensorflow/tfjs';
import {
  PROTOCOL_VERSION,
  type KernelInbound,
  type KernelInfo,
  type KernelOutbound,
  type KernelQueryName,
  type QueryParams,
  type QueryResult,
} from '../api';
import { Database } from '../data';
import { Kernel } from './kernel';
import { initTensorFlow } from '../tf-backend';
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

  // What the kernel answers besides cells: one handler per query of the contract.
  const queries: {
    [Q in KernelQueryName]: (params: QueryParams<Q>) => Promise<QueryResult<Q>> | QueryResult<Q>;
  } = {
    info: () => info,
    catalog: () => kernel.catalog(),
    page: (p) => kernel.tables.page(p.tableId, p.offset, p.limit, p.sort),
    columnSummary: (p) => kernel.tables.columnSummary(p.tableId, p.column, p.bins),
    widget: (p) => kernel.widgets.call(p.widgetId, p.method, p.params),
    releaseWidgets: (p) => kernel.widgets.release(p.widgetIds),
    variables: () => kernel.listVariables(),
    displayVariable: (p) => kernel.displayVariable(p.name),
  };
  const answer = async (id: number, work: () => unknown) => {
    try {
      send({ type: 'reply', id, ok: true, result: await work() });
    } catch (e) {
      send({ type: 'reply', id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const ask = <Q extends KernelQueryName>(query: Q, params: QueryParams<Q>) => queries[query](params);

  // Cells run one after another; queries are answered while a cell runs.
  let queue: Promise<void> = Promise.resolve();
  channel.on('message', (message: KernelInbound) => {
    switch (message.type) {
      case 'interrupt':
        kernel.interrupt(message.target);
        break;
      case 'query':
        void answer(message.id, () => ask(message.query, message.params));
        break;
      case 'execute':
        queue = queue.then(async () => {
          send({ type: 'status', state: 'busy' });
          await answer(message.id, () => kernel.execute(message.id, message.code, message.kind));
          send({ type: 'status', state: 'idle' });
        });
        break;
    }
  });
  // Errors from callbacks that outlive their cell (timers, listeners) are shown, not fatal.
  channel.on('uncaughtException', (e) => console.error('Uncaught error after the cell finished:', e));
  channel.on('unhandledRejection', (e) => console.error('Unhandled promise rejection:', e));
  channel.on('disconnect', () => channel.exit(0));
  send({ type: 'ready', protocol: PROTOCOL_VERSION, info });
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
