/**
 * Runtime checks against the contract's schemas, with messages a person can act on:
 * `page: "offset" must be a number, not string.` TypeBox's own first error for a union is
 * "Expected union value"; here a tagged union (cell edits, kernel messages) is checked
 * against the member its tag names, so the message points at the field that is wrong.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/** `value`, typed by `schema`; otherwise an Error that names `where`, the field and what it must be. */
export function checked<S extends TSchema>(
  schema: S,
  value: unknown,
  where: string,
  whole = 'the value',
): Static<S> {
  const problem = firstProblem(schema, value, '', whole);
  if (problem === undefined) return value as Static<S>;
  throw new Error(`${where}: ${problem}.`);
}

/** What is wrong with `value` for `schema`, in words, or undefined when it fits. */
export function firstProblem(
  schema: TSchema,
  value: unknown,
  prefix = '',
  whole = 'the value',
): string | undefined {
  if (Value.Check(schema, value)) return undefined;
  const error = Value.Errors(schema, value).First();
  if (!error) return `${whole} does not have the expected shape`;
  return describe(error, prefix, whole);
}

function describe(error: ValueError, prefix: string, whole: string): string {
  const path = `${prefix}${error.path}`;
  const field = path ? `"${path.slice(1).replaceAll('/', '.')}"` : whole;
  if (error.type === ValueErrorType.ObjectRequiredProperty) return `${field} is missing`;
  if (error.type === ValueErrorType.Union) return describeUnion(error.schema, error.value, path, field);
  if (error.type === ValueErrorType.Literal) return `${field} must be ${JSON.stringify(error.schema.const)}`;
  const expected = expectedType(error.schema);
  if (expected && !hasType(error.schema, error.value)) {
    const actual = schemaWantsInteger(error.schema, error.value) ? error.value : kindOf(error.value);
    return `${field} must be ${expected}, not ${actual}`;
  }
  return `${field}: ${error.message.toLowerCase()}`;
}

/** A tagged union is checked against the member whose tag matches; otherwise the choices are listed. */
function describeUnion(schema: TSchema, value: unknown, path: string, field: string): string {
  const members = (schema.anyOf ?? []) as TSchema[];
  const literals = members.filter((m) => m.const !== undefined).map((m) => JSON.stringify(m.const));
  if (literals.length === members.length && literals.length > 0)
    return `${field} must be one of ${literals.join(', ')}`;
  const tag = value && typeof value === 'object' && !Array.isArray(value) ? tagOf(members) : undefined;
  if (tag) {
    const given = (value as Record<string, unknown>)[tag];
    // Several members may share a tag (a reply that is ok or not): take the one whose every fixed field fits.
    const tagged = members.filter((m) => m.properties?.[tag]?.const === given);
    const member = tagged.find((m) => fixedFieldsFit(m, value as Record<string, unknown>)) ?? tagged[0];
    if (member) return firstProblem(member, value, path, field) ?? `${field} does not fit`;
    const tags = members.map((m) => JSON.stringify(m.properties[tag].const)).join(', ');
    return `"${path ? `${path.slice(1).replaceAll('/', '.')}.` : ''}${tag}" must be one of ${tags}`;
  }
  const kinds = [...new Set(members.map((m) => expectedType(m) ?? 'another shape'))];
  return `${field} must be ${kinds.join(' or ')}, not ${kindOf(value)}`;
}

/** The property every member of a union of objects fixes to a literal, such as `op` or `type`. */
function tagOf(members: TSchema[]): string | undefined {
  const first = members[0]?.properties as Record<string, TSchema> | undefined;
  if (!first) return undefined;
  return Object.keys(first).find((key) => members.every((m) => m.properties?.[key]?.const !== undefined));
}

function fixedFieldsFit(member: TSchema, value: Record<string, unknown>): boolean {
  return Object.entries(member.properties as Record<string, TSchema>).every(
    ([key, field]) => field.const === undefined || field.const === value[key],
  );
}

function expectedType(schema: TSchema): string | undefined {
  switch (schema.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return `a ${schema.type}`;
    case 'integer':
      return 'a whole number';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return undefined;
  }
}

function hasType(schema: TSchema, value: unknown): boolean {
  switch (schema.type) {
    case 'integer':
      return Number.isInteger(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return typeof value === schema.type;
  }
}

/** A fraction where a whole number belongs is named by its value: "not number" would puzzle. */
function schemaWantsInteger(schema: TSchema, value: unknown): boolean {
  return schema.type === 'integer' && typeof value === 'number';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
