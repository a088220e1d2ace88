import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STEP_NAMES } from './compile.js';
import { specSchema } from './spec-schema.js';
import type { InputSpec, OutputSpec, StepName } from './spec.js';
import type { StepOptions } from './steps/step.js';

/**
 * Compiles only when `keys` lists every key of T: with FIELDS below, a field added to a step's
 * TypeScript type but not to the schema (or the other way round) fails the build or this test.
 */
function keysOf<T>() {
  return <const L extends readonly (keyof T & string)[]>(keys: L & (Exclude<keyof T, L[number]> extends never ? unknown : { missing: Exclude<keyof T, L[number]> })): readonly string[] => keys;
}

/** Every step's fields, as its TypeScript type (src/pipeline/spec.ts) has them. */
const FIELDS = {
  select: keysOf<StepOptions<'select'>>()(['columns']),
  rename: keysOf<StepOptions<'rename'>>()(['columns']),
  cast: keysOf<StepOptions<'cast'>>()(['columns', 'to']),
  impute: keysOf<StepOptions<'impute'>>()(['columns', 'values', 'strategy']),
  standardize: keysOf<StepOptions<'standardize'>>()(['columns', 'mean', 'scale']),
  min_max: keysOf<StepOptions<'min_max'>>()(['columns', 'min', 'max', 'range']),
  clip: keysOf<StepOptions<'clip'>>()(['columns', 'min', 'max']),
  log1p: keysOf<StepOptions<'log1p'>>()(['columns']),
  one_hot: keysOf<StepOptions<'one_hot'>>()(['column', 'categories', 'unknown', 'nulls']),
  ordinal: keysOf<StepOptions<'ordinal'>>()(['column', 'categories', 'unknown_value', 'output']),
  bucketize: keysOf<StepOptions<'bucketize'>>()(['column', 'edges', 'output']),
  date_parts: keysOf<StepOptions<'date_parts'>>()(['column', 'parts', 'prefix']),
  image: keysOf<StepOptions<'image'>>()(['column', 'root', 'color', 'resize', 'crop', 'interpolation', 'scale', 'mean', 'std', 'layout', 'dtype', 'output']),
  tokenize: keysOf<StepOptions<'tokenize'>>()(['column', 'tokenizer', 'max_length', 'truncation', 'padding', 'pad_token', 'prefix']),
} satisfies Record<StepName, readonly string[]>;

interface Node {
  readonly properties?: Readonly<Record<string, Node>>;
  readonly additionalProperties?: Node;
  readonly items?: Node;
  readonly propertyNames?: { readonly enum?: readonly string[] };
}

const root = specSchema() as Node;
const stepItem = root.properties?.['steps']?.items;
const fieldsOf = (node: Node | undefined): string[] => Object.keys(node?.properties ?? {}).sort();

describe('the spec schema and the TypeScript types say the same', () => {
  it('the schema names exactly the steps of the compiler registry, in the same order', () => {
    assert.deepEqual(stepItem?.propertyNames?.enum, STEP_NAMES);
    assert.deepEqual(Object.keys(stepItem?.properties ?? {}), STEP_NAMES);
  });

  for (const name of STEP_NAMES) {
    it(`${name}: the schema's fields are the type's fields`, () => {
      assert.deepEqual(fieldsOf(stepItem?.properties?.[name]), [...FIELDS[name]].sort());
    });
  }

  it("inputs, outputs, threshold and top_k: the schema's fields are the types' fields", () => {
    const input = root.properties?.['inputs']?.additionalProperties;
    const output = root.properties?.['outputs']?.additionalProperties;
    assert.deepEqual(fieldsOf(input), [...keysOf<InputSpec>()(['columns', 'dtype', 'shape'])].sort());
    assert.deepEqual(fieldsOf(output), [...keysOf<OutputSpec>()(['labels', 'argmax', 'threshold', 'top_k'])].sort());
    assert.deepEqual(fieldsOf(output?.properties?.['threshold']), [...keysOf<NonNullable<OutputSpec['threshold']>>()(['value', 'column', 'positive', 'negative'])].sort());
    assert.deepEqual(fieldsOf(output?.properties?.['top_k']), [...keysOf<NonNullable<OutputSpec['top_k']>>()(['k', 'prefix'])].sort());
    assert.deepEqual(Object.keys(root.properties ?? {}).sort(), ['inputs', 'outputs', 'steps', 'version']);
  });
});
