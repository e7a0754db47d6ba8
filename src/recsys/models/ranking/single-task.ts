/**
 * Settings of the rankers that learn one task (all but MMoE and ESMM): which task, and from
 * which samples — all of them, or only the clicked ones (a CVR model as it is usually
 * trained, which ESMM's entire-space training is measured against).
 */
import { TASKS, type RankingSamples, type Task } from '../../data/ranking-samples';
import type { SettingsSchema } from '../../engine/settings';

export interface SingleTaskSettings {
  task: Task;
  trainOn: 'all' | 'clicked';
}

export const SINGLE_TASK_SCHEMA: SettingsSchema<SingleTaskSettings> = {
  task: { type: 'choice', values: TASKS, default: 'click' },
  trainOn: { type: 'choice', values: ['all', 'clicked'], default: 'all' },
};

/** The rows a single-task model learns from. */
export function singleTaskRows(train: RankingSamples, trainOn: SingleTaskSettings['trainOn']): Int32Array {
  const all = Int32Array.from({ length: train.size }, (_, i) => i);
  return trainOn === 'clicked' ? all.filter((s) => train.labels.click[s] > 0) : all;
}
