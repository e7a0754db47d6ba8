/**
 * `rl.rankingSamples(db, table)`: labelled ranking samples from a behaviour log in DuckDB
 * (user, item, category, behaviour, timestamp, as `rl.importTaobao` makes it), split by time.
 *
 * The heavy work is SQL (window functions, hash joins), so a log of ten million rows builds in
 * well under a minute; JavaScript only receives the finished columns. The steps:
 * - users (those with at least one pv), their items and categories are numbered 0…n−1 in the
 *   sorted order of their ids; an item's category is the smallest one the log gives it (the
 *   log and the samples use that one);
 * - every user's behaviours sorted by time are the log; behaviours of the same second keep the
 *   table's row order (a stable sort: the same table always gives the same log), or in a view,
 *   which has no row order, come by behaviour code (pv < cart < fav < buy), then item;
 * - every pv is a click sample; its cart label says whether the user carts or favs the item at
 *   or after the pv's time, its buy label whether the user buys it then or later;
 * - each pv brings `negatives` items drawn uniformly among those its user never touched in the
 *   whole log (by a hash of seed, user, place and draw; an item the user touched is drawn
 *   again), with every label 0 and the click's time and history;
 * - a sample's history is its user's behaviours strictly before its time: one at the very same
 *   second is not in it;
 * - the samples of the last `testDays` days (before the latest timestamp) are the test set.
 * Samples are in time order (then by user and place; a click before its negatives). Temporary
 * tables hold the steps; they are dropped whatever happens.
 */
import { quoteIdentifier, type Database, type Table } from '../../data';
import { closestNames } from '../names';
import { FeatureSet, type FeatureSpec, type RawFeature } from './features';
import {
  BEHAVIOURS,
  RankingSamples,
  TASKS,
  type BehaviourLog,
  type RankingSampleParts,
  type RankingSplit,
  type RankingVocabulary,
  type Task,
} from './ranking-samples';

/** A table of user (or item) attributes, keyed by the log's user (or item) ids. */
export interface RankingFeatureTable {
  table: string;
  /** The id column (default 'user' for users, 'item' for items). */
  key?: string;
  /** The attribute columns (default every column but the key). */
  columns?: string[];
  /** Multi-valued columns and their separator, e.g. `{ tags: '|' }`. */
  separators?: Record<string, string>;
  /** Columns read as numbers rather than categories. */
  numeric?: string[];
}

export interface RankingSampleOptions {
  /** Sampled unexposed items per click (default 1; 0 for none). */
  negatives?: number;
  /** Seed of the negative draws (default 0): the same seed draws the same items. */
  seed?: number;
  /** The test set: samples of the last `testDays` days of the log (default 1). */
  testDays?: number;
  /** Keep only the latest `maxSamples` training samples (default all). */
  maxSamples?: number;
  /** User attributes: a table name (every column but `user`), or a table with its columns. */
  userTable?: string | RankingFeatureTable;
  /** Item attributes: a table name (every column but `item`), or a table with its columns. */
  itemTable?: string | RankingFeatureTable;
}

/** A string as an SQL literal. */
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

const OPTIONS = ['negatives', 'seed', 'testDays', 'maxSamples', 'userTable', 'itemTable'];
const COLUMNS = ['user', 'item', 'category', 'behaviour', 'timestamp'];
const DAY = 86_400;
/** How often a negative drawn among items the user touched is drawn again before it is given up. */
const MAX_ATTEMPTS = 100;
/** How many samples one query reads at most (bounds the memory of a read beside its arrays). */
const READ_PIECE = 4_000_000;
/** How many temporary-table prefixes this process has handed out. */
let builds = 0;

/**
 * Ranking samples from the behaviour log in DuckDB table `table`, split by time. Options:
 * `negatives` (default 1), `seed` (0), `testDays` (1), `maxSamples`, `userTable`, `itemTable`.
 */
