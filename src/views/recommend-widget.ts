/**
 * The top-10 widget: type a user's name, see the user's top 10 from one of the notebook's
 * models, with the user's history beside it. The last list shown is kept in the output as
 * static tables, so the file shows it without RecLab and without a kernel.
 */
import {
  MIME,
  WIDGET,
  escapeHtml,
  formatValue,
  type RecommendOutput,
  type RecommendResult,
  type Widget,
  type WidgetContext,
  type WidgetReply,
  type WidgetSpec,
} from '../api';
import { Table, cellValue, tableHtml, tableText, type ColumnData } from '../data';
import type { JsonValue, MimeBundle } from '../notebook';
import { Model, Pipeline, type Recommender } from '../recsys';

export interface RecommendWidgetOptions {
  /** Item details added to each list, matched by item id (its first column, or `itemColumn`). */
  items?: Table;
  itemColumn?: string;
  /** How many items a list has (default 10). */
  k?: number;
  /** A user whose list is shown at once, and saved with the output. */
  user?: string | number;
}

type Models = Recommender | readonly Recommender[] | Readonly<Record<string, Recommender>>;

/** How many names the autocomplete offers. */
const SUGGESTIONS = 20;
/** History rows carried with a result; the rest is counted. */
const HISTORY_ROWS = 20;

export function recommendWidget(models: Models, options: RecommendWidgetOptions = {}): RecommendWidget {
  return new RecommendWidget(models, options);
}

export class RecommendWidget implements Widget {
  /** Models by the name the selector shows: a variable's name once the kernel has told it. */
  private readonly models = new Map<string, Recommender>();
  private model: string;
  private last: RecommendResult | undefined;
  private readonly details: { column: string; rows: Map<string, number> } | undefined;

  constructor(
    models: Models,
    private readonly options: RecommendWidgetOptions = {},
  ) {
    const given = isRecommender(models)
      ? [models]
      : Array.isArray(models)
        ? models
        : Object.entries(models as Record<string, Recommender>);
    for (const entry of given as (Recommender | [string, Recommender])[]) {
      const [name, model] = Array.isArray(entry) ? entry : [uniqueName(this.models, entry.name), entry];
      if (!isRecommender(model))
        throw new Error(
          `rl.widgets.recommend: "${name}" is not a model; pass models such as new rl.ItemCF() after fit.`,
        );
      if (!model.isFitted)
        throw new Error(
          `rl.widgets.recommend: ${name} is not fitted yet; run its fit first (await model.fit(train)).`,
        );
      this.models.set(name, model);
    }
    if (!this.models.size)
      throw new Error(
        'rl.widgets.recommend: no model given; pass a fitted model, a list of them or { name: model }.',
      );
    this.model = this.models.keys().next().value!;
    this.details = options.items ? indexItems(options.items, options.itemColumn) : undefined;
    if (options.user !== undefined) this.last = this.recommend(String(options.user), this.model);
  }

  [WIDGET](): WidgetSpec {
    return {
      bundle: (widgetId) => this.bundle(widgetId),
      call: (method, params, context) => this.call(method, params, context),
    };
  }

  /** The user's top k from model `modelName` (a name the selector shows). */
  recommend(user: string, modelName = this.model): RecommendResult {
    const model = this.models.get(modelName);
    if (!model)
      throw new Error(
        `No model "${modelName}" in this widget; it has ${[...this.models.keys()].join(', ')}.`,
      );
    if (!model.isFitted) throw new Error(`${modelName} is not fitted yet: run its fit cell first.`);
    const list = model.recommend(user, { k: this.options.k ?? 10 });
    const shown = this.details ? withDetails(list, this.details, this.options.items!) : list;
    const history = list.history;
    return {
      user: list.user,
      model: modelName,
      ...jsonRows(shown, shown.numRows),
      history: { ...jsonRows(history, HISTORY_ROWS), total: history.numRows },
    };
  }

  private call(method: string, params: JsonValue, context: WidgetContext): WidgetReply {
    const p = (params ?? {}) as Record<string, JsonValue>;
    switch (method) {
      case 'models':
        this.adoptVariables(context);
        return { result: { models: [...this.models.keys()], model: this.model } };
      case 'users':
        return { result: this.suggest(String(p.query ?? '')) };
      case 'recommend': {
        this.adoptVariables(context);
        const model = typeof p.model === 'string' ? p.model : this.model;
        this.last = this.recommend(String(p.user ?? '').trim(), model);
        this.model = model;
        return { result: this.last as unknown as JsonValue, changed: true };
      }
      default:
        throw new Error(`The top-10 widget has no method "${method}".`);
    }
  }

  /**
   * Names of the first model's users: the one that is `query` first, then those that start
   * with it (shortest first), then those that contain it.
   */
  private suggest(query: string): string[] {
    const q = query.trim().toLowerCase();
    const names = this.models.get(this.model)!.train.userNames;
    const starts: string[] = [];
    const contains: string[] = [];
    for (const name of names) {
      const lower = name.toLowerCase();
      if (lower.startsWith(q)) starts.push(name);
      else if (contains.length < SUGGESTIONS && lower.includes(q)) contains.push(name);
    }
    // Shortest first puts the exact match at the top: typing "30" offers 30 before 300.
    starts.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    return [...starts.slice(0, SUGGESTIONS), ...contains].slice(0, SUGGESTIONS);
  }

