import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileError, Database, importMovieLens, importTaobao, readDataFile } from '../src/data';
import { Dataset } from '../src/recsys';
import { MOVIELENS } from '../dev';

let db: Database;
const dirs: string[] = [];
function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'reclab-import-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
beforeAll(async () => (db = await Database.open()));
afterAll(() => {
  db.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const flags = (on: number[]) => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? 1 : 0)).join('|');

describe('MovieLens', () => {
  it('reads 100K: tab-separated ratings, Latin-1 items with genre flags, users', async () => {
    const dir = folder({
      'u.data': '1\t10\t4\t881250949\n2\t10\t3\t881250950\n2\t20\t5\t881250951\n',
      'u.item': Buffer.concat([
        Buffer.from(`10|Caf`),
        Buffer.from([0xe9]),
        Buffer.from(
          ` (1995)|01-Jan-1995||http://x|${flags([1, 5])}\n20|Heat (1995)|01-Jan-1995||http://y|${flags([8])}\n`,
        ),
      ]),
      'u.user': '1|24|M|technician|85711\n2|53|F|other|94043\n',
    });
    const data = await importMovieLens(db, dir);
    expect(data.name).toBe('MovieLens 100K');
    const d = Dataset.fromData(data);
    expect([d.numUsers, d.numItems, d.feedback]).toEqual([2, 2, 'explicit']);
    expect(d.itemTitle(d.itemIndex(10))).toBe('Café (1995)');
    expect(d.itemFeatures.decode('genres', d.itemIndex(10))).toEqual(['Action', 'Comedy']);
    expect(d.userFeatures.decode('occupation', d.userIndex(2))).toEqual(['other']);
    expect((await db.query('SELECT count(*) AS n FROM ml_ratings')).value('n', 0)).toBe(3);
  });

  it('reads 1M: `::`-separated .dat files', async () => {
    const dir = folder({
      'ratings.dat': '1::1193::5::978300760\n1::661::3::978302109\n',
      'movies.dat':
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n" +
        "661::James and the Giant Peach (1996)::Animation|Children's|Musical\n",
      'users.dat': '1::F::1::10::48067\n',
    });
    const d = Dataset.fromData(await importMovieLens(db, dir, { prefix: 'm1' }));
    expect(d.itemFeatures.group('genres').width).toBe(3);
    expect(d.userFeatures.decode('gender', 0)).toEqual(['F']);
    expect(d.timestamps![1]).toBe(978302109);
  });

  it('reads ml-latest: quoted titles with commas, tags', async () => {
    const dir = folder({
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964981247\n',
      'movies.csv':
        'movieId,title,genres\n' +
        '1,Toy Story (1995),Adventure|Animation\n' +
        '2,"American President, The (1995)",Comedy|Drama|Romance\n',
      'tags.csv': 'userId,movieId,tag,timestamp\n1,2,"funny, really",1445714994\n',
    });
    const data = await importMovieLens(db, dir, { prefix: 'lt' });
    expect(data.tables).toContain('lt_tags');
    const d = Dataset.fromData(data);
    expect(d.itemTitle(d.itemIndex(2))).toBe('American President, The (1995)');
    expect(d.values[1]).toBe(3.5);
  });

  it('names the file, the line and what was expected on a malformed line, and leaves no table behind', async () => {
    const dir = folder({
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,x,4.0,964981247\n',
      'movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Adventure\n',
    });
    const error = await importMovieLens(db, dir, { prefix: 'broken' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    const e = error as DataFileError;
    expect([e.file, e.line]).toEqual([path.join(dir, 'ratings.csv'), 3]);
    expect(e.message).toMatch(
      /ratings\.csv, line 3: expected item to be integer, not "x"; found "1,x,4.0,964981247"/,
    );
    const short = folder({
      'ratings.dat': '1::1193::5::978300760\n1::661::3\n',
      'movies.dat': '1193::A (1975)::Drama\n',
    });
    await expect(importMovieLens(db, short, { prefix: 'short' })).rejects.toThrow(
      /ratings\.dat, line 2: expected 4 fields separated by "::" \(user, item, rating, timestamp\), found 3/,
    );
    // The movies file is broken after ratings loaded fine: neither table may remain.
    const late = folder({
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,9\n',
      'movies.csv': 'movieId,title,genres\nnope,A,B\n',
    });
    await expect(importMovieLens(db, late, { prefix: 'late' })).rejects.toThrow(/movies\.csv, line 2/);
    const left = await db.query(
      'SELECT table_name FROM information_schema.tables ' +
        "WHERE table_name LIKE 'broken%' OR table_name LIKE 'short%' OR table_name LIKE 'late%'",
    );
    expect(left.numRows).toBe(0);
  });

  it('says what a folder lacks', async () => {
    await expect(importMovieLens(db, folder({ 'x.txt': '' }))).rejects.toThrow(/not a MovieLens folder/);
  });

  it.skipIf(!existsSync(MOVIELENS))(
    'reads ml-latest-small from RECLAB_MOVIELENS or ../shared/datasets (skipped when that folder is missing)',
    async () => {
      const d = Dataset.fromData(await importMovieLens(db, MOVIELENS, { prefix: 'small' }));
      expect([d.numUsers, d.numItems, d.numInteractions]).toEqual([610, 9724, 100836]);
      expect(d.itemTitle(d.itemIndex(1))).toBe('Toy Story (1995)');
    },
  );
});

describe('Dataset from SQL', () => {
  it('builds from a query with a column mapping, and keeps only high ratings as implicit feedback', async () => {
    const d = await Dataset.fromQuery(
      db,
      "SELECT * FROM (VALUES ('ann', 10, 4.5, 100), ('bob', 10, 2.0, 50), ('bob', 11, 5.0, 60)) " +
        't(who, what, stars, moment)',
      { user: 'who', item: 'what', rating: 'stars', timestamp: 'moment' },
    );
    expect([d.numUsers, d.numItems, d.feedback]).toEqual([2, 2, 'explicit']);
    expect(Array.from(d.timestamps!)).toEqual([100, 50, 60]);
    const liked = d.implicit(4);
    expect([liked.numInteractions, liked.feedback, liked.values[0]]).toEqual([2, 'implicit', 1]);
    expect(liked.numItems).toBe(2);
    const table = await db.query('SELECT 1 AS u, 2 AS i');
    expect(() => Dataset.fromTable(table, { user: 'u', item: 'missing' })).toThrow(/No column "missing"/);
  });

  it('says which file is missing', async () => {
    await expect(
      importMovieLens(db, folder({ 'ratings.csv': 'userId,movieId,rating,timestamp\n' })),
    ).rejects.toThrow(/movies\.csv: expected this file to exist/);
  });
});

describe('Taobao and plain files', () => {
  it('reads UserBehavior.csv as implicit events with the category as item feature, filtered by behaviour', async () => {
    const dir = folder({
      'UserBehavior.csv':
        '1,2268318,2520377,pv,1511544070\n1,2333346,2520771,buy,1511561733\n2,2268318,2520377,cart,1511572885\n',
    });
    const data = await importTaobao(db, path.join(dir, 'UserBehavior.csv'), { behaviours: ['pv', 'cart'] });
    const d = Dataset.fromData(data);
    expect([d.numUsers, d.numItems, d.numInteractions, d.feedback]).toEqual([2, 1, 2, 'implicit']);
    expect(d.itemFeatures.decode('category', 0)).toEqual(['2520377']);
    // Any table name works; a behaviour the file does not have is refused, not silently empty.
    const named = await importTaobao(db, path.join(dir, 'UserBehavior.csv'), { table: 'my-taobao' });
    expect(Dataset.fromData(named).numInteractions).toBeGreaterThan(0);
    await expect(
      importTaobao(db, path.join(dir, 'UserBehavior.csv'), { behaviours: ['click' as 'pv'] }),
    ).rejects.toThrow(/unknown behaviour "click"/);
  });

  it('reads CSV, TSV and JSON by extension, and refuses others', async () => {
    const dir = folder({
      'a.csv': 'u,i\n1,2\n',
      'a.tsv': 'u\ti\n1\t2\n',
      'a.json': '[{"u":1,"i":2}]',
      'a.xls': '',
    });
    for (const f of ['a.csv', 'a.tsv', 'a.json'])
      expect((await readDataFile(db, path.join(dir, f))).rows()).toEqual([{ u: 1, i: 2 }]);
    await expect(readDataFile(db, path.join(dir, 'a.xls'))).rejects.toThrow(/expected one of \.csv/);
    // A malformed file of any kind names the file, and the line where DuckDB can tell it.
    // (past the rows DuckDB samples to detect the layout, where it cannot adapt to the bad line)
    const bad = folder({ 'bad.csv': `u,i\n${'1,2\n'.repeat(30_000)}5,6,7\n`, 'bad.json': '[{"u": 1,' });
    await expect(readDataFile(db, path.join(bad, 'bad.csv'))).rejects.toThrow(
      /bad\.csv, line 30002: expected 2 fields separated by ",", as on line 1 .*; found "5,6,7"/,
    );
    await expect(readDataFile(db, path.join(bad, 'bad.json'))).rejects.toThrow(
      /bad\.json: expected a file DuckDB can read; found/,
    );
  });
});