export async function rankingSamples(
  db: Database,
  table: string,
  options: RankingSampleOptions = {},
): Promise<RankingSplit> {
  const o = checkOptions(options);
  const source = quoteIdentifier(table);
  const { ts, idTypes, rowOrder } = await checkTable(db, table);
  const prefix = `reclab_rank_${process.pid}_${++builds}`;
  const created = new Set<string>();
  const temp = (name: string) => `temp.${quoteIdentifier(`${prefix}_${name}`)}`;
  const create = async (name: string, sql: string) => {
    created.add(name);
    await db.run(`CREATE TEMP TABLE ${quoteIdentifier(`${prefix}_${name}`)} AS ${sql}`);
  };
  const drop = async (...names: string[]) => {
    for (const name of names) {
      await db.run(`DROP TABLE IF EXISTS ${temp(name)}`);
      created.delete(name);
    }
  };
  const one = async (sql: string) => (await db.query(sql)).rows()[0] as Record<string, number>;
  const U = '"user"';
  try {
    // Users with at least one click (the others give no sample), their items and categories.
    await create(
      'users',
      `SELECT ${U} AS id, (row_number() OVER (ORDER BY ${U}) - 1)::INTEGER AS u
       FROM ${source} GROUP BY ${U} HAVING bool_or(behaviour::VARCHAR = 'pv')`,
    );
    const all = (await one(
      `SELECT count(DISTINCT ${U})::DOUBLE AS users, count(*)::DOUBLE AS rows FROM ${source}`,
    )) as { users: number; rows: number };
    const numUsers = (await one(`SELECT count(*)::DOUBLE AS n FROM ${temp('users')}`)).n;
    if (numUsers === 0)
      throw new Error(
        `rankingSamples: table ${source} has no pv (click) behaviour, so no sample: ` +
          'every sample is a pv or drawn beside one. Use a log with page views.',
      );
    // Only when some users are left out do their items need leaving out.
    const clicked = all.users > numUsers ? `WHERE ${U} IN (SELECT id FROM ${temp('users')})` : '';
    await create(
      'items',
      `SELECT item AS id, (row_number() OVER (ORDER BY item) - 1)::INTEGER AS i, min(category) AS category
       FROM ${source} ${clicked} GROUP BY item`,
    );
    await create(
      'categories',
      `SELECT category AS id, (row_number() OVER (ORDER BY category) - 1)::INTEGER AS c
       FROM (SELECT DISTINCT category FROM ${temp('items')})`,
    );
    await create(
      'item_categories',
      `SELECT i.id, i.i, c.c FROM ${temp('items')} i JOIN ${temp('categories')} c ON i.category = c.id`,
    );
    const numItems = (await one(`SELECT count(*)::DOUBLE AS n FROM ${temp('items')}`)).n;

    // A click's labels: when the user last carted (or faved) and last bought that item.
    await create(
      'outcomes',
      `SELECT t.${U} AS id, t.item,
         max(${ts('t')}) FILTER (WHERE t.behaviour::VARCHAR IN ('cart', 'fav')) AS last_cart,
         max(${ts('t')}) FILTER (WHERE t.behaviour::VARCHAR = 'buy') AS last_buy
       FROM ${source} t WHERE t.behaviour::VARCHAR IN ('cart', 'fav', 'buy') GROUP BY ALL`,
    );
    // The log: each behaviour's place among its user's (k, in time order, ties in row order)
    // and its history end (h: how many of the user's behaviours come strictly before its time,
    // so one at the same second is not in its history); a click's labels (bit 0 click, 1 cart
    // or fav at or after it, 2 buy at or after it); and `back`: the table lists this behaviour
    // before the one that precedes it in time, which only a log out of time order does.
    const whens = BEHAVIOURS.map((b, k) => `WHEN ${quoteLiteral(b)} THEN ${k}`).join(' ');
    const code = `CASE t.behaviour::VARCHAR ${whens} END`;
    await create(
      'log',
      `SELECT e.u, e.i, e.c, e.b, e.ts, e.labels,
         (row_number() OVER w - 1)::INTEGER AS k,
         (rank() OVER (PARTITION BY e.u ORDER BY e.ts) - 1)::INTEGER AS h,
         ${rowOrder ? 'coalesce(e.r < lag(e.r) OVER w, false)' : 'false'} AS back
       FROM (
         SELECT u.u, it.i, it.c, (${code})::TINYINT AS b, ${ts('t')} AS ts,
           ${rowOrder ? 't.rowid' : 'NULL::BIGINT'} AS r,
           CASE WHEN t.behaviour::VARCHAR = 'pv'
             THEN 1 + 2 * coalesce((o.last_cart >= ${ts('t')})::INTEGER, 0)
               + 4 * coalesce((o.last_buy >= ${ts('t')})::INTEGER, 0)
             ELSE 0 END::TINYINT AS labels
         FROM ${source} t
         JOIN ${temp('users')} u ON t.${U} = u.id JOIN ${temp('item_categories')} it ON t.item = it.id
         LEFT JOIN ${temp('outcomes')} o ON t.${U} = o.id AND t.item = o.item
       ) e
       WINDOW w AS (PARTITION BY e.u ORDER BY e.ts, ${rowOrder ? 'e.r' : 'e.b, e.i'})`,
    );
    await drop('outcomes');
    const vocabulary = await readVocabulary(db, temp, idTypes, numUsers, numItems, o);
    const log = await readLog(db, temp('log'), numUsers);
    const span = (await one(
      `SELECT min(ts)::DOUBLE AS first, max(ts)::DOUBLE AS last, count(*) FILTER (WHERE back)::DOUBLE AS unsorted
       FROM ${temp('log')}`,
    )) as { first: number; last: number; unsorted: number };

    // Negatives: an item drawn uniformly by a hash of (seed, user, place, draw, attempt); one the
    // user touched anywhere in the log is drawn again (rare in a real catalogue), up to
    // MAX_ATTEMPTS times, so the items drawn are uniform among those the user never touched.
    // A (user, item) pair is one number in the joins that find touched items.
    const pair = (u: string, i: string) => `(${u}::BIGINT * ${numItems} + ${i})`;
    const draw = (from: string, attempt: number, touched: string) =>
      `SELECT d.u, d.k, d.j, d.ts, d.h, ${attempt} AS attempt, d.i, it.c,
         ${pair('d.u', 'd.i')} IN (SELECT ${pair('u', 'i')} FROM ${touched}) AS taken
       FROM (
         SELECT u, k, j, ts, h, (hash(${o.seed}::BIGINT, u, k, j, ${attempt}) % ${numItems}::UBIGINT)::INTEGER AS i
         FROM ${from}
       ) d
       JOIN ${temp('item_categories')} it ON d.i = it.i`;
    // Users who touched every item get none (only users with as many behaviours can have).
    await create(
      'full',
      `SELECT u FROM ${temp('log')}
       WHERE u IN (SELECT u FROM ${temp('log')} GROUP BY u HAVING count(*) >= ${numItems})
       GROUP BY u HAVING count(DISTINCT i) = ${numItems}`,
    );
    await create(
      'draws',
      draw(
        `(SELECT l.u, l.k, n.j::INTEGER AS j, l.ts, l.h
          FROM ${temp('log')} l CROSS JOIN range(1, ${o.negatives + 1}) n(j)
          WHERE l.b = 0 AND l.u NOT IN (SELECT u FROM ${temp('full')}))`,
        0,
        temp('log'),
      ),
    );
    let attempt = 0;
    let left = (await one(`SELECT count(*)::DOUBLE AS n FROM ${temp('draws')} WHERE taken`)).n;
    while (left > 0 && attempt < MAX_ATTEMPTS) {
      const again = `(SELECT * FROM ${temp('draws')} WHERE taken AND attempt = ${attempt})`;
      const touched = `(SELECT u, i FROM ${temp('log')} WHERE u IN (SELECT u FROM ${again}))`;
      await db.run(`INSERT INTO ${temp('draws')} ${draw(again, ++attempt, touched)}`);
      left = (
        await one(`SELECT count(*)::DOUBLE AS n FROM ${temp('draws')} WHERE taken AND attempt = ${attempt}`)
      ).n;
    }
    await drop('full');
    // The samples with a time in (lo, hi]: the clicks with their labels, and the negatives drawn.
    const samples = (lo: number, hi: number) =>
      `SELECT u, i, c, ts, h, k, 0 AS j, labels FROM ${temp('log')} WHERE b = 0 AND ts > ${lo} AND ts <= ${hi}
       UNION ALL
       SELECT u, i, c, ts, h, k, j, 0 FROM ${temp('draws')} WHERE NOT taken AND ts > ${lo} AND ts <= ${hi}`;
    // How many samples have a time in each (edges[p], edges[p + 1]].
    const countBetween = async (edges: number[]) => {
      const counts = edges
        .slice(1)
        .map((hi, p) => `count(*) FILTER (WHERE ts > ${edges[p]} AND ts <= ${hi})::DOUBLE AS "${p}"`);
      const row = await one(
        `SELECT ${counts.join(', ')}
         FROM (SELECT ts FROM ${temp('log')} WHERE b = 0 UNION ALL SELECT ts FROM ${temp('draws')} WHERE NOT taken)`,
      );
      return edges.slice(1).map((_, p) => row[p]);
    };

    // The split: the samples of the last `testDays` days before the latest time are the test.
    const cut = span.last - o.testDays * DAY;
    const before = span.first - 1;
    const [trainSize, testSize] = await countBetween([before, cut, span.last]);
    const clicks = (await one(`SELECT count(*)::DOUBLE AS n FROM ${temp('log')} WHERE b = 0`)).n;
    const days = `${o.testDays} day${o.testDays === 1 ? '' : 's'}`;
    if (!testSize)
      throw new Error(
        `rankingSamples: no click in the last ${days} of ${source} (from ${when(cut)} to ${when(span.last)}), ` +
          "so the test set would be empty. The log's last behaviours are not page views: " +
          'give a larger testDays, or a log that ends with clicks.',
      );
    if (!trainSize)
      throw new Error(
        `rankingSamples: every sample of ${source} lies in its last ${days} ` +
          `(the log runs from ${when(span.first)} to ${when(span.last)}), so the training set would be empty. ` +
          'Give a smaller testDays (it may be a fraction of a day: 0.25 is six hours).',
      );
    const skip = o.maxSamples !== undefined && trainSize > o.maxSamples ? trainSize - o.maxSamples : 0;

    // Read in time order (then by user and place; a click before its negatives), a few million
    // samples at a time, so that no one result of the whole set is held beside its arrays.
    const read = async (
      lo: number,
      hi: number,
      total: number,
      skipped: number,
      name: string,
    ): Promise<RankingSamples> => {
      const pieces = Math.max(1, Math.ceil(total / READ_PIECE));
      const edges = Array.from({ length: pieces + 1 }, (_, p) =>
        p === 0 ? lo : p === pieces ? hi : lo + ((hi - lo) * p) / pieces,
      );
      const sizes = pieces === 1 ? [total] : await countBetween(edges);
      const out = emptyParts(total - skipped);
      let at = 0;
      let toSkip = skipped;
      for (let p = 0; p < pieces; p++) {
        const offset = Math.min(toSkip, sizes[p]);
        toSkip -= offset;
        if (offset === sizes[p]) continue;
        const t = await db.query(
          `SELECT u, i, c, ts::DOUBLE AS time, h, labels FROM (${samples(edges[p], edges[p + 1])})
           ORDER BY ts, u, k, j OFFSET ${offset}`,
        );
        at = appendSamples(out, t, at);
      }
      return new RankingSamples({ name, vocabulary, log, ...out });
    };
    const train = await read(before, cut, trainSize, skip, `${table} train`);
    const test = await read(cut, span.last, testSize, 0, `${table} test`);
    await drop('draws', 'log');

    const description = describe({ source, o, vocabulary, log, train, test, skip, cut, span, clicks, all });
    return { name: table, train, test, description };
  } finally {
    for (const name of created) await db.run(`DROP TABLE IF EXISTS ${temp(name)}`);
  }
}

