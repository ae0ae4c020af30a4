import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { defaultBaseJobTemplate } from '../../templating/base-job-template.js';
import type { WorkPoolService } from '../../work-pools/service.js';
import { described, errorResponse, errorResponses } from '../schemas/error.js';
import { PoolName, WorkPool, WorkPoolInput, WorkPoolList } from '../schemas/work-pools.js';

const Params = Type.Object({ name: PoolName });

/** The default template cut to a few variables (the document must not carry its $refs). */
function poolExample() {
  const template = defaultBaseJobTemplate();
  const keep = ['image', 'command', 'env', 'cpu', 'memory', 'resource_group_name', 'subscription_id'];
  const properties = template.variables.properties as Record<string, unknown>;
  template.variables = {
    type: 'object',
    required: template.variables.required,
    properties: Object.fromEntries(keep.map((name) => [name, properties[name]])),
  };
  const configuration = template.job_configuration;
  template.job_configuration = Object.fromEntries(
    Object.entries(configuration).filter(([name]) => keep.includes(name) || name === 'arm_template'),
  );
  return { base_job_template: template, description: 'Team data flows', concurrency_limit: 10, secret_env_names: ['DB_PASSWORD'] };
}
const notFound = { 404: errorResponse('WORK_POOL_NOT_FOUND: no work pool with this name.') };

export const workPoolRoutes: FastifyPluginAsyncTypebox<{ workPools: WorkPoolService }> = async (app, { workPools }) => {
  app.addSchema(WorkPool);

  app.put(
    '/work-pools/:name',
    {
      config: { scope: 'pools:admin' },
      schema: {
        tags: ['work-pools'],
        summary: 'Create or replace a work pool',
        description:
          'The template is checked before it is stored: `variables` must be a valid JSON schema and `job_configuration.arm_template` ' +
          'must contain a Microsoft.ContainerInstance/containerGroups resource. Sending back ******** in place of a secret keeps the stored one.',
        operationId: 'putWorkPool',
        params: Params,
        body: { content: { 'application/json': { schema: { ...WorkPoolInput, examples: [poolExample()] } } } },
        response: {
          200: described(Type.Ref(WorkPool), 'The pool was replaced.'),
          201: described(Type.Ref(WorkPool), 'The pool was created.'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { pool, created } = await workPools.put(request.params.name, request.body as WorkPoolInput, request.access);
      return reply.status(created ? 201 : 200).send(pool);
    },
  );

  app.get(
    '/work-pools',
    {
      config: { scope: 'pools:read' },
      schema: {
        tags: ['work-pools'],
        summary: 'List work pools',
        operationId: 'listWorkPools',
        response: { 200: described(WorkPoolList, 'Every work pool, secrets masked.'), ...errorResponses },
      },
    },
    async (request) => ({ items: await workPools.list(request.access) }),
  );

  app.get(
    '/work-pools/:name',
    {
      config: { scope: 'pools:read' },
      schema: {
        tags: ['work-pools'],
        summary: 'Get a work pool (secrets masked)',
        operationId: 'getWorkPool',
        params: Params,
        response: { 200: described(Type.Ref(WorkPool), 'The work pool, secrets masked.'), ...notFound, ...errorResponses },
      },
    },
    async (request) => workPools.get(request.params.name, request.access),
  );

  app.delete(
    '/work-pools/:name',
    {
      config: { scope: 'pools:admin' },
      schema: {
        tags: ['work-pools'],
        summary: 'Delete a work pool',
        description: 'Runs already submitted keep the configuration they were rendered with.',
        operationId: 'deleteWorkPool',
        params: Params,
        response: {
          204: described(Type.Null(), 'The pool is gone.'),
          ...notFound,
          409: errorResponse('WORK_POOL_PROTECTED: the default pool cannot be deleted.'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      await workPools.delete(request.params.name, request.access);
      return reply.status(204).send(null);
    },
  );
};
