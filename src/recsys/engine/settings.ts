/**
 * A model's settings, declared once with their type and bounds: the constructor and `fit`
 * check what they are given against the declaration, so a misspelled name or a value out
 * of range is an error naming the setting (and the closest name), never silently kept.
 */
import { closestNames } from '../names';

export type SettingSpec =
  | { type: 'int'; min?: number; max?: number }
  | {
      type: 'number';
      min?: number;
      max?: number;
      /** Which bounds are themselves not allowed: true for both. */ open?: boolean | 'min' | 'max';
    }
  | { type: 'boolean' }
  | { type: 'choice'; values: readonly string[] }
  /** A list of whole numbers (layer widths); `length` fixes how many. */
  | { type: 'ints'; min?: number; length?: number }
  /** A list of numbers (weights), non-empty, each finite and within the bounds. */
  | { type: 'numbers'; min?: number; max?: number }
  /** A non-empty list of distinct values from `values` (the tasks a model learns). */
  | { type: 'choices'; values: readonly string[] };

/** Each setting of a model's config, with its default and its spec. */
export type SettingsSchema<C> = { readonly [K in keyof C]: SettingSpec & { readonly default: C[K] } };

/** The defaults of a schema, as a fresh config. */
export function defaults<C>(schema: SettingsSchema<C>): C {
  const out = {} as C;
  for (const key of Object.keys(schema) as (keyof C)[]) {
    const d = schema[key].default;
    out[key] = (Array.isArray(d) ? [...d] : d) as C[keyof C];
  }
  return out;
}

/**
 * Checks `given` against the schema: every name must be a setting (else an error naming
 * the closest), every value of its type and within its bounds. Returns the given settings,
 * copied. `where` says who gave them, for the message ("SASRec.fit", "new rl.SASRec");
 * `others` are names the caller takes itself (fit's controls), so a misspelling of one
 * is pointed at it too.
 */
export function checkSettings<C>(
  schema: SettingsSchema<C>,
  given: object,
  where: string,
  others: readonly string[] = [],
): Partial<C> {
  const names = Object.keys(schema);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(schema, name)) {
      const close = closestNames(name, [...names, ...others], 1)[0];
      const also = others.length ? ` (and ${others.join(', ')})` : '';
      throw new Error(
        `${where}: no setting "${name}"${close ? `; did you mean "${close}"?` : '.'} ` +
          `Its settings are ${names.join(', ')}${also}.`,
      );
    }
    const problem = check(schema[name as keyof C], value);
    if (problem) throw new Error(`${where}: ${name} must be ${problem}, got ${show(value)}.`);
    out[name] = Array.isArray(value) ? [...value] : value;
  }
  return out as Partial<C>;
}

/** What the value should be, when it is not; null when it fits. */
function check(spec: SettingSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'int':
      return Number.isInteger(value) && inRange(value as number, spec.min, spec.max, false)
        ? null
        : `a whole number${range(spec.min, spec.max, false)}`;
    case 'number':
      return typeof value === 'number' &&
        Number.isFinite(value) &&
        inRange(value, spec.min, spec.max, spec.open)
        ? null
        : `a number${range(spec.min, spec.max, spec.open)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'true or false';
    case 'choice':
      return typeof value === 'string' && spec.values.includes(value)
        ? null
        : `one of ${spec.values.map((v) => `"${v}"`).join(', ')}`;
    case 'ints': {
      const ok =
        Array.isArray(value) &&
        (spec.length === undefined ? value.length > 0 : value.length === spec.length) &&
        value.every((v) => Number.isInteger(v) && inRange(v as number, spec.min, undefined, false));
      return ok
        ? null
        : `${spec.length === undefined ? 'a list of' : `a list of ${spec.length}`} ` +
            `whole numbers${range(spec.min, undefined, false)}, e.g. [64, 32]`;
    }
    case 'numbers': {
      const ok =
        Array.isArray(value) &&
        value.length > 0 &&
        value.every(
          (v) => typeof v === 'number' && Number.isFinite(v) && inRange(v, spec.min, spec.max, false),
        );
      return ok ? null : `a non-empty list of numbers${range(spec.min, spec.max, false)}, e.g. [1, 0.5]`;
    }
    case 'choices': {
      const ok =
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => typeof v === 'string' && spec.values.includes(v)) &&
        new Set(value).size === value.length;
      return ok
        ? null
        : `a non-empty list of distinct values from ${spec.values.map((v) => `"${v}"`).join(', ')}`;
    }
  }
}

type Open = Extract<SettingSpec, { type: 'number' }>['open'];

const openMin = (open: Open) => open === true || open === 'min';
const openMax = (open: Open) => open === true || open === 'max';

function inRange(v: number, min: number | undefined, max: number | undefined, open: Open): boolean {
  if (min !== undefined && (openMin(open) ? v <= min : v < min)) return false;
  if (max !== undefined && (openMax(open) ? v >= max : v > max)) return false;
  return true;
}

function range(min: number | undefined, max: number | undefined, open: Open): string {
  const lo = openMin(open) ? '>' : '≥';
  const hi = openMax(open) ? '<' : '≤';
  if (min !== undefined && max !== undefined) return ` ${lo} ${min} and ${hi} ${max}`;
  if (min !== undefined) return ` ${lo} ${min}`;
  if (max !== undefined) return ` ${hi} ${max}`;
  return '';
}

function show(value: unknown): string {
  return typeof value === 'string'
    ? `"${value}"`
    : Array.isArray(value)
      ? `[${value.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ')}]`
      : String(value);
}

/** Fit options that steer a fit rather than set the model. */
export const FIT_CONTROLS: readonly string[] = ['onEpoch', 'signal', 'progress', 'resume', 'sample'];

/** The settings among a fit's options (every key that is not a control), checked against the schema. */
export function fitSettings<C>(schema: SettingsSchema<C>, options: object, where: string): Partial<C> {
  const given = Object.fromEntries(Object.entries(options).filter(([name]) => !FIT_CONTROLS.includes(name)));
  return checkSettings(schema, given, where, FIT_CONTROLS);
}

/**
 * Runs a fit with `settings` applied to `config`: they stay (they are what the model now is,
 * and what save() records), unless the fit throws, which puts the config back as it was.
 */
export async function fitWith<C extends object, T>(
  config: C,
  settings: Partial<C>,
  fit: () => Promise<T>,
): Promise<T> {
  const before = { ...config };
  Object.assign(config, settings);
  try {
    return await fit();
  } catch (e) {
    Object.assign(config, before);
    throw e;
  }
}