interface CheckedOptions {
  negatives: number;
  seed: number;
  testDays: number;
  maxSamples?: number;
  userTable?: RankingFeatureTable;
  itemTable?: RankingFeatureTable;
}

function checkOptions(options: RankingSampleOptions): CheckedOptions {
  for (const key of Object.keys(options)) {
    if (OPTIONS.includes(key)) continue;
    if (/hist|len/i.test(key)) {
      throw new Error(
        `rankingSamples: "${key}" is not an option here: ` +
          "every sample keeps its whole history (where it ends in its user's log), " +
          'and a model reads as many of the latest behaviours as its own setting says. ' +
          `The options are ${OPTIONS.join(', ')}.`,
      );
    }
    throw new Error(
      `rankingSamples: unknown option "${key}"; did you mean "${closestNames(key, OPTIONS, 1)[0]}"? ` +
        `The options are ${OPTIONS.join(', ')}.`,
    );
  }
  const whole = (
    name: keyof RankingSampleOptions,
    value: unknown,
    min: number,
    fallback?: number,
  ): number | undefined => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      const bound = min > Number.MIN_SAFE_INTEGER ? ` of at least ${min}` : '';
      throw new Error(
        `rankingSamples: ${name} must be a whole number${bound}; got ${JSON.stringify(value) ?? String(value)}.`,
      );
    }
    return value;
  };
  const negatives = whole('negatives', options.negatives, 0, 1)!;
  if (negatives > 1000)
    throw new Error(`rankingSamples: negatives must be at most 1000 per click; got ${negatives}.`);
  const seed = whole('seed', options.seed, Number.MIN_SAFE_INTEGER, 0)!;
  const testDays = options.testDays ?? 1;
  if (typeof testDays !== 'number' || !(testDays > 0) || !Number.isFinite(testDays)) {
    throw new Error(
      'rankingSamples: testDays must be a number of days above 0 (a fraction is fine); ' +
        `got ${JSON.stringify(testDays) ?? String(testDays)}.`,
    );
  }
  const maxSamples = whole('maxSamples', options.maxSamples, 1);
  const table = (name: 'userTable' | 'itemTable', key: string): RankingFeatureTable | undefined => {
    const t = options[name];
    if (t === undefined) return undefined;
    if (typeof t === 'string') return { table: t, key };
    if (typeof t !== 'object' || t === null || typeof t.table !== 'string') {
      throw new Error(
        `rankingSamples: ${name} must be a table name or { table, columns?, separators?, numeric? }; ` +
          `got ${JSON.stringify(t)}.`,
      );
    }
    return { ...t, key: t.key ?? key };
  };
  return {
    negatives,
    seed,
    testDays,
    maxSamples,
    userTable: table('userTable', 'user'),
    itemTable: table('itemTable', 'item'),
  };
}

