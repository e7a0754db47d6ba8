import { describe, expect, it } from 'vitest';
import { toTsv } from '../renderer/src/lib/tsv';

describe('copying grid cells as tab-separated text', () => {
  it('puts the header first, NULL as an empty field and nested values as JSON', () => {
    expect(
      toTsv(
        ['id', 'score', 'tags'],
        [
          [1, 0.125, ['a', 'b']],
          [2, null, { k: 1 }],
          [3, true, 'plain'],
        ],
      ),
    ).toBe('id\tscore\ttags\n1\t0.125\t["a","b"]\n2\t\t{"k":1}\n3\ttrue\tplain');
  });

  it('quotes fields holding tabs or line breaks, or starting with a quote, doubling their quotes', () => {
    expect(toTsv(['a\tb'], [['say "hi"'], ['"quoted"'], ['two\nlines'], ['ok']])).toBe(
      '"a\tb"\nsay "hi"\n"""quoted"""\n"two\nlines"\nok',
    );
  });
});
