// Prefect's placeholder grammar and apply_values, reproduced rule for rule (reference §2.3–2.4).
import { lookup, NOT_SET, type NotSet } from './lookup.js';
import { pythonStr } from './python-str.js';

export type PlaceholderKind = 'standard' | 'env' | 'block' | 'variable';

export interface Placeholder {
  name: string;
  fullMatch: string;
  kind: PlaceholderKind;
}

const PATTERN = /\{\{\s*([\p{L}\p{N}\p{M}\p{Pc}.\-[\]$]+)\s*\}\}/gu;

function kindOf(name: string): PlaceholderKind {
  if (name.startsWith('prefect.blocks.')) return 'block';
  if (name.startsWith('prefect.variables.')) return 'variable';
  if (name.startsWith('$')) return 'env';
  return 'standard';
}

/**
 * Template strings seen before, with their placeholders: a pool's template strings are parsed once,
 * not once per run. Bounded: emptied when full (the strings of the pools in use come back at once).
 */
const parsed = new Map<string, readonly Placeholder[]>();
const PARSED_LIMIT = 20_000;
const PARSED_MAX_LENGTH = 4_096;

/** Distinct placeholders of a string, in order of first appearance. */
export function findPlaceholders(text: string): readonly Placeholder[] {
  const known = parsed.get(text);
  if (known) return known;
  const seen = new Map<string, Placeholder>();
  for (const match of text.matchAll(PATTERN)) {
    if (!seen.has(match[0])) seen.set(match[0], Object.freeze({ name: match[1], fullMatch: match[0], kind: kindOf(match[1]) }));
  }
  const found = Object.freeze([...seen.values()]);
  if (text.length <= PARSED_MAX_LENGTH) {
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, found);
  }
  return found;
}

/** All placeholders found in string values and array items of a template (keys are never templated). */
export function collectPlaceholders(template: unknown, into: Placeholder[] = []): Placeholder[] {
  if (typeof template === 'string') into.push(...findPlaceholders(template));
  else if (Array.isArray(template)) template.forEach((item) => collectPlaceholders(item, into));
  else if (template && typeof template === 'object') Object.values(template).forEach((v) => collectPlaceholders(v, into));
  return into;
}

export interface ApplyOptions {
  removeNotSet?: boolean;
  /** Reads `{{ $NAME }}`; return undefined for a variable that is not set or not allowed. */
  env?: (name: string) => string | undefined;
  /**
   * Shapes a value before it is put in place (whole-string) or into text (embedded).
   * `inText` is the template string the value lands in.
   */
  shape?: (value: unknown, inText: string | undefined) => unknown;
  /** Last look at a string whose embedded placeholders were filled. */
  finishText?: (rendered: string, template: string) => string;
}

function render(template: unknown, values: unknown, options: Required<ApplyOptions>): unknown | NotSet {
  if (template === NOT_SET || template === null || typeof template === 'number' || typeof template === 'boolean') {
    return template;
  }
  if (typeof template === 'string') {
    const placeholders = findPlaceholders(template);
    if (placeholders.length === 0) return template;
    if (placeholders.length === 1 && placeholders[0].fullMatch === template && placeholders[0].kind === 'standard') {
      const value = lookup(values, placeholders[0].name);
      return value === NOT_SET ? NOT_SET : options.shape(value, undefined);
    }
    let text = template;
    for (const placeholder of placeholders) {
      let value: unknown | NotSet;
      if (placeholder.kind === 'standard') value = lookup(values, placeholder.name);
      else if (placeholder.kind === 'env') value = options.env(placeholder.name.replace(/^\$+/, '')) ?? NOT_SET;
      else continue; // Prefect blocks and variables are not ours to resolve.
      if (value === NOT_SET) {
        if (options.removeNotSet) text = text.split(placeholder.fullMatch).join('');
      } else {
        text = text.split(placeholder.fullMatch).join(pythonStr(options.shape(value, template)));
      }
    }
    return options.finishText(text, template);
  }
  if (Array.isArray(template)) {
    return template.map((item) => render(item, values, options)).filter((item) => item !== NOT_SET);
  }
  if (typeof template === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(template as Record<string, unknown>)) {
      const rendered = render(child, values, options);
      if (rendered !== NOT_SET) result[key] = rendered;
      else if (!options.removeNotSet) result[key] = child;
    }
    return result;
  }
  throw new TypeError(`Unexpected template type ${typeof template}`);
}

/**
 * Fills placeholders with values. Substituted text is never scanned again, so a value that
 * contains `{{ other }}` stays as it is.
 */
export function applyValues(template: unknown, values: unknown, options: ApplyOptions = {}): unknown | NotSet {
  return render(template, values, {
    removeNotSet: options.removeNotSet ?? true,
    env: options.env ?? (() => undefined),
    shape: options.shape ?? ((value) => structuredClone(value)),
    finishText: options.finishText ?? ((text) => text),
  });
}