/**
 * How the checked log is read: its timestamp in seconds as SQL, which id columns hold integers, whether its
 * rows have an order (a table's, not a view's).
 */
interface LogShape {
  ts: (alias: string) => string;
  idTypes: { users: boolean; items: boolean; categories: boolean };
  rowOrder: boolean;
}

/** The table's columns and values, checked: how to read it, or an error that says what is wrong and what to do. */
async function checkTable(db: Database, table: string): Promise<LogShape> {
  const columns = await tableColumns(db, table, 'rankingSamples');
  const missing = COLUMNS.filter((c) => !columns.has(c));
  if (missing.length) {
    throw new Error(
      `rankingSamples: table ${quoteIdentifier(table)} ` +
        `has no column ${missing.map((c) => `"${c}"`).join(', ')}; ` +
        `its columns are ${[...columns.keys()].join(', ')}. ` +
        `A behaviour log has ${COLUMNS.join(', ')} (as rl.importTaobao makes it); ` +
        `rename others in a view, e.g. CREATE VIEW log AS SELECT uid AS "user", … FROM ${table}.`,
    );
  }
  const type = columns.get('timestamp')!.toUpperCase();
  const numeric =
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(
      type,
    );
  const time = /^(TIMESTAMP|DATE)/.test(type);
  if (!numeric && !time)
    throw new Error(
      `rankingSamples: column "timestamp" of ${quoteIdentifier(table)} is ${type}; ` +
        'it must hold seconds since 1970 (a number) or a TIMESTAMP.',
    );
  const ts = (alias: string) => (numeric ? `${alias}."timestamp"` : `epoch(${alias}."timestamp")`);
  const source = quoteIdentifier(table);
  const nulls = COLUMNS.map(
    (c) => `count(*) FILTER (WHERE ${quoteIdentifier(c)} IS NULL)::DOUBLE AS ${quoteIdentifier(c)}`,
  ).join(', ');
  const stats = (await db.query(`SELECT ${nulls} FROM ${source}`)).rows()[0];
  const empty = COLUMNS.filter((c) => (stats[c] as number) > 0);
  if (empty.length) {
    throw new Error(
      `rankingSamples: table ${source} has missing values: ` +
        `${empty.map((c) => `${stats[c]} in "${c}"`).join(', ')}. ` +
        `Leave those rows out first, e.g. CREATE VIEW log AS SELECT * FROM ${table} ` +
        `WHERE ${empty.map((c) => `"${c}" IS NOT NULL`).join(' AND ')}.`,
    );
  }
  const unknown = (
    await db.query(
      `SELECT behaviour::VARCHAR AS behaviour, count(*)::DOUBLE AS n FROM ${source}
       WHERE behaviour::VARCHAR NOT IN (${BEHAVIOURS.map(quoteLiteral).join(', ')})
       GROUP BY 1 ORDER BY n DESC, behaviour`,
    )
  ).rows();
  if (unknown.length) {
    const listed = unknown
      .slice(0, 10)
      .map((r) => `"${r.behaviour}" (${plural(r.n as number, 'row')})`)
      .join(', ');
    throw new Error(
      `rankingSamples: table ${source} has behaviours other than ${BEHAVIOURS.join(', ')}: ` +
        `${listed}${unknown.length > 10 ? `, and ${unknown.length - 10} more` : ''}. ` +
        `Map them to these four or leave them out first, e.g. CREATE VIEW log AS SELECT * FROM ${table} ` +
        `WHERE behaviour IN (${BEHAVIOURS.map(quoteLiteral).join(', ')}).`,
    );
  }
  const integer = (c: string) =>
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(
      columns.get(c)!.toUpperCase(),
    );
  const rowOrder = await db.query(`SELECT rowid FROM ${source} LIMIT 0`).then(
    () => true,
    () => false,
  );
  return {
    ts,
    idTypes: { users: integer('user'), items: integer('item'), categories: integer('category') },
    rowOrder,
  };
}

