import { Type, type Static } from '@sinclair/typebox';

export const PoolName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$', description: 'Work pool name' });

const BaseJobTemplate = Type.Object(
  {
    job_configuration: Type.Object({}, { additionalProperties: true, description: 'Job configuration with {{ placeholders }}; must contain arm_template.' }),
    variables: Type.Object({}, { additionalProperties: true, description: 'JSON schema of the job variables.' }),
  },
  { additionalProperties: true, description: 'A Prefect base job template, e.g. exported from a Prefect work pool.' },
);

export const WorkPoolInput = Type.Object(
  {
    base_job_template: BaseJobTemplate,
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    concurrency_limit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    on_quota: Type.Optional(
      Type.Union([Type.Literal('wait'), Type.Literal('fail')], {
        description: 'When ACI answers ContainerGroupQuotaReached: wait for capacity until the start deadline (default), or fail the run at once.',
      }),
    ),
    secret_env_names: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), {
        maxItems: 100,
        description: 'Environment variables sent to ACI as secureValue besides PREFECT_API_KEY and PREFECT_API_AUTH_STRING.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WorkPoolInput = Static<typeof WorkPoolInput>;

export const WorkPool = Type.Object(
  {
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    concurrency_limit: Type.Union([Type.Integer(), Type.Null()]),
    on_quota: Type.Optional(Type.Union([Type.Literal('wait'), Type.Literal('fail')], { description: 'Absent means wait.' })),
    base_job_template: BaseJobTemplate,
    secret_env_names: Type.Array(Type.String()),
    created: Type.String({ format: 'date-time' }),
    updated: Type.String({ format: 'date-time' }),
    history: Type.Optional(
      Type.Array(
        Type.Object({
          at: Type.String({ format: 'date-time' }),
          action: Type.Union([Type.Literal('created'), Type.Literal('replaced')]),
          by: Type.String({ description: 'Short id of the API key that acted, never the key.' }),
        }),
        { description: 'Who created and replaced the pool, oldest first (the last 50).' },
      ),
    ),
  },
  { $id: 'WorkPool', title: 'WorkPool', description: 'Secrets (write-only defaults, credentials) are shown as ********.' },
);

export const WorkPoolList = Type.Object({ items: Type.Array(Type.Ref(WorkPool)) });
