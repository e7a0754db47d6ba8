/**
 * JSON as Jupyter writes it: `json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"`.
 *
 * JavaScript's own JSON loses the difference between `1.0` and `1` and formats floats
 * differently from Python (`1e-05` vs `0.00001`), so an unchanged notebook would not
 * survive a load/save byte for byte. The parser here keeps every number whose text the
 * writer would not reproduce as a {@link JsonNumberText}; the writer prints floats the
 * way Python's `repr` does.
 */

export type JsonValue = null | boolean | number | string | JsonNumberText | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export const isJsonObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumberText);

/** A number kept with its original spelling, because re-formatting would change it. */
export class JsonNumberText {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

/** How deeply arrays and objects may nest; notebooks from real tools stay far below it. */
export const MAX_DEPTH = 512;

/** Parses JSON text, keeping number spellings the writer could not reproduce. */
export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (reason: string): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(reason, line, pos - lineStart + 1);
  };

  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
      else return;
    }
  };

  const describe = () => (pos >= text.length ? 'end of file' : JSON.stringify(text[pos]));

  const parseString = (): string => {
    // Strings are the bulk of a notebook: find the closing quote, let JSON.parse unescape.
    const start = pos;
    pos++;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 34) break;
      if (c === 92) pos++;
      else if (c < 32) fail('control character in string');
      pos++;
    }
    pos++;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      pos = start;
      return fail('invalid escape in string');
    }
  };

  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const parseNumber = (): number | JsonNumberText => {
    numberPattern.lastIndex = pos;
    const match = numberPattern.exec(text);
    if (!match) fail(`unexpected ${describe()}`);
    const spelled = match![0];
    pos += spelled.length;
    const value = Number(spelled);
    return formatNumber(value) === spelled ? value : new JsonNumberText(spelled, value);
  };

  const parseValue = (depth: number): JsonValue => {
    skipSpace();
    const c = text[pos];
    // Deeper nesting would overflow the stack here and in everything that walks the result.
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    if (c === '{') {
      pos++;
      const object: JsonObject = {};
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail(`expected a property name, found ${describe()}`);
        const key = parseString();
        skipSpace();
        if (text[pos] !== ':') fail(`expected ':', found ${describe()}`);
        pos++;
        const value = parseValue(depth + 1);
        // Assigning "__proto__" would set the object's prototype instead of keeping the field.
        if (key === '__proto__')
          Object.defineProperty(object, key, { value, enumerable: true, writable: true });
        else object[key] = value;
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return object;
        } else fail(`expected ',' or '}', found ${describe()}`);
      }
    }
    if (c === '[') {
      pos++;
      const array: JsonValue[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return array;
      }
      for (;;) {
        array.push(parseValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return array;
        } else fail(`expected ',' or ']', found ${describe()}`);
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) return ((pos += 4), true);
    if (text.startsWith('false', pos)) return ((pos += 5), false);
    if (text.startsWith('null', pos)) return ((pos += 4), null);
    // Not JSON, but Python's json module (and so Jupyter) writes them.
    if (text.startsWith('NaN', pos)) return ((pos += 3), NaN);
    if (text.startsWith('Infinity', pos)) return ((pos += 8), Infinity);
    if (text.startsWith('-Infinity', pos)) return ((pos += 9), -Infinity);
    return parseNumber();
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  const value = parseValue(0);
  skipSpace();
  if (pos < text.length) fail(`unexpected ${describe()} after the end of the document`);
  return value;
}

/** Formats a number as Python's `json.dumps` does (`repr` for floats). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr.
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${whole}.${fraction}`;
}

/** Writes JSON with sorted keys and a one-space indent, ending in a newline. */
export function stringifyJupyter(value: JsonValue): string {
  const out: string[] = [];
  const write = (v: JsonValue, indent: string): void => {
    if (v === null || typeof v === 'boolean') out.push(String(v));
    // What JSON.stringify does with them inside an array (object keys holding them are skipped).
    else if (v === undefined || typeof v === 'function' || typeof v === 'symbol') out.push('null');
    else if (typeof v === 'number') out.push(formatNumber(v));
    // Neither is JSON; metadata set from code may still hold them.
    else if (typeof v === 'bigint') out.push(String(v));
    else if (v instanceof Date) out.push(JSON.stringify(v));
    else if (typeof v === 'string') out.push(JSON.stringify(v));
    else if (v instanceof JsonNumberText) out.push(v.text);
    else if (Array.isArray(v)) {
      if (v.length === 0) return void out.push('[]');
      const inner = indent + ' ';
      out.push('[\n');
      v.forEach((item, i) => {
        out.push(inner);
        write(item, inner);
        out.push(i < v.length - 1 ? ',\n' : '\n');
      });
      out.push(indent, ']');
    } else {
      const keys = Object.keys(v)
        .filter((k) => v[k] !== undefined && typeof v[k] !== 'function' && typeof v[k] !== 'symbol')
        .sort(compareCodePoints);
      if (keys.length === 0) return void out.push('{}');
      const inner = indent + ' ';
      out.push('{\n');
      keys.forEach((key, i) => {
        out.push(inner, JSON.stringify(key), ': ');
        write(v[key], inner);
        out.push(i < keys.length - 1 ? ',\n' : '\n');
      });
      out.push(indent, '}');
    }
  };
  write(value, '');
  out.push('\n');
  return out.join('');
}

/** Python sorts keys by code point; JavaScript's default sort compares UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done === cb.done ? 0 : ca.done ? -1 : 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}