/** Column name → DuckDB type of a table or view, or an error that lists the tables there are. */
async function tableColumns(db: Database, table: string, who: string): Promise<Map<string, string>> {
  let described: Table;
  try {
    described = await db.query(`DESCRIBE SELECT * FROM ${quoteIdentifier(table)}`);
  } catch {
    const tables = (
      await db.query(
        `SELECT table_name AS name FROM duckdb_tables() WHERE NOT internal AND NOT temporary
         UNION SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`,
      )
    ).column('name') as string[];
    throw new Error(
      `${who}: no table or view "${table}" in the database; ` +
        `there are ${tables.length ? tables.join(', ') : 'none'}. ` +
        "Import a log first, e.g. await rl.importTaobao(db, 'UserBehavior.csv').",
    );
  }
  const names = described.column('column_name') as string[];
  const types = described.column('column_type') as string[];
  return new Map(names.map((n, k) => [n, types[k]]));
}

async function readVocabulary(
  db: Database,
  temp: (name: string) => string,
  idTypes: LogShape['idTypes'],
  numUsers: number,
  numItems: number,
  o: CheckedOptions,
): Promise<RankingVocabulary> {
  // Integer ids are read as numbers and written out here: a million of them read as text cost seconds.
  const names = async (t: string, index: string, integer: boolean): Promise<string[]> => {
    const ids = (
      await db.query(`SELECT ${integer ? 'id' : 'id::VARCHAR AS id'} FROM ${temp(t)} ORDER BY ${index}`)
    ).column('id');
    return Array.from(ids as ArrayLike<unknown>, (v) => String(v));
  };
  const itemCategory = (await db.query(`SELECT c FROM ${temp('item_categories')} ORDER BY i`)).column(
    'c',
  ) as Int32Array;
  return {
    users: await names('users', 'u', idTypes.users),
    items: await names('items', 'i', idTypes.items),
    categories: await names('categories', 'c', idTypes.categories),
    itemCategory,
    userFeatures: o.userTable
      ? await readFeatures(db, o.userTable, temp('users'), 'u', numUsers, 'userTable')
      : FeatureSet.empty(numUsers),
    itemFeatures: o.itemTable
      ? await readFeatures(db, o.itemTable, temp('items'), 'i', numItems, 'itemTable')
      : FeatureSet.empty(numItems),
  };
}

