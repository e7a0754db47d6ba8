import { describe, expect, it } from 'vitest';
import { outline } from '../renderer/src/lib/outline';
import { dataFileSql, fileStem } from '../renderer/src/lib/data-file-sql';
import { findAll, replaceRanges } from '../renderer/src/lib/find';

const md = (handle: string, source: string) => ({ handle, kind: 'markdown', source });

describe('the table of contents', () => {
  it('lists the Markdown headings in order, with their level and plain text', () => {
    const cells = [
      md('a', '# Ratings **at a glance**\nsome text\n## The `long` tail ##'),
      { handle: 'b', kind: 'typescript', source: '# not a heading in code' },
      md('c', '```sh\n# a comment in a fence\n```\n### [Models](https://x.example) compared\n#nospace'),
    ];
    expect(outline(cells)).toEqual([
      { handle: 'a', level: 1, text: 'Ratings at a glance' },
      { handle: 'a', level: 2, text: 'The long tail' },
      { handle: 'c', level: 3, text: 'Models compared' },
    ]);
  });
});

describe('the SQL cell of a data file', () => {
  it('reads a file under the notebook by its relative path, bound to a name made of its stem', () => {
    expect(dataFileSql('/home/ana/work/data/ml ratings.csv', '/home/ana/work')).toBe(
      "-- name: ml_ratings\nSELECT * FROM read_csv('data/ml ratings.csv')",
    );
    expect(dataFileSql('/home/ana/work/100k.parquet', '/home/ana/work/')).toBe(
      "-- name: _100k\nSELECT * FROM read_parquet('100k.parquet')",
    );
    expect(dataFileSql('C:\\data\\events.jsonl.gz', 'D:\\notebooks')).toBe(
      "-- name: events\nSELECT * FROM read_json('C:/data/events.jsonl.gz')",
    );
    expect(dataFileSql("/tmp/o'brien.tsv", '/home')).toBe(
      "-- name: o_brien\nSELECT * FROM read_csv('/tmp/o''brien.tsv')",
    );
    // A new notebook made from a data file is named by the same stem.
    expect(['ratings.csv.gz', 'events.jsonl', 'x.y.parquet', 'README'].map(fileStem)).toEqual([
      'ratings',
      'events',
      'x.y',
      'README',
    ]);
  });
});

describe('find and replace', () => {
  it('finds every occurrence, with or without case, and replaces the ones asked', () => {
    const text = 'Rating, rating and RATING; ratings.';
    expect(findAll(text, 'rating', false)).toEqual([
      [0, 6],
      [8, 14],
      [19, 25],
      [27, 33],
    ]);
    expect(findAll(text, 'rating', true)).toEqual([
      [8, 14],
      [27, 33],
    ]);
    expect(findAll('aaaa', 'aa', true)).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(findAll(text, '', false)).toEqual([]);
    expect(replaceRanges(text, findAll(text, 'rating', true), 'score')).toBe(
      'Rating, score and RATING; scores.',
    );
    expect(replaceRanges(text, [[8, 14]], 'x')).toBe('Rating, x and RATING; ratings.');
  });
});
