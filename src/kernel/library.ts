/**
 * The RecLab library as cells see it: the global `rl`, and `import * as rl from 'reclab'`.
 */
import { Table } from '../data';
import { Chart, chart } from '../charts';

export const library = { Table, Chart, chart } as const;
export type Library = typeof library;