/** The attributes of every user (or item), in index order; ids the table lacks have none. */
async function readFeatures(
  db: Database,
  spec: RankingFeatureTable,
  vocabulary: string,
  index: string,
  rows: number,
  option: string,
): Promise<FeatureSet> {
  const columns = await tableColumns(db, spec.table, `rankingSamples (${option})`);
  const key = spec.key!;
  const wanted = spec.columns ?? [...columns.keys()].filter((c) => c !== key);
  const absent = [key, ...wanted, ...Object.keys(spec.separators ?? {}), ...(spec.numeric ?? [])].filter(
    (c) => !columns.has(c),
  );
  if (absent.length)
    throw new Error(
      `rankingSamples: ${option} "${spec.table}" ` +
        `has no column ${[...new Set(absent)].map((c) => `"${c}"`).join(', ')}; ` +
        `its columns are ${[...columns.keys()].join(', ')}.`,
    );
  const k = quoteIdentifier(key);
  // One row per id (the first, should the table repeat one); ids compared as text, as the vocabulary names them.
  const t = await db.query(
    `SELECT ${wanted.map((c) => `f.${quoteIdentifier(c)}`).join(', ') || 'NULL AS none'} FROM ${vocabulary} v
     LEFT JOIN (SELECT DISTINCT ON (${k}) * FROM ${quoteIdentifier(spec.table)} ORDER BY ${k}) f
       ON f.${k}::VARCHAR = v.id::VARCHAR
     ORDER BY v.${index}`,
  );
  const specs: FeatureSpec[] = wanted.map((c) => {
    const data = t.column(c);
    const values: RawFeature[] = ArrayBuffer.isView(data)
      ? Array.from(data as Float64Array, (v) => (Number.isNaN(v) ? null : v))
      : (data as RawFeature[]);
    return { name: c, values, separator: spec.separators?.[c], numeric: spec.numeric?.includes(c) };
  });
  return FeatureSet.encode(rows, specs);
}

