import { exactInteger } from '../data';

/**
 * A value as strict JSON (the IPC channel, a WebSocket, a table page) can carry it: NaN and
 * infinities as null, typed arrays as arrays, dates as ISO text, big integers exact (as
 * text beyond 2^53), undefined in arrays as null. Functions are dropped, and reported to
 * `onFunction` where given.
 */
export function jsonSafe(v: unknown, onFunction?: () => void): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return exactInteger(v);
  if (typeof v === 'function') onFunction?.();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return null;
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return Array.from(v as unknown as ArrayLike<unknown>, (x) => jsonSafe(x));
  if (Array.isArray(v)) return v.map((x) => jsonSafe(x, onFunction));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'function') onFunction?.();
    else if (x !== undefined && typeof x !== 'symbol') out[k] = jsonSafe(x, onFunction);
  }
  return out;
}
