import { describe, expect, it } from 'vitest';
import { formatCount, formatCountOf, formatDuration, formatRate, formatValue } from '../src/api';
import { progressText } from '../src/api';

describe('progress as text, shared by the kernel and the workbench', () => {
  it('writes durations as mm:ss, and h:mm:ss from an hour on', () => {
    expect(formatDuration(75)).toBe('01:15');
    expect(formatDuration(3700)).toBe('1:01:40');
    expect(formatDuration(null)).toBe('?');
    expect(formatRate(1234.5)).toBe('1235');
    expect(formatRate(3.14159)).toBe('3.14');
    expect(
      progressText({
        label: 'fit',
        value: 1,
        total: 2,
        elapsedSeconds: 3700,
        rate: 0.5,
        etaSeconds: 2,
        done: false,
      }),
    ).toContain('[1:01:40<00:02, 0.50/s]');
  });
});

describe('counts and values', () => {
  it('separates thousands, says one and many, and writes cells as the grid and the previews do', () => {
    expect(formatCount(100836)).toBe('100,836');
    expect([formatCountOf(1, 'row'), formatCountOf(1000000, 'row')]).toEqual(['1 row', '1,000,000 rows']);
    expect([null, 3, 0.123456789, 'x', { a: 1 }].map(formatValue)).toEqual([
      'NULL',
      '3',
      '0.123457',
      'x',
      '{"a":1}',
    ]);
  });
});
