// A submission rendered with its work pool: the ARM deployment a run will send.
import type { Config } from '../config.js';
import { MASK } from '../secrets-mask.js';
import { checkAzureAcceptance } from './azure-acceptance.js';
import type { JobConfiguration } from '../templating/job-configuration.js';
import { prepareForFlowRun, restartPolicyOfBody, secretEnvNames, type PreparedRun } from '../templating/prepare.js';
import { containerGroupName as groupNameFor, deploymentName, infrastructurePid } from '../templating/naming.js';
import type { Run, RunSpec } from './model.js';
import { renderJobConfiguration, type BaseJobTemplate } from '../templating/render.js';
import type { WorkPool } from '../work-pools/model.js';
import type { JsonObject } from '../templating/layering.js';

interface FlowRunFields {
  id?: string;
  name: string;
  flow_id?: string;
  deployment_id?: string;
  [field: string]: unknown;
}

/** What a client submits: the body of POST /runs. */
export interface SubmissionInput {
  flow_run: FlowRunFields;
  flow?: { name: string; [field: string]: unknown };
  deployment?: { id?: string; name?: string; job_variables?: JsonObject; [field: string]: unknown };
  work_pool?: string;
  job_variables?: JsonObject;
}

/** A submission whose flow run id is settled. */
export interface Submission extends SubmissionInput {
  flow_run: FlowRunFields & { id: string };
}

/**
 * Job configurations already rendered, per process configuration and pool template object (a pool is
 * cached per pool version, so a changed pool is a new object): the part of rendering that depends only
 * on the job variables is done once for each set of them, not once per run. Entries are frozen: the
 * per-run step (prepareForFlowRun) builds new objects and never changes them.
 */
const rendered = new WeakMap<Config, WeakMap<BaseJobTemplate, Map<string, JobConfiguration>>>();
const RENDERED_PER_POOL = 1_000;
/** Job variables longer than this (as JSON) are rendered every time rather than kept. */
const RENDERED_KEY_LIMIT = 8_192;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function jobConfigurationOf(submission: Submission, pool: WorkPool, config: Config): JobConfiguration {
  let byTemplate = rendered.get(config);
  if (!byTemplate) rendered.set(config, (byTemplate = new WeakMap()));
  let byVariables = byTemplate.get(pool.base_job_template);
  if (!byVariables) byTemplate.set(pool.base_job_template, (byVariables = new Map()));
  const key = JSON.stringify([submission.deployment?.job_variables ?? null, submission.job_variables ?? null]);
  const known = byVariables.get(key);
  if (known) return known;
  const configuration = renderJobConfiguration({
    baseJobTemplate: pool.base_job_template,
    deploymentJobVariables: submission.deployment?.job_variables,
    flowRunJobVariables: submission.job_variables,
    defaultImage: config.defaultImage,
    env: (name) => config.templateEnv[name],
  });
  if (key.length > RENDERED_KEY_LIMIT) return configuration;
  if (byVariables.size >= RENDERED_PER_POOL) byVariables.clear();
  byVariables.set(key, deepFreeze(configuration));
  return configuration;
}

const groupNameOf = (submission: Submission) => groupNameFor(submission.flow?.name ?? submission.flow_run.name, submission.flow_run.id);

/** The run rendered with its pool, refused (400) where Azure would refuse it. */
export function renderSubmission(submission: Submission, pool: WorkPool, config: Config): PreparedRun {
  const prepared = prepareForFlowRun(jobConfigurationOf(submission, pool, config), {
    flowRun: submission.flow_run,
    flow: submission.flow,
    deployment: submission.deployment,
    workPoolName: pool.name,
    serviceInstance: config.serviceInstance,
    baseEnv: config.flowRunBaseEnv,
    secretEnvNames: pool.secret_env_names,
  });
  checkAzureAcceptance(prepared);
  return prepared;
}

