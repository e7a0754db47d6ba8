import type { Dataset } from '../../data/dataset';
import { Model } from '../../model';
import type { ModelState } from '../../store';
import type { TrainingContext } from '../../engine/training';
import type { SettingsSchema } from '../../engine/settings';

export interface MostPopularConfig {
  /** Count each user once per item (true) or sum the interaction values. */
  distinctUsers: boolean;
}

const SCHEMA: SettingsSchema<MostPopularConfig> = {
  distinctUsers: { type: 'boolean', default: true },
};

/** Recommends the items with the most interactions in training: the baseline every model must beat. */
export class MostPopular extends Model<MostPopularConfig> {
  private counts: Float32Array = new Float32Array(0);

  constructor(config: Partial<MostPopularConfig> = {}) {
    super('MostPopular', SCHEMA, config);
  }

  /**
   * A MostPopular fitted on `train` at once, without a progress bar: counting needs no
   * epochs, and a pipeline builds its default fallback this way in a synchronous constructor.
   */
  static fitted(train: Dataset, config: Partial<MostPopularConfig> = {}): MostPopular {
    const model = new MostPopular(config);
    model.adopt(train, { config: { ...model.config }, arrays: { counts: popularity(train, model.config) } });
    return model;
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    this.counts = popularity(train, this.config);
    await ctx.step();
  }

  protected scoreUser(_u: number, out: Float32Array): void {
    out.set(this.counts);
  }

  protected override reason(_u: number, item: number): string {
    return `popular: ${this.counts[item]} ${this.config.distinctUsers ? 'users' : 'in total'}`;
  }

  protected state(): ModelState {
    return { config: { ...this.config }, arrays: { counts: this.counts } };
  }

  protected restore(state: ModelState): void {
    this.counts = state.arrays.counts as Float32Array;
  }
}

function popularity(train: Dataset, config: MostPopularConfig): Float32Array {
  if (config.distinctUsers) return Float32Array.from(train.itemCounts());
  const { indptr, data } = train.byItem;
  const counts = new Float32Array(train.numItems);
  for (let i = 0; i < train.numItems; i++)
    for (let p = indptr[i]; p < indptr[i + 1]; p++) counts[i] += data[p];
  return counts;
}
