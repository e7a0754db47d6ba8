/**
 * The one training loop of every neural model: epochs of steps, the loss summed on the
 * device and read once an epoch, a validation metric per epoch, early stopping that
 * restores the best epoch's weights, the progress bar and live curves (through the fit's
 * TrainingContext), interrupt between steps, and a clear stop when the loss turns NaN.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './layers/params';
import type { Optimizer } from './optimizer';
import { show, type TrainingContext } from './training';

export interface EarlyStopping {
  /** The validation metric watched (higher is better), a key of what `validate` returns. */
  metric: string;
  /** Epochs without a better value before the fit stops. */
  patience: number;
}

export interface TrainingPlan {
  epochs: number;
  stepsPerEpoch: number;
  /** Called before each epoch (shuffles the samples). */
  startEpoch(epoch: number): void;
  /** Takes step `s` of the epoch (builds its batch, updates the weights) and returns its loss, left on the device. */
  step(s: number): tf.Scalar;
  /** Metrics on held-out data after each epoch (validation HitRate, NDCG, …). */
  validate?(): Promise<Record<string, number>>;
  earlyStopping?: EarlyStopping;
  /** The weights early stopping snapshots and restores. */
  params?: Params;
}

export interface TrainingOutcome {
  epochs: number;
  /** The epoch whose weights the model keeps (the last, unless early stopping restored a better one). */
  bestEpoch: number;
  best: number | null;
}

/**
 * A step that differentiates `loss` with respect to every weight of `params` (TensorFlow.js's tape) and lets
 * `optimizer` take it.
 */
export function tapedStep(params: Params, optimizer: Optimizer, loss: () => tf.Scalar): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const variables = params.variables;
      const { value, grads } = tf.variableGrads(loss, variables);
      optimizer.apply(variables.map((v) => grads[v.name]));
      return value;
    });
}

export async function runTraining(ctx: TrainingContext, plan: TrainingPlan): Promise<TrainingOutcome> {
  const stop = plan.earlyStopping;
  let best: number | null = null;
  let bestEpoch = 0;
  let snapshot: tf.Tensor[] | null = null;
  let epoch = 0;
  ctx.begin(plan.epochs, `${ctx.model} epochs`);
  try {
    for (; epoch < plan.epochs; epoch++) {
      plan.startEpoch(epoch);
      let lossSum: tf.Scalar = tf.scalar(0);
      let loss: number;
      try {
        for (let s = 0; s < plan.stepsPerEpoch; s++) {
          const stepLoss = plan.step(s);
          const next = tf.add(lossSum, stepLoss) as tf.Scalar;
          tf.dispose([lossSum, stepLoss]);
          lossSum = next;
          await ctx.pause();
        }
        loss = (await lossSum.data())[0] / Math.max(1, plan.stepsPerEpoch);
      } finally {
        // Also when a step throws or the fit is interrupted.
        lossSum.dispose();
      }
      if (!Number.isFinite(loss)) {
        throw new Error(
          `${ctx.model}: the loss became ${loss} in epoch ${ctx.epochs + 1}; training diverged. ` +
            'Fit again with a lower learningRate (or clipNorm).',
        );
      }
      const metrics = plan.validate ? await plan.validate() : {};
      await ctx.epoch(loss, metrics);
      if (stop) {
        const value = metrics[stop.metric];
        if (value === undefined)
          throw new Error(
            `${ctx.model}: early stopping watches "${stop.metric}", which validation does not report ` +
              `(it reports ${Object.keys(metrics).join(', ')}).`,
          );
        if (best === null || value > best) {
          best = value;
          bestEpoch = ctx.epochs;
          if (plan.params) {
            tf.dispose(snapshot ?? []);
            snapshot = plan.params.snapshot();
          }
        } else if (ctx.epochs - bestEpoch >= stop.patience) {
          epoch++;
          break;
        }
      }
    }
    if (snapshot && plan.params && bestEpoch !== ctx.epochs) {
      plan.params.restore(snapshot);
      show(
        `${ctx.model}: ${stop!.metric} was best after epoch ${bestEpoch} (${best!.toFixed(4)}); ` +
          "the model keeps that epoch's weights.",
      );
    }
  } finally {
    tf.dispose(snapshot ?? []);
  }
  return { epochs: epoch, bestEpoch: stop ? bestEpoch : ctx.epochs, best };
}
