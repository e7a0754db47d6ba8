/**
 * How progress reads, in the notebook's text output and in the workbench alike (this file
 * has no dependencies, so the browser can load it too).
 */

/** mm:ss, or h:mm:ss from an hour on; "?" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const t = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  return t >= 3600 ? `${Math.floor(t / 3600)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}` : `${two(Math.floor(t / 60))}:${two(t % 60)}`;
}

/** Items per second: whole from 100 on, two decimals below. */
export function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(2);
}
