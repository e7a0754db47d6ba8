/**
 * MMoE, Multi-gate Mixture-of-Experts (Ma et al., KDD 2018): several tasks (click, cart, buy)
 * learnt at once from one input, [user, candidate, mean of the history], through a set of
 * shared expert MLPs; each task has a softmax gate of its own that mixes the experts for it,
 * then a tower of its own to its logit. Tasks that agree share experts, tasks that conflict
 * can use different ones, which a single shared bottom cannot offer; a rare task (buy)
 * borrows what the frequent ones (click) teach the experts. The loss is the sum over tasks
 * of each task's BCE times its weight in `taskWeights`. A buy is some 1 % of the samples, so
 * its BCE is a small fraction of the click's and barely moves the shared experts at weight 1:
 * by default buy weighs 5 (DEFAULT_TASK_WEIGHTS), which is what lets MMoE's buy task beat a
 * buy model trained alone.
 */
import * as tf from '@tensorflow/tfjs';
import { TASKS, type RankingSamples, type Task } from '../../data/ranking-samples';
import { Dense, DenseStack, dropout, type Mode, type Params } from '../../engine/layers';
import { fitSettings, type SettingsSchema } from '../../engine/settings';
import type { FitOptions, History } from '../../engine/training';
import {
  RANKING_SCHEMA,
  RankingModel,
  meanPool,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';

export interface MMoEConfig extends RankingSettings {
  /** The tasks learnt and predicted, the first being the one validated on. */
  tasks: Task[];
  /** Each task's weight in the loss, in the order of `tasks` (left out: each task's DEFAULT_TASK_WEIGHTS). */
  taskWeights: number[];
  /** How many expert MLPs the tasks share. */
  experts: number;
  /** Width of each expert's output (one ReLU layer). */
  expertUnits: number;
  /** Widths of each task tower's hidden layers. */
  towerLayers: number[];
}

/** A task's weight in the loss when `taskWeights` is not given: the rare buy label is weighed up. */
const DEFAULT_TASK_WEIGHTS: Readonly<Record<Task, number>> = { click: 1, cart: 1, buy: 5 };

const DEFAULT_TASKS: Task[] = ['click', 'cart', 'buy'];

const SCHEMA: SettingsSchema<MMoEConfig> = {
  ...RANKING_SCHEMA,
  tasks: { type: 'choices', values: TASKS, default: DEFAULT_TASKS },
  taskWeights: { type: 'numbers', min: 0, default: DEFAULT_TASKS.map((t) => DEFAULT_TASK_WEIGHTS[t]) },
  experts: { type: 'int', min: 1, default: 4 },
  expertUnits: { type: 'int', min: 1, default: 64 },
  // As wide as an expert's output: the buy tower learns from few positives what the experts offer it.
  towerLayers: { type: 'ints', min: 1, default: [64] },
};

interface Layers {
  experts: DenseStack[];
  gates: Dense[];
  towers: DenseStack[];
}

export class MMoE extends RankingModel<MMoEConfig> {
  private layers: Layers | null = null;

  constructor(config: Partial<MMoEConfig> = {}) {
    super('MMoE', SCHEMA, withWeights(config));
    checkWeights(this.config, 'new rl.MMoE');
  }

  get tasks(): readonly Task[] {
    return this.config.tasks;
  }

  override async fit(train: RankingSamples, options: FitOptions = {}): Promise<History> {
    const given = withWeights(fitSettings(SCHEMA, options, 'MMoE.fit'));
    checkWeights({ ...this.config, ...given }, 'MMoE.fit');
    return super.fit(train, { ...options, ...given });
  }

  protected override taskWeight(task: Task): number {
    return this.config.taskWeights[this.config.tasks.indexOf(task)];
  }

  protected build(params: Params, fields: FieldEmbeddings): void {
    const c = this.config;
    const inputs = 5 * fields.dim;
    this.layers = {
      experts: Array.from(
        { length: c.experts },
        (_, e) => new DenseStack(params, `expert.${e}`, [inputs, c.expertUnits], 'relu', 'relu'),
      ),
      gates: c.tasks.map((t) => new Dense(params, `gate.${t}`, inputs, c.experts)),
      towers: c.tasks.map((t) => new DenseStack(params, `tower.${t}`, [c.expertUnits, ...c.towerLayers, 1])),
    };
  }

  protected outputs(inputs: RankingInputs, mode: Mode): RankingOutputs {
    const { experts, gates, towers } = this.layers!;
    const x = dropout(
      tf.concat([inputs.user, inputs.target, meanPool(inputs)], 1),
      this.config.dropout,
      mode,
    );
    // [batch, experts, units]
    const outs = tf.stack(
      experts.map((e) => e.apply(x)),
      1,
    );
    const logits: Partial<Record<Task, tf.Tensor1D>> = {};
    this.config.tasks.forEach((task, t) => {
      const gate = tf.softmax(gates[t].apply(x) as tf.Tensor2D);
      const mixed = tf.sum(tf.mul(outs, gate.expandDims(2)), 1);
      logits[task] = towers[t]
        .apply(dropout(mixed, this.config.dropout, mode))
        .reshape([inputs.size]) as tf.Tensor1D;
    });
    return { logits };
  }
}

/** Settings given `tasks` but no `taskWeights` weigh each task by its DEFAULT_TASK_WEIGHTS. */
function withWeights<C extends Partial<MMoEConfig>>(given: C): C {
  return Array.isArray(given.tasks) && given.taskWeights === undefined
    ? {
        ...given,
        // A task that is not one (a typo) is refused by the settings check after this.
        taskWeights: given.tasks.map((t) => DEFAULT_TASK_WEIGHTS[t] ?? 1),
      }
    : given;
}

function checkWeights(config: Pick<MMoEConfig, 'tasks' | 'taskWeights'>, where: string): void {
  const { tasks, taskWeights } = config;
  if (taskWeights.length !== tasks.length) {
    throw new Error(
      `${where}: taskWeights must have one weight per task (${tasks.length}: ${tasks.join(', ')}), ` +
        `got [${taskWeights.join(', ')}].`,
    );
  }
}