async function readLog(db: Database, log: string, numUsers: number): Promise<BehaviourLog> {
  const counts = await db.query(`SELECT u, count(*)::INTEGER AS n FROM ${log} GROUP BY u`);
  const indptr = new Int32Array(numUsers + 1);
  const us = counts.column('u') as Int32Array;
  const ns = counts.column('n') as Int32Array;
  for (let r = 0; r < us.length; r++) indptr[us[r] + 1] = ns[r];
  for (let u = 0; u < numUsers; u++) indptr[u + 1] += indptr[u];
  const t = await db.query(`SELECT i, c, b::INTEGER AS b, ts::DOUBLE AS ts FROM ${log} ORDER BY u, k`);
  return {
    indptr,
    items: t.column('i') as Int32Array,
    categories: t.column('c') as Int32Array,
    behaviours: t.column('b') as Int32Array,
    times: t.column('ts') as Float64Array,
  };
}

type SampleColumns = Omit<RankingSampleParts, 'name' | 'vocabulary' | 'log'>;

function emptyParts(n: number): SampleColumns {
  const labels = {} as Record<Task, Uint8Array>;
  for (const t of TASKS) labels[t] = new Uint8Array(n);
  return {
    users: new Int32Array(n),
    items: new Int32Array(n),
    categories: new Int32Array(n),
    times: new Float64Array(n),
    historyEnds: new Int32Array(n),
    labels,
  };
}

/**
 * Copies a result (u, i, c, time, h, labels: bit 0 click, 1 cart, 2 buy) into `out` from `at`; returns where
 * it ends.
 */
