/**
 * How numbers and values read, in the kernel's text and static outputs and in the workbench
 * alike (this file has no dependencies, so the browser can load it too).
 */
import type { ProgressState, TypeErrorsOutput } from './payloads';

/** mm:ss, or h:mm:ss from an hour on; "?" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const t = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  return t >= 3600
    ? `${Math.floor(t / 3600)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`
    : `${two(Math.floor(t / 60))}:${two(t % 60)}`;
}

/** Items per second: whole from 100 on, two decimals below. */
export function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(2);
}

/** A count with thousands separators: 100,836. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 row", "2 rows", with the count separated by thousands. */
export function formatCountOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** A table cell as text: NULL for missing, numbers to 6 significant digits, JSON for the rest. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A progress bar as text: `label ████░░ 3/4 [00:01<00:00, 2.00/s]`, as tqdm prints it. */
export function progressText(s: ProgressState): string {
  const width = 30;
  // A value past its total (a file edited by hand) draws a full bar, not a broken one.
  const fraction = s.total > 0 ? Math.min(1, Math.max(0, s.value / s.total)) : 1;
  const filled = Math.round(fraction * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const eta = s.done ? '' : `<${formatDuration(s.etaSeconds)}`;
  const label = s.label ? `${s.label} ` : '';
  return `${label}${bar} ${s.value}/${s.total} [${formatDuration(s.elapsedSeconds)}${eta}, ${formatRate(s.rate)}/s]`;
}

/** A cell's type errors as text, one a line: `Type error at line 1: Type 'string' is not assignable …`. */
export function typeErrorsText({ errors, stopped }: TypeErrorsOutput): string {
  const lines = errors.map((e) => `Type error at line ${e.line}: ${e.message}`);
  if (stopped) lines.push('The cell did not run: type errors stop runs in this notebook (☰ Menu → Kernel).');
  return lines.join('\n');
}
