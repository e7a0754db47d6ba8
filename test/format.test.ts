import { describe, expect, it } from 'vitest';
import { formatDuration, formatRate } from '../src/api';
import { progressText } from '../src/kernel';

describe('progress as text, shared by the kernel and the workbench', () => {
  it('writes durations as mm:ss, and h:mm:ss from an hour on', () => {
    expect(formatDuration(75)).toBe('01:15');
    expect(formatDuration(3700)).toBe('1:01:40');
    expect(formatDuration(null)).toBe('?');
    expect(formatRate(1234.5)).toBe('1235');
    expect(formatRate(3.14159)).toBe('3.14');
    expect(progressText({ label: 'fit', value: 1, total: 2, elapsedSeconds: 3700, rate: 0.5, etaSeconds: 2, done: false })).toContain('[1:01:40<00:02, 0.50/s]');
  });
});
