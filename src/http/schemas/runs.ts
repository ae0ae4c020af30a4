import { Type, type Static } from '@sinclair/typebox';

const JobVariables = Type.Object({}, {
  additionalProperties: true,
  description: "Values for the work pool's variables; dot keys such as env.FOO set one key of an object variable.",
});

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

export const submitExample = {
  flow_run: { id: '0b7c4b7e-3a5e-4c6f-9a2b-1d2e3f4a5b6c', name: 'gentle-fox' },
  flow: { name: 'nightly-etl' },
  work_pool: 'default',
  job_variables: {
    resource_group_name: 'flows-rg',
    subscription_id: '00000000-0000-0000-0000-000000000000',
    image: 'python:3.12-slim',
    command: 'python -c "print(42)"',
    entrypoint: null,
    env: { LOG_LEVEL: 'info' },
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
