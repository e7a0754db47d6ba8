/**
 * Views the kernel makes of the library's data and models: the embedding projector and the
 * top-10 widget. Cells see them as `rl.charts.embeddings`, `rl.EmbeddingMap`, `rl.widgets` and
 * `rl.RecommendWidget` (src/kernel/library.ts). They use the recommender library; it never uses them.
 */
export { RecommendWidget, widgets } from './recommend-widget';
export type { RecommendWidgetOptions } from './recommend-widget';
export { embeddings } from './map-embeddings';
export type { EmbeddingsInput, EmbeddingsOptions } from './map-embeddings';
export { EmbeddingMap } from './embedding-map';
export type { PointColours } from './embedding-map';
