/**
 * The RecLab library as cells see it: the global `rl`, and `import * as rl from 'reclab'`.
 */
import { DataFileError, Table, importMovieLens, importTaobao, readDataFile } from '../data';
import { Chart, chart, charts } from '../charts';
import * as recsys from '../recsys';

export const library = { ...recsys, Table, Chart, chart, charts: { ...charts, embeddings: recsys.embeddings }, importMovieLens, importTaobao, readDataFile, DataFileError } as const;
export type Library = typeof library;
