import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Run } from '../../runs/model.js';
import type { RunService } from '../../runs/service.js';
import { runLinks } from '../../runs/run-json.js';
import { described, errorResponse, errorResponses } from '../schemas/error.js';
import { LogEventStream, LogLines, LogsQuery, Preview, RunList, RunListQuery, RunView, SubmitRun } from '../schemas/runs.js';
import { followLogs } from './follow-logs.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'The flow run id.' }) });
const PidParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The infrastructure pid: "<flow_run_id>:<container_group_name>", as in the run\'s infrastructure_pid and links.kill.',
    examples: ['0b7c4b7e-3a5e-4c6f-9a2b-1d2e3f4a5b6c:hello-flow-0b7c4b7e'],
  }),
});
const runNotFound = errorResponse('RUN_NOT_FOUND: no run with this flow run id.');
const poolNotFound = errorResponse('WORK_POOL_NOT_FOUND: the work pool named in the body does not exist.');
const notRenderable = errorResponse('TEMPLATE_NOT_RENDERABLE: the work pool template lacks what rendering needs.');

export function runView(run: Run) {
  return { ...run, links: runLinks(run) };
}

export const runRoutes: FastifyPluginAsyncTypebox<{ runs: RunService; heartbeatMs: number }> = async (app, { runs, heartbeatMs }) => {
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
        operationId: 'submitRun',
        body: Type.Ref(SubmitRun),
        response: {
          200: described(Type.Ref(RunView), 'The run stored for this flow run id and body: nothing new is deployed.'),
          202: described(Type.Ref(RunView), 'The new run, PENDING; Location names it.'),
          404: poolNotFound,
          409: errorResponse('RUN_CONFLICT: this flow run id was submitted with a different body; RUN_EXPIRED: it ended and its record expired, it is not deployed again.'),
          422: notRenderable,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { run, created, view } = await runs.submit(request.body, request.access);
      reply.status(created ? 202 : 200).header('location', `/runs/${run.id}`);
      // A new run's answer is already JSON text of the Run schema: sent as it is, not serialized again
      // (the type provider types only the object form of the body).
      return view ? reply.header('content-type', 'application/json; charset=utf-8').send(view as never) : reply.send(runView(run));
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
        operationId: 'previewRun',
        body: Type.Ref(SubmitRun),
        response: {
          200: described(Type.Ref(Preview), 'What the run would send to Azure, secrets masked.'),
          404: poolNotFound,
          422: notRenderable,
          ...errorResponses,
        },
      },
    },
    async (request) => runs.preview(request.body, request.access),
  );

  app.get(
    '/runs',
    {
      config: { scope: 'runs:read' },
      schema: {
        tags: ['runs'],
        summary: 'List runs, newest first',
        operationId: 'listRuns',
        querystring: RunListQuery,
        response: { 200: described(RunList, 'One page of runs; next_cursor is null on the last page.'), ...errorResponses },
      },
    },
    async (request) => {
      const page = await runs.list({ ...request.query, limit: request.query.limit ?? 50 }, request.access);
      return { items: page.items.map(runView), next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/runs/:id',
    {
      config: { scope: 'runs:read' },
      schema: {
        tags: ['runs'],
        summary: 'A run: state, history, Azure details and result',
        operationId: 'getRun',
        params: IdParams,
        response: { 200: described(Type.Ref(RunView), 'The run.'), 404: runNotFound, ...errorResponses },
      },
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
        operationId: 'killRun',
        params: PidParams,
        response: {
          202: described(Type.Ref(RunView), 'The run, now CANCELLING (or already CANCELLING).'),
          400: errorResponse('INVALID_INFRASTRUCTURE_PID: not "<flow_run_id>:<container_group_name>"; or VALIDATION_FAILED.'),
          404: errorResponse('INFRASTRUCTURE_NOT_FOUND: no run with this flow run id owns this container group.'),
          409: errorResponse('RUN_ALREADY_FINISHED: the run has ended; there is nothing to kill.'),
          401: errorResponses[401],
          403: errorResponses[403],
          429: errorResponses[429],
          500: errorResponses[500],
          503: errorResponses[503],
        },
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
        description:
          'Lines are read from ACI while the run runs (stream_output) and always once more when it ends; the last LOG_MAX_LINES (default 10,000) are kept, ' +
          'each cut at 16 KB (marked). `after` (a line id) reads on from a line.',
        operationId: 'getRunLogs',
        params: IdParams,
        querystring: LogsQuery,
        response: {
          200: {
            description: 'The lines kept so far as JSON; with follow=true, a server-sent event stream instead.',
            content: { 'application/json': { schema: LogLines }, 'text/event-stream': { schema: LogEventStream } },
          },
          404: runNotFound,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      if (request.query.follow) return followLogs(runs, request.params.id, request.query.after, request, reply, { heartbeatMs });
      const { run, lines } = await runs.logs(request.params.id, request.query.after, undefined, request.access);
      return { run_state: run.state, lines };
    },
  );
};
