/**
 * MovieLens, in each of its layouts, found by the files in the folder:
 * 100K (u.data, u.item, u.user), 1M and 10M (`::`-separated ratings.dat, movies.dat and,
 * in 1M, users.dat), ml-latest and ml-latest-small (ratings.csv, movies.csv, tags.csv).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createTables, readCsvSql, type CsvLayout } from './csv-file';
import { quoteLiteral, type Database } from './database';
import { readInteractionData, type InteractionData } from './interaction-data';

export interface ImportOptions {
  /** Prefix of the DuckDB tables created (default 'ml'): ml_ratings, ml_movies, ml_users, ml_tags. */
  prefix?: string;
}

/** The 19 genre flags of u.item, in file order (from the 100K README's u.genre). */
const GENRES_100K = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

const RATINGS = { user: 'INTEGER', item: 'INTEGER', rating: 'DOUBLE', timestamp: 'BIGINT' };

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

export async function importMovieLens(
  db: Database,
  dir: string,
  options: ImportOptions = {},
): Promise<InteractionData> {
  const prefix = options.prefix ?? 'ml';
  const t = {
    interactions: `${prefix}_ratings`,
    items: `${prefix}_movies`,
    users: `${prefix}_users`,
    tags: `${prefix}_tags`,
  };
  const file = (name: string) => path.join(dir, name);
  const csv = (name: string, layout: CsvLayout, select = '*') => ({
    sql: `SELECT ${select} FROM ${readCsvSql(file(name), layout)}`,
    file: file(name),
    layout,
  });
  const genres = { genres: '|' };

  if (await exists(file('u.data'))) {
    const flags = Object.fromEntries(GENRES_100K.map((_, g) => [`g${g}`, 'INTEGER']));
    const genreList = GENRES_100K.map((name, g) => `CASE WHEN g${g} = 1 THEN ${quoteLiteral(name)} END`).join(
      ', ',
    );
    await createTables(db, {
      [t.interactions]: csv('u.data', { columns: RATINGS, delimiter: '\t', header: false }),
      [t.items]: csv(
        'u.item',
        {
          columns: {
            item: 'INTEGER',
            title: 'VARCHAR',
            released: 'VARCHAR',
            video_released: 'VARCHAR',
            imdb_url: 'VARCHAR',
            ...flags,
          },
          delimiter: '|',
          header: false,
          encoding: 'latin-1',
        },
        `item, title, released, concat_ws('|', ${genreList}) AS genres`,
      ),
      [t.users]: csv('u.user', {
        columns: {
          user: 'INTEGER',
          age: 'INTEGER',
          gender: 'VARCHAR',
          occupation: 'VARCHAR',
          zip: 'VARCHAR',
        },
        delimiter: '|',
        header: false,
      }),
    });
    return readInteractionData(
      db,
      'MovieLens 100K',
      { interactions: t.interactions, items: t.items, users: t.users },
      genres,
    );
  }

  if (await exists(file('ratings.dat'))) {
    // 1M ships users.dat and Latin-1 text; 10M has no users and is UTF-8.
    const oneMillion = await exists(file('users.dat'));
    const encoding = oneMillion ? 'latin-1' : 'utf-8';
    const tables = {
      [t.interactions]: csv('ratings.dat', { columns: RATINGS, delimiter: '::', header: false }),
      [t.items]: csv('movies.dat', {
        columns: { item: 'INTEGER', title: 'VARCHAR', genres: 'VARCHAR' },
        delimiter: '::',
        header: false,
        encoding,
      }),
    };
    if (oneMillion) {
      tables[t.users] = csv('users.dat', {
        columns: {
          user: 'INTEGER',
          gender: 'VARCHAR',
          age: 'INTEGER',
          occupation: 'INTEGER',
          zip: 'VARCHAR',
        },
        delimiter: '::',
        header: false,
        encoding,
      });
    }
    await createTables(db, tables);
    return readInteractionData(
      db,
      oneMillion ? 'MovieLens 1M' : 'MovieLens 10M',
      { interactions: t.interactions, items: t.items, users: oneMillion ? t.users : undefined },
      genres,
    );
  }

  if (await exists(file('ratings.csv'))) {
    const tables = {
      [t.interactions]: csv('ratings.csv', { columns: RATINGS, delimiter: ',', header: true }),
      [t.items]: csv('movies.csv', {
        columns: { item: 'INTEGER', title: 'VARCHAR', genres: 'VARCHAR' },
        delimiter: ',',
        header: true,
        quote: '"',
      }),
    };
    const hasTags = await exists(file('tags.csv'));
    if (hasTags)
      tables[t.tags] = csv('tags.csv', {
        columns: { user: 'INTEGER', item: 'INTEGER', tag: 'VARCHAR', timestamp: 'BIGINT' },
        delimiter: ',',
        header: true,
        quote: '"',
      });
    await createTables(db, tables);
    const data = await readInteractionData(
      db,
      `MovieLens (${path.basename(dir)})`,
      { interactions: t.interactions, items: t.items },
      genres,
    );
    return hasTags ? { ...data, tables: [...data.tables, t.tags] } : data;
  }

  throw new Error(
    `${dir} is not a MovieLens folder: it has none of u.data (100K), ratings.dat (1M, 10M) or ratings.csv (ml-latest).`,
  );
}