/** What a submission needs of rendering at once: its job configuration and names, and that it renders. */
export interface CheckedSubmission {
  jobConfiguration: JobConfiguration;
  containerGroupName: string;
  deploymentName: string;
  infrastructurePid: string;
  /** The container group's restart policy in the rendered template. */
  restartPolicy?: string;
}

/**
 * Whether a job configuration renders and Azure would accept it: decided once per (cached) job
 * configuration, since nothing the check looks at depends on the flow run (names, labels and
 * attribution only add values). Holds the error to throw, or the restart policy the template sets.
 */
const verdicts = new WeakMap<JobConfiguration, { error: unknown } | { restartPolicy?: string }>();

/**
 * A submission checked as renderSubmission would check it (400 / 422 for the same problems), without
 * building its deployment body: the worker renders that when it sends it (renderForWorker).
 */
export function checkSubmission(submission: Submission, pool: WorkPool, config: Config): CheckedSubmission {
  const jobConfiguration = jobConfigurationOf(submission, pool, config);
  let verdict = verdicts.get(jobConfiguration);
  if (!verdict) {
    try {
      verdict = { restartPolicy: restartPolicyOfBody(renderSubmission(submission, pool, config).deployment) };
    } catch (error) {
      verdict = { error };
    }
    verdicts.set(jobConfiguration, verdict);
  }
  if ('error' in verdict) throw verdict.error;
  const containerGroupName = groupNameOf(submission);
  return {
    jobConfiguration,
    containerGroupName,
    deploymentName: deploymentName(containerGroupName),
    infrastructurePid: infrastructurePid(submission.flow_run.id, containerGroupName),
    restartPolicy: verdict.restartPolicy,
  };
}

/** The submission a stored run came from: its flow run, flow and deployment, and its job variables. */
export function storedSubmission(run: Run, spec: RunSpec): Submission {
  const variables = spec.job_variables ?? {};
  return {
    flow_run: run.flow_run as Submission['flow_run'],
    ...(run.flow ? { flow: run.flow as Submission['flow'] } : {}),
    ...(run.deployment || variables.deployment
      ? { deployment: { ...(run.deployment ?? {}), ...(variables.deployment ? { job_variables: variables.deployment as JsonObject } : {}) } }
      : {}),
    work_pool: run.work_pool,
    ...(variables.flow_run ? { job_variables: variables.flow_run as JsonObject } : {}),
  };
}

/** The run rendered again from its stored submission, as the API checked it; the names must agree. */
export function renderStoredRun(run: Run, spec: RunSpec, pool: WorkPool, config: Config): PreparedRun {
  const prepared = renderSubmission(storedSubmission(run, spec), pool, config);
  if (prepared.containerGroupName !== spec.container_group_name || prepared.deploymentName !== spec.deployment_name) {
    throw new Error(`rendering gave container group ${prepared.containerGroupName}, the run names ${spec.container_group_name}`);
  }
  return prepared;
}

/** The rendered run as callers may see it: no subscription id, credential or secure value. */
export function maskPreparedRun(prepared: PreparedRun, poolSecretEnv: readonly string[]) {
  const configuration = structuredClone(prepared.jobConfiguration);
  configuration.subscription_id = MASK;
  if (configuration.aci_credentials.client_secret) configuration.aci_credentials.client_secret = MASK;
  if (configuration.image_registry && 'password' in configuration.image_registry) configuration.image_registry.password = MASK;
  const secretEnv = secretEnvNames(poolSecretEnv);
  for (const name of Object.keys(configuration.env)) if (secretEnv.has(name)) configuration.env[name] = MASK;
  const deployment = structuredClone(prepared.deployment);
  for (const name of prepared.secretParameters) deployment.properties.parameters[name] = { value: MASK };
  // arm_template is the template before prepare; the deployment body shows the one actually sent.
  const { arm_template: _template, ...jobConfiguration } = configuration;
  return { jobConfiguration, deployment };
}