  /**
   * Fitted models the cells hold become choices, under their variable names; a variable
   * given a new model (its cell ran again) brings the new one.
   */
  private adoptVariables(context: WidgetContext): void {
    for (const [name, value] of context.variables()) {
      if (!isRecommender(value) || !value.isFitted) continue;
      const known = [...this.models].find(([, m]) => m === value)?.[0];
      if (known === name) continue;
      if (known !== undefined) {
        this.models.delete(known);
        if (this.model === known) this.model = name;
      }
      this.models.set(name, value);
    }
  }

  private bundle(widgetId: string): MimeBundle {
    const payload: RecommendOutput = {
      widgetId,
      models: [...this.models.keys()],
      model: this.model,
      ...(this.last ? { last: this.last } : {}),
    };
    return {
      'text/plain': this.last
        ? resultText(this.last)
        : `Top-10 widget over ${payload.models.join(', ')}: open the notebook in RecLab and run the cell to use it.`,
      'text/html': this.last
        ? resultHtml(this.last)
        : `<p>Top-10 widget over ${escapeHtml(payload.models.join(', '))}: ` +
          'open the notebook in RecLab and run the cell to use it.</p>',
      [MIME.recommend]: payload as unknown as JsonValue,
    };
  }
}

/** A fitted model or a pipeline: both recommend by user name and carry the training data's users. */
function isRecommender(v: unknown): v is Recommender {
  return v instanceof Model || v instanceof Pipeline;
}

function uniqueName(taken: ReadonlyMap<string, unknown>, name: string): string {
  let n = 1;
  let candidate = name;
  while (taken.has(candidate)) candidate = `${name} (${++n})`;
  return candidate;
}

function indexItems(
  items: Table,
  column = items.columns[0]?.name,
): { column: string; rows: Map<string, number> } {
  if (!column || !items.columnNames.includes(column)) {
    throw new Error(
      `rl.widgets.recommend: the items table has no column "${column}"; ` +
        `its columns are ${items.columnNames.join(', ')}. Name the id column with { itemColumn }.`,
    );
  }
  const ids = items.columnInfo(column);
  const rows = new Map<string, number>();
  for (let r = 0; r < items.numRows; r++) rows.set(String(cellValue(ids, r)), r);
  return { column, rows };
}

/** The list with the items table's other columns added (those the list does not have), before score and reason. */
function withDetails(
  list: Table,
  details: { column: string; rows: Map<string, number> },
  items: Table,
): Table {
  const at = Array.from(list.column('item') as readonly string[], (id) => details.rows.get(id) ?? -1);
  const last = new Set(['score', 'reason']);
  const columns: Record<string, ColumnData> = {};
  for (const c of list.columns) if (!last.has(c.name)) columns[c.name] = c.data;
  for (const c of items.columns) {
    if (c.name !== details.column && !list.columnNames.includes(c.name))
      columns[c.name] = at.map((r) => (r < 0 ? null : cellValue(c, r)));
  }
  for (const c of list.columns) if (last.has(c.name)) columns[c.name] = c.data;
  return Table.fromColumns(columns);
}

/** Rows as JSON for the view and the file: scores to 6 digits, times (seconds) as UTC date and time. */
function jsonRows(table: Table, limit: number): { columns: string[]; rows: (string | number | null)[][] } {
  const rows: (string | number | null)[][] = [];
  for (let r = 0; r < Math.min(limit, table.numRows); r++) {
    rows.push(
      table.columns.map((c) => {
        const v = cellValue(c, r);
        if (typeof v !== 'number')
          return v === null || v === undefined ? null : typeof v === 'string' ? v : formatValue(v);
        if (!Number.isFinite(v)) return null;
        if (c.name === 'timestamp') return new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ');
        return Number.isInteger(v) ? v : Number(v.toPrecision(6));
      }),
    );
  }
  return { columns: table.columnNames.slice(), rows };
}

/** The saved rows as a table: a column of numbers stays numbers (the static table aligns them), the rest text. */
function resultTable(part: { columns: string[]; rows: (string | number | null)[][] }): Table {
  return Table.fromColumns(
    Object.fromEntries(
      part.columns.map((name, i) => {
        const values = part.rows.map((row) => row[i]);
        return [
          name,
          values.every((v) => typeof v === 'number')
            ? Float64Array.from(values as number[])
            : values.map((v) => (v === null ? '' : String(v))),
        ];
      }),
    ),
  );
}

function resultText(last: RecommendResult): string {
  return (
    `Top ${last.rows.length} for user ${last.user} (${last.model})\n${tableText(resultTable(last))}\n\n` +
    `History (${last.history.total} items)\n${tableText(resultTable(last.history))}`
  );
}

function resultHtml(last: RecommendResult): string {
  return (
    `<h4>Top ${last.rows.length} for user ${escapeHtml(last.user)} (${escapeHtml(last.model)})</h4>\n` +
    `${tableHtml(resultTable(last))}\n` +
    `<h4>History (${last.history.total} items)</h4>\n${tableHtml(resultTable(last.history))}`
  );
}

/** `rl.widgets`: interactive outputs over the notebook's models. */
export const widgets = { recommend: recommendWidget } as const;
