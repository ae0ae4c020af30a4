import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RunService } from '../../runs/service.js';
import { ErrorEnvelope, errorResponses } from '../schemas/error.js';
import { Preview, SubmitRun, submitExample } from '../schemas/runs.js';

export const runRoutes: FastifyPluginAsyncTypebox<{ runs: RunService }> = async (app, { runs }) => {
  app.addSchema(SubmitRun);
  app.addSchema(Preview);

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
        response: { 200: Type.Ref(Preview), 404: Type.Ref(ErrorEnvelope), 422: Type.Ref(ErrorEnvelope), ...errorResponses },
      },
    },
    async (request) => runs.preview(request.body),
  );
};
