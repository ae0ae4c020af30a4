import { Type, type Static } from '@sinclair/typebox';
import { RUN_STATES, type RunState } from '../../runs/model.js';

// The two variables the default pool requires are listed so that people see them; their types are
// checked against the work pool's own variable schema, which gives each problem its path.
const JobVariables = Type.Object(
  {
    resource_group_name: Type.Optional(Type.Unknown({ description: 'Resource group of the container group (required by the default pool).' })),
    subscription_id: Type.Optional(Type.Unknown({ description: 'Azure subscription id (required by the default pool).' })),
  },
  {
    additionalProperties: true,
    description:
      "Values for the work pool's variables (GET /work-pools/{name} shows them); dot keys such as env.FOO set one key of an object variable.",
  },
);

const FlowRunInput = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'Flow run id; generated when absent. Submitting the same id twice never deploys twice.' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    flow_id: Type.Optional(Type.String({ maxLength: 200 })),
    deployment_id: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);

export const SubmitRun = Type.Object(
  {
    flow_run: FlowRunInput,
    flow: Type.Optional(Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: true })),
    deployment: Type.Optional(
      Type.Object(
        { id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), job_variables: Type.Optional(JobVariables) },
        { additionalProperties: true },
      ),
    ),
    work_pool: Type.Optional(Type.String({ description: 'Work pool name; "default" when absent.' })),
    job_variables: Type.Optional(JobVariables),
  },
  { additionalProperties: false, $id: 'SubmitRun', title: 'SubmitRun' },
);
export type SubmitRun = Static<typeof SubmitRun>;

/**
 * The example Swagger UI sends on "Try it out": no flow_run.id, so each try is a new run (202), on the
 * default pool, with a short command the emulator runs to completion.
 */
export const submitExample = {
  flow_run: { name: 'try-it-out' },
  flow: { name: 'hello-flow' },
  work_pool: 'default',
  job_variables: {
    resource_group_name: 'demo-rg',
    subscription_id: '00000000-0000-0000-0000-000000000000',
    command: 'sh -c "echo hello from ACI; sleep 3; echo done"',
    entrypoint: null,
    task_watch_poll_interval: 1,
  },
};

export const Preview = Type.Object(
  {
    flow_run_id: Type.String(),
    work_pool: Type.String(),
    infrastructure_pid: Type.String(),
    container_group_name: Type.String(),
    deployment_name: Type.String(),
    resource_group_name: Type.String(),
    job_configuration: Type.Object({}, { additionalProperties: true, description: 'The rendered job configuration; secrets masked.' }),
    deployment: Type.Object({}, { additionalProperties: true, description: 'The exact ARM deployment body; secret parameters masked.' }),
  },
  { $id: 'RunPreview', title: 'RunPreview' },
);

const States = Type.Unsafe<RunState>({ type: 'string', enum: [...RUN_STATES] });

