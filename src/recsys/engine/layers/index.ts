/** The training engine's layers: TensorFlow.js variables with taped gradients, no backward pass written out. */
export { Params, type Init } from './params';
export { Dense, DenseStack, type Activation } from './dense';
export { Embedding } from './embedding';
export { LayerNorm } from './layer-norm';
export { dropout, type Mode } from './dropout';
export { PositionalEmbedding } from './positional-embedding';
export { MultiHeadAttention, causalMask, paddingMask, type AttentionResult } from './attention';
export { TransformerBlock } from './transformer-block';
export { Gru } from './gru';
export { Augru } from './augru';
export { Dice } from './dice';