function appendSamples(out: SampleColumns, t: Table, at: number): number {
  out.users.set(t.column('u') as Int32Array, at);
  out.items.set(t.column('i') as Int32Array, at);
  out.categories.set(t.column('c') as Int32Array, at);
  out.times.set(t.column('time') as Float64Array, at);
  out.historyEnds.set(t.column('h') as Int32Array, at);
  const packed = t.column('labels') as Int32Array;
  TASKS.forEach((task, bit) => {
    const labels = out.labels[task];
    for (let s = 0; s < packed.length; s++) labels[at + s] = (packed[s] >> bit) & 1;
  });
  return at + t.numRows;
}

/** A time in seconds as UTC text, or the number where it is no date. */
function when(seconds: number): string {
  const ms = seconds * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : String(seconds);
}

const count = (n: number) => n.toLocaleString('en-US');

function describe(c: {
  source: string;
  o: CheckedOptions;
  vocabulary: RankingVocabulary;
  log: BehaviourLog;
  train: RankingSamples;
  test: RankingSamples;
  skip: number;
  cut: number;
  span: { first: number; last: number; unsorted: number };
  clicks: number;
  all: { users: number; rows: number };
}): string {
  const { source, o, vocabulary: v, log, train, test } = c;
  const perBehaviour = new Float64Array(BEHAVIOURS.length);
  for (const b of log.behaviours) perBehaviour[b]++;
  const drawn = train.size + test.size + c.skip - c.clicks;
  const rates = (s: RankingSamples) =>
    TASKS.map((t) => `${t} ${(s.positiveRate(t) * 100).toFixed(2)}%`).join(', ');
  const missed = c.clicks * o.negatives - drawn;
  const lines = [
    `Ranking samples from ${source}: ${count(log.items.length)} behaviours ` +
      `(${BEHAVIOURS.map((b, k) => `${b} ${count(perBehaviour[k])}`).join(', ')}) ` +
      `of ${count(v.users.length)} users, ${count(v.items.length)} items ` +
      `and ${count(v.categories.length)} categories, ` +
      `from ${when(c.span.first)} to ${when(c.span.last)}.`,
    `${count(c.clicks)} click samples ` +
      '(one per pv; cart: carted or faved at or after it; buy: bought at or after it) ' +
      `and ${count(drawn)} negatives (${o.negatives} per click, drawn among the items the user never touched, ` +
      `seed ${o.seed}` +
      `${missed > 0 ? `; ${count(missed)} not drawn: their users touched all or nearly all items` : ''}). ` +
      "A sample's history is its user's behaviours strictly before its time.",
    `Train: ${count(train.size)} samples up to ${when(c.cut)}` +
      `${c.skip ? ` (the latest ${count(train.size)} of ${count(train.size + c.skip)}: maxSamples)` : ''}; ` +
      `positives ${rates(train)}.`,
    `Test: ${count(test.size)} samples of the last ${o.testDays} day${o.testDays === 1 ? '' : 's'} ` +
      `(after ${when(c.cut)}); positives ${rates(test)}.`,
  ];
  const share = test.size / (test.size + train.size + c.skip);
  if (share < 0.01)
    lines.push(
      `Only ${(share * 100).toFixed(3)}% of the samples are test samples: ` +
        `is the latest timestamp (${when(c.span.last)}) an outlier? Leave such rows out in a view first.`,
    );
  const leftUsers = c.all.users - v.users.length;
  if (leftUsers > 0)
    lines.push(
      `Left out: ${plural(leftUsers, 'user')} without clicks (no pv, so no sample), ` +
        `with their ${plural(c.all.rows - log.items.length, 'behaviour')}.`,
    );
  if (c.span.unsorted > 0)
    lines.push(
      `The log was not in time order within each user (at ${plural(c.span.unsorted, 'place')}): ` +
        "sorted by time, behaviours of the same second in the table's order.",
    );
  if (v.userFeatures.groups.length)
    lines.push(`User features: ${v.userFeatures.groups.map((g) => g.name).join(', ')}.`);
  if (v.itemFeatures.groups.length)
    lines.push(`Item features: ${v.itemFeatures.groups.map((g) => g.name).join(', ')}.`);
  return lines.join('\n');
}

const plural = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
