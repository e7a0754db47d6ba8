/**
 * The rankers that learn one task (all but MMoE and ESMM): which task, and from which
 * samples — all of them, or only the clicked ones (a CVR model as it is usually trained,
 * which ESMM's entire-space training is measured against).
 */
import { TASKS, type RankingSamples, type Task } from '../../data/ranking-samples';
import type { SettingsSchema } from '../../engine/settings';
import { RankingModel, type RankingSettings } from './ranking-model';

export interface SingleTaskSettings {
  task: Task;
  trainOn: 'all' | 'clicked';
}

export const SINGLE_TASK_SCHEMA: SettingsSchema<SingleTaskSettings> = {
  task: { type: 'choice', values: TASKS, default: 'click' },
  trainOn: { type: 'choice', values: ['all', 'clicked'], default: 'all' },
};

export abstract class SingleTaskModel<
  C extends RankingSettings & SingleTaskSettings,
> extends RankingModel<C> {
  get tasks(): readonly Task[] {
    return [this.config.task];
  }

  protected override trainingRows(train: RankingSamples): Int32Array {
    const all = super.trainingRows(train);
    return this.config.trainOn === 'clicked' ? all.filter((s) => train.labels.click[s] > 0) : all;
  }
}
