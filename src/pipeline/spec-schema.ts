// Pipeline: checks a parsed spec against schema/pipeline.schema.json, the one definition of the spec's
// structure, and words each problem as "<path>: expected ..., got ...". The only importer of ajv.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** The part of a JSON Schema that the messages read. */
interface SchemaNode {
  readonly title?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly propertyNames?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly minimum?: number;
  readonly items?: SchemaNode | readonly SchemaNode[];
}

let schema: SchemaNode | undefined;

/** The published schema (shipped in the package's schema/ folder), read on first use. */
export function specSchema(): SchemaNode {
  schema ??= JSON.parse(readFileSync(new URL('../../../schema/pipeline.schema.json', import.meta.url), 'utf8')) as SchemaNode;
  return schema;
}

let validator: ValidateFunction | undefined;

/** Compiled on first use: the schema and ajv are loaded only when a spec is read, not on every start of the tool. */
function validate(value: unknown): readonly ErrorObject[] {
  if (validator === undefined) {
    // A synchronous require keeps readSpec synchronous; ajv ships CommonJS.
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    const ajv = new Ajv({
      allErrors: true,
      // The messages below read the failing schema node and value.
      verbose: true,
      // 'toString' or 'constructor' are keys like any other, never inherited ones.
      ownProperties: true,
      // The schema's `default`s are the documented defaults (one_hot unknown, min_max range, top_k prefix).
      useDefaults: true,
      // Categories are strings or numbers; a shape list is [N] or [N, K], shorter than its 2-tuple.
      allowUnionTypes: true,
      strictTuples: false,
    });
    validator = ajv.compile(specSchema());
  }
  return validator(value) ? [] : (validator.errors ?? []);
}

/**
 * The schema's problems with `value`, one line each, in document order. Fills the schema's defaults
 * into `value` (pass a copy).
 */
export function schemaProblems(value: unknown): string[] {
  const errors = validate(value);
  // A failed anyOf or propertyNames is worded once, from its own node, not per branch tried.
  const wrappers = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'propertyNames').map((error) => `${error.schemaPath}/`);
  const problems = errors.filter((error) => !wrappers.some((prefix) => error.schemaPath.startsWith(prefix))).map((error) => describeError(error, value));
  return [...new Set(problems)];
}

/** A JSON pointer as the messages print it: steps[0].one_hot.categories (lists by index, mappings by key). */
export function specPath(pointer: string, root: unknown): string {
  let path = '';
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += Array.isArray(node) ? `[${key}]` : path === '' ? key : `.${key}`;
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

function describeError(error: ErrorObject, root: unknown): string {
  const path = specPath(error.instancePath, root);
  const where = path === '' ? 'the spec' : path;
  const node = (error.parentSchema ?? {}) as SchemaNode;
  // A spec file with nothing in it parses as null.
  const got = path === '' && error.data === null ? 'an empty document' : describeValue(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path === '' ? '' : `${path}.`}${String(params['missingProperty'])}: required, but missing`;
    case 'additionalProperties':
      return `${where}: unknown key '${String(params['additionalProperty'])}' (expected ${Object.keys(node.properties ?? {}).join(', ')})`;
    case 'propertyNames': {
      const names = node.propertyNames;
      return `${where}: unknown ${names?.title ?? 'key'} '${String(params['propertyName'])}' (expected one of ${(names?.enum ?? []).join(', ')})`;
    }
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(error.data as object);
      const choices = node.propertyNames?.enum === undefined ? '' : ` (${node.propertyNames.enum.join(', ')})`;
      const limit = Number(params['limit']);
      const count = `${limit === 1 ? 'one' : limit} ${limit === 1 ? 'entry' : 'entries'}`;
      const expected = node.title ?? `${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${count}`;
      return `${where}: expected ${expected}${choices}, got ${keys.length === 0 ? 'none' : keys.join(', ')}`;
    }
    case 'anyOf': {
      // Branches that each only require a key (clip: min, max or both): say that none is there.
      const requiredOnly = node.anyOf?.every((branch) => Object.keys(branch).length === 1 && branch.required !== undefined) === true;
      return `${where}: expected ${node.title ?? 'another form'}, got ${requiredOnly ? (node.anyOf?.length === 2 ? 'neither' : 'none') : got}`;
    }
    case 'type':
      return `${where}: expected ${expectedType(node)}, got ${got}`;
    case 'minLength':
      return `${where}: expected a non-empty string, got ${got}`;
    case 'minItems':
      return `${where}: expected ${node.title ?? (params['limit'] === 1 ? 'a non-empty list' : `a list of at least ${String(params['limit'])}`)}, got ${got}`;
    case 'maxItems':
      return `${where}: expected ${node.title ?? `a list of at most ${String(params['limit'])}`}, got ${got}`;
    case 'uniqueItems':
      return `${where}: ${JSON.stringify((error.data as unknown[])[params['i'] as number])} appears twice`;
    case 'enum':
      return `${where}: expected one of ${(error.schema as unknown[]).join(', ')}, got ${got}`;
    case 'const':
      return `${where}: expected ${JSON.stringify(params['allowedValue'])}, got ${got}`;
    case 'minimum':
      return `${where}: expected ${expectedType(node)}, got ${got}`;
    case 'not':
      return `${where}: expected ${node.title ?? 'another value'}, got ${got}`;
    default:
      return `${where}: ${error.message ?? error.keyword}, got ${got}`;
  }
}

/** What a schema node's type asks for, in words. */
function expectedType(node: SchemaNode): string {
  const words: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: node.minLength === undefined ? 'a string' : 'a non-empty string',
    number: 'a finite number',
    integer: node.minimum === undefined ? 'a whole number' : `a whole number of at least ${node.minimum}`,
    boolean: 'true or false',
  };
  const types = typeof node.type === 'string' ? [node.type] : (node.type ?? []);
  return types.map((type) => words[type] ?? type).join(' or ');
}

/** A value as the messages show it: its kind, and short values in full. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return value.length > 0 && text.length <= 40 ? `a list of ${value.length}: ${text}` : `a list of ${value.length}`;
  }
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
