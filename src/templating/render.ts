// The whole path from a work pool's base job template and job variables to the ARM deployment.
import { escapeArmString, escapeArmValue, isArmExpression, quoteForExpression } from './arm-escape.js';
import { JobVariablesInvalid, TemplateNotRenderable } from './errors.js';
import { toJobConfiguration } from './job-configuration.js';
import { DotKeyConflict, isObject, layerValues, mergeJobVariables, type JsonObject } from './layering.js';
import { NOT_SET } from './lookup.js';
import { applyValues, collectPlaceholders } from './placeholders.js';
import { prepareForFlowRun, type PrepareContext, type PreparedRun } from './prepare.js';
import { pythonStr } from './python-str.js';
import { checkJobVariables } from './variables.js';

export interface BaseJobTemplate {
  job_configuration: JsonObject;
  variables: JsonObject;
}

export interface RenderInput {
  baseJobTemplate: BaseJobTemplate;
  deploymentJobVariables?: JsonObject;
  flowRunJobVariables?: JsonObject;
  context: PrepareContext;
  defaultImage: string;
  /** Reads `{{ $NAME }}`: undefined unless the operator allowed that variable. */
  env?: (name: string) => string | undefined;
}

/** Prefect block-document references (`{"$ref": {"block_document_id": ...}}`) need a Prefect server. */
function hasBlockReference(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasBlockReference);
  if (!isObject(value)) return false;
  if (isObject(value.$ref) && value.$ref.block_document_id) return true;
  return Object.values(value).some(hasBlockReference);
}

/** What a template (the pool's own object, cached per pool version) needs that only Prefect has. */
const templateFindings = new WeakMap<JsonObject, { blockReference: boolean; foreign: string[] }>();

function findingsOf(jobConfiguration: JsonObject) {
  let findings = templateFindings.get(jobConfiguration);
  if (!findings) {
    const foreign = collectPlaceholders(jobConfiguration).filter((p) => p.kind === 'block' || p.kind === 'variable');
    findings = { blockReference: hasBlockReference(jobConfiguration), foreign: [...new Set(foreign.map((p) => p.fullMatch))] };
    templateFindings.set(jobConfiguration, findings);
  }
  return findings;
}

/** Placeholders and references this service cannot resolve: they need a Prefect server. */
function refuseUnresolvable(jobConfiguration: JsonObject, values: JsonObject): void {
  const { blockReference, foreign } = findingsOf(jobConfiguration);
  if (blockReference || hasBlockReference(values)) {
    throw new TemplateNotRenderable(
      'The template or its variables refer to a Prefect block document ({"$ref": {"block_document_id": …}}), which this service cannot resolve; put the values themselves in the work pool.',
    );
  }
  if (foreign.length > 0) {
    throw new TemplateNotRenderable(
      `The template uses Prefect block or variable placeholders, which this service cannot resolve: ${foreign.join(', ')}.`,
    );
  }
}

/** The ARM template is filled so that no job-variable value can become an ARM expression (§7.4). */
function renderArmTemplate(armTemplate: unknown, values: JsonObject, env: RenderInput['env']): unknown {
  return applyValues(armTemplate, values, {
    env,
    shape: (value, inText) => {
      if (inText === undefined) return escapeArmValue(structuredClone(value));
      return isArmExpression(inText) ? quoteForExpression(pythonStr(value)) : value;
    },
    finishText: (rendered, template) =>
      template.startsWith('[') && template.endsWith(']') ? rendered : escapeArmString(rendered),
  });
}

/** The job configuration for a set of job variables: everything of rendering that the flow run does not enter. */
export function renderJobConfiguration(input: Omit<RenderInput, 'context'>) {
  const { job_configuration: jobConfiguration, variables: schema } = input.baseJobTemplate;
  const merged = mergeJobVariables(input.deploymentJobVariables, input.flowRunJobVariables);
  let layered: ReturnType<typeof layerValues>;
  try {
    layered = layerValues(jobConfiguration, schema, merged);
  } catch (err) {
    if (err instanceof DotKeyConflict) throw new JobVariablesInvalid([{ path: '/job_variables', message: err.message }]);
    throw err;
  }
  // The values that fill the template (defaults < job variables) are what the schema checks.
  const { configuration, values } = layered;
  checkJobVariables(schema, values);
  refuseUnresolvable(jobConfiguration, values);

  const { arm_template: armTemplate, ...rest } = configuration;
  const rendered = applyValues(rest, values, { env: input.env }) as JsonObject;
  if (armTemplate !== undefined) {
    const renderedArm = renderArmTemplate(armTemplate, values, input.env);
    if (renderedArm !== NOT_SET) rendered.arm_template = renderedArm;
  }
  return toJobConfiguration(rendered, input.defaultImage);
}

export function renderFlowRun(input: RenderInput): PreparedRun {
  return prepareForFlowRun(renderJobConfiguration(input), input.context);
}
