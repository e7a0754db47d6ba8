/**
 * Schemas of what crosses a process boundary as JSON: any JSON value, a MIME bundle and an
 * nbformat output. Their static types are the document model's own (src/notebook), so the
 * wire and the file agree by construction.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { JsonObject, JsonValue, MimeBundle, Output } from '../notebook';
import { firstProblem } from './validate';

export const JsonValueSchema = Type.Unsafe<JsonValue>(
  Type.Recursive((json) =>
    Type.Union([
      Type.Null(),
      Type.Boolean(),
      Type.Number(),
      Type.String(),
      Type.Array(json),
      Type.Record(Type.String(), json),
    ]),
  ),
);

export const JsonObjectSchema = Type.Unsafe<JsonObject>(Type.Record(Type.String(), JsonValueSchema));

export const MimeBundleSchema = Type.Unsafe<MimeBundle>(Type.Record(Type.String(), JsonValueSchema));

const MultilineString = Type.Union([Type.String(), Type.Array(Type.String())]);

const OutputSchemas: TSchema[] = [
  Type.Object({
    output_type: Type.Literal('stream'),
    name: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
    text: MultilineString,
  }),
  Type.Object({
    output_type: Type.Literal('display_data'),
    data: MimeBundleSchema,
    metadata: JsonObjectSchema,
  }),
  Type.Object({
    output_type: Type.Literal('execute_result'),
    execution_count: Type.Union([Type.Integer(), Type.Null()]),
    data: MimeBundleSchema,
    metadata: JsonObjectSchema,
  }),
  Type.Object({
    output_type: Type.Literal('error'),
    ename: Type.String(),
    evalue: Type.String(),
    traceback: Type.Array(Type.String()),
  }),
];

export const OutputSchema = Type.Unsafe<Output>(Type.Union(OutputSchemas));

export type OutputRead = { ok: true; output: Output } | { ok: false; error: string };

/**
 * An output from a file, checked against nbformat's shape: a display without `data`, an
 * error without `traceback` or a `null` is reported, so it can be shown as unreadable and
 * kept in the file as it is, instead of breaking the page or the export.
 */
export function readOutput(output: unknown): OutputRead {
  const problem = firstProblem(OutputSchema, output, '', 'the output');
  return problem === undefined ? { ok: true, output: output as Output } : { ok: false, error: problem };
}
