// Deterministic names per flow run (reference §4.2), always valid for ACI and ARM.
import { slugify } from './slugify.js';

/** Used when a flow name has nothing that survives slugification (Prefect would emit `-<id>`). */
export const FALLBACK_SLUG = 'flow';

/** Flow names repeat from run to run: their slugs are kept (bounded), keyed by name and length. */
const slugs = new Map<string, string>();
const SLUGS_KEPT = 1_000;

export function containerGroupName(flowName: string, flowRunId: string): string {
  const id = flowRunId.toLowerCase();
  const key = `${55 - id.length}:${flowName}`;
  let slug = slugs.get(key);
  if (slug === undefined) {
    slug = slugify(flowName, 55 - id.length) || FALLBACK_SLUG;
    if (slugs.size >= SLUGS_KEPT) slugs.clear();
    slugs.set(key, slug);
  }
  return `${slug}-${id}`;
}

export const deploymentName = (groupName: string) => `prefect-${groupName}`;

export const infrastructurePid = (flowRunId: string, groupName: string) => `${flowRunId}:${groupName}`;

/** ACI: 1–63 of [a-z0-9-], no hyphen at either end, no `--`. */
export const isValidContainerGroupName = (name: string) =>
  /^[a-z0-9-]{1,63}$/.test(name) && !name.startsWith('-') && !name.endsWith('-') && !name.includes('--');

/** ARM deployment names: 1–64 of letters, digits, `-._()`. */
export const isValidDeploymentName = (name: string) => /^[-\w._()]{1,64}$/.test(name);
