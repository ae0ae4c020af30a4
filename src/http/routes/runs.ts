import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Run } from '../../runs/model.js';
import type { RunService } from '../../runs/service.js';
import { ErrorEnvelope, errorResponses } from '../schemas/error.js';
import { LogLines, LogsQuery, Preview, RunList, RunListQuery, RunView, SubmitRun, submitExample } from '../schemas/runs.js';
import { followLogs } from './follow-logs.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const error = Type.Ref(ErrorEnvelope);

export function runView(run: Run) {
  const self = `/runs/${run.id}`;
  return { ...run, links: { self, logs: `${self}/logs`, kill: `/runs/${run.infrastructure_pid}` } };
}

export const runRoutes: FastifyPluginAsyncTypebox<{ runs: RunService }> = async (app, { runs }) => {
  app.addSchema(SubmitRun);
  app.addSchema(Preview);
  app.addSchema(RunView);

  app.post(
    '/runs',
    {
      config: { scope: 'runs:write' },
      schema: {
        tags: ['runs'],
        summary: 'Submit a flow run',
        description:
          '202 with the new run; 200 with the stored run when the same flow run id and body come again (nothing is deployed twice); ' +
          '409 RUN_CONFLICT for the same id with another body. 400 VALIDATION_FAILED lists every job-variable problem with its path.',
        body: { ...Type.Ref(SubmitRun), examples: [submitExample] },
        response: { 200: Type.Ref(RunView), 202: Type.Ref(RunView), 404: error, 409: error, 422: error, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { run, created } = await runs.submit(request.body, request.access);
      return reply.status(created ? 202 : 200).header('location', `/runs/${run.id}`).send(runView(run));
    },
  );

  app.post(
    '/runs/preview',
    {
      config: { scope: 'runs:read' },
      schema: {
        tags: ['runs'],
        summary: 'Render the ARM deployment a run would send; deploys nothing',
        description:
          'Takes the body of POST /runs. 400 VALIDATION_FAILED lists each job-variable problem with its path; ' +
          '422 TEMPLATE_NOT_RENDERABLE names what the work pool template lacks.',
        body: { ...Type.Ref(SubmitRun), examples: [submitExample] },
        response: { 200: Type.Ref(Preview), 404: error, 422: error, ...errorResponses },
      },
    },
    async (request) => runs.preview(request.body, request.access),
  );

  app.get(
    '/runs',
    {
      config: { scope: 'runs:read' },
      schema: { tags: ['runs'], summary: 'List runs, newest first', querystring: RunListQuery, response: { 200: RunList, ...errorResponses } },
    },
    async (request) => {
      const page = await runs.list(request.query, request.access);
      return { items: page.items.map(runView), next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/runs/:id',
    {
      config: { scope: 'runs:read' },
      schema: { tags: ['runs'], summary: 'A run: state, history, Azure details and result', params: IdParams, response: { 200: Type.Ref(RunView), 404: error, ...errorResponses } },
    },
    async (request) => runView(await runs.get(request.params.id, request.access)),
  );

  app.delete(
    '/runs/:id',
    {
      config: { scope: 'runs:write' },
      schema: {
        tags: ['runs'],
        summary: 'Kill the infrastructure of a run: DELETE /runs/{flow_run_id}:{container_group_name}',
        description:
          'The run goes CANCELLING, then CANCELLED once its deployment is cancelled and its container group stopped ' +
          '(keep_container_group) or deleted. 400 INVALID_INFRASTRUCTURE_PID, 404 INFRASTRUCTURE_NOT_FOUND, 409 RUN_ALREADY_FINISHED.',
        params: IdParams,
        response: { 202: Type.Ref(RunView), 404: error, 409: error, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(202).send(runView(await runs.kill(request.params.id, request.access))),
  );

  app.get(
    '/runs/:id/logs',
    {
      config: { scope: 'runs:read' },
      schema: {
        tags: ['runs'],
        summary: 'Container output of a run',
        description: 'Lines are read from ACI while the run runs (stream_output) and always once more when it ends; the last 10,000 are kept.',
        params: IdParams,
        querystring: LogsQuery,
        response: { 200: LogLines, 404: error, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (request.query.follow) return followLogs(runs, request.params.id, request, reply);
      const { run, lines } = await runs.logs(request.params.id, 0, request.access);
      return { run_state: run.state, lines };
    },
  );
};