export const RunView = Type.Object(
  {
    id: Type.String({ description: 'The flow run id.' }),
    work_pool: Type.String(),
    state: States,
    history: Type.Array(
      Type.Object({
        state: States,
        at: Type.String({ format: 'date-time' }),
        reason: Type.String(),
        by: Type.Optional(Type.String({ description: 'Short id of the API key that acted (`key-` + 8 hex digits), never the key.' })),
      }),
    ),
    infrastructure_pid: Type.String({ description: '"<flow_run_id>:<container_group_name>"; DELETE /runs/{infrastructure_pid} kills the run.' }),
    container_group_name: Type.String(),
    deployment_name: Type.String(),
    resource_group_name: Type.String(),
    flow_run: Type.Object({}, { additionalProperties: true }),
    flow: Type.Optional(Type.Object({}, { additionalProperties: true })),
    deployment: Type.Optional(Type.Object({}, { additionalProperties: true })),
    concurrency_limit: Type.Union([Type.Integer(), Type.Null()], { description: "The work pool's concurrency limit when the run was submitted." }),
    pending_reason: Type.Optional(Type.String({ description: 'Why a PENDING run waits, e.g. the pool is at its concurrency limit.' })),
    keep_container_group: Type.Boolean(),
    stream_output: Type.Boolean(),
    poll_interval_seconds: Type.Number(),
    start_timeout_seconds: Type.Number(),
    submitted_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    provisioning_deadline: Type.Optional(Type.String({ format: 'date-time' })),
    azure: Type.Object(
      {
        deployment_state: Type.Optional(Type.String()),
        provisioning_state: Type.Optional(Type.String()),
        group_state: Type.Optional(Type.String()),
        container_state: Type.Optional(Type.String()),
        container_name: Type.Optional(Type.String()),
        exit_code: Type.Optional(Type.Integer()),
        error_code: Type.Optional(Type.String({ description: "Azure's own code when something failed, e.g. InaccessibleImage." })),
        error_message: Type.Optional(Type.String({ description: 'The innermost cause Azure gave (policy denial, quota, ACI validation…).' })),
        error_hint: Type.Optional(Type.String({ description: 'What to do when the cause will not go away by itself (permissions, registration, resource group).' })),
        last_transient_error: Type.Optional(Type.String({ description: 'The last Azure error that was retried.' })),
        restart_count: Type.Optional(Type.Integer({ description: 'How often Azure restarted the container (it may, even under restartPolicy Never).' })),
        credential_failure_since: Type.Optional(Type.String({ format: 'date-time', description: 'Since when Azure has refused the credential while the container runs.' })),
        credential_failure: Type.Optional(Type.String()),
        waiting_since: Type.Optional(Type.String({ format: 'date-time', description: 'Since when the started container has been Waiting.' })),
      },
      { description: 'What Azure last said about this run.' },
    ),
    result: Type.Optional(
      Type.Object(
        { identifier: Type.String(), status_code: Type.Integer() },
        { description: 'AzureContainerWorkerResult: identifier is the infrastructure pid; status_code the exit code, or -1.' },
      ),
    ),
    cleanup: Type.Optional(
      Type.Object({
        state: Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('kept'), Type.Literal('failed')], {
          description: 'failed: cleanup gave up after its bound on a permanent error (see last_error); the outcome is unchanged.',
        }),
        attempts: Type.Integer(),
        status: Type.Optional(Type.String({ description: 'What cleanup is waiting for, while it waits; not an error.' })),
        last_error: Type.Optional(Type.String({ description: 'The last error cleanup met, if any.' })),
        started_at: Type.Optional(Type.String({ format: 'date-time' })),
      }),
    ),
    log_lines: Type.Integer(),
    logs_truncated: Type.Optional(Type.Boolean({ description: "True when Azure's cap on an exited container's output (16 KB / 1,000 lines) cut what the service could read." })),
    links: Type.Object({ self: Type.String(), logs: Type.String(), kill: Type.String() }),
  },
  { $id: 'Run', title: 'Run' },
);

export const RunList = Type.Object({ items: Type.Array(Type.Ref(RunView)), next_cursor: Type.Union([Type.String(), Type.Null()]) });

export const RunListQuery = Type.Object({
  state: Type.Optional(States),
  work_pool: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page.' })),
});

export const LogLines = Type.Object({
  run_state: States,
  lines: Type.Array(
    Type.Object({
      id: Type.String({ description: 'Position in the run\'s log: pass it as `after` (or Last-Event-ID) to read on from there.' }),
      ts: Type.String(),
      line: Type.String(),
    }),
  ),
});

export const LOG_POSITION = '^\\d{1,20}-\\d{1,20}$';

export const LogsQuery = Type.Object({
  follow: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Stream as server-sent events (`event: log`, each with an `id:`) until the run ends (`event: end`); comment lines keep the connection alive. ' +
        'A reconnecting client sends the last id as `Last-Event-ID` (or `after`) and resumes there.',
    }),
  ),
  after: Type.Optional(Type.String({ pattern: LOG_POSITION, description: 'Only lines after this line id.' })),
});

/** What GET /runs/{id}/logs?follow=true streams. */
export const LogEventStream = Type.String({
  description:
    'Server-sent events. `id: <line id>` and `event: log` with `data: {"ts", "line"}` per output line; `: heartbeat` comments while nothing comes; when the run has ended and its ' +
    'final log read is in, one `event: end` with `data: {"state", "result"}`, then the stream closes. Reconnect with `Last-Event-ID` to resume.',
  examples: ['id: 1764400000000-0\nevent: log\ndata: {"ts":"2026-01-01T00:00:01.000Z","line":"hello from ACI"}\n\nevent: end\ndata: {"state":"COMPLETED","result":{"identifier":"…","status_code":0}}\n\n'],
});
