import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DROPOUT_MASK, dropoutMask, initTensorFlow } from '../src/tf-backend';
import { onWasmAndCpu } from './helpers/wasm-kernels';

describe('the dropout mask kernel', () => {
  it('draws the same mask from a seed on wasm (four lanes at a time, then the rest) and on cpu', async () => {
    await initTensorFlow('wasm');
    expect(tf.getKernel(DROPOUT_MASK, 'wasm')).toBeDefined();
    const [onWasm, onCpu] = await onWasmAndCpu(() => [
      dropoutMask([1], 0.5, 3),
      dropoutMask([7], 0.5, 3),
      dropoutMask([3, 5, 11], 0.2, 12345),
      dropoutMask([4096], 0.9, 2 ** 31 - 1),
    ]);
    expect(onWasm).toEqual(onCpu);
  });

  it('drops about `rate` of the values, scales the rest by 1 / (1 − rate) and differs by seed', async () => {
    await initTensorFlow('wasm');
    for (const rate of [0.1, 0.5, 0.8]) {
      const mask = dropoutMask([200, 500], rate, 7).dataSync();
      const dropped = mask.filter((v) => v === 0).length / mask.length;
      expect(Math.abs(dropped - rate)).toBeLessThan(0.01);
      expect(new Set(mask.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / (1 - rate))]));
      // Neighbouring lanes are not copies of one another.
      const lanes = [0, 1, 2, 3].map((l) => mask.filter((_, i) => i % 4 === l).join());
      expect(new Set(lanes).size).toBe(4);
      expect(dropoutMask([200, 500], rate, 8).dataSync()).not.toEqual(mask);
    }
  });
});
