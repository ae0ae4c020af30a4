import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelope } from '../schemas/error.js';
import { submitExample } from '../schemas/runs.js';

/**
 * Request body examples by operationId, set on the body's media type: that is where Swagger UI's
 * "Try it out" takes its starting body from (a `$ref` body schema cannot carry one itself).
 */
const BODY_EXAMPLES: Record<string, unknown> = { submitRun: submitExample, previewRun: submitExample };

type Operation = { operationId?: string; requestBody?: { content?: Record<string, { example?: unknown }> } };

function withBodyExamples<T extends { paths?: Record<string, Record<string, Operation>> }>(document: T): T {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const example = operation.operationId ? BODY_EXAMPLES[operation.operationId] : undefined;
      const media = operation.requestBody?.content?.['application/json'];
      if (example !== undefined && media) media.example = structuredClone(example); // a copy: no YAML anchors
    }
  }
  return document;
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(ErrorEnvelope);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'aci-flow-runner',
        version: '0.1.0',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        description:
          'Runs Prefect flow runs as Azure Container Instances container groups. Every error has the body ' +
          '{"error": {"code", "message", "details"?}} with a stable code.',
      },
      // Relative, so Swagger UI and generated clients call whichever host served the document.
      servers: [{ url: '/', description: 'The host that serves this document' }],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'runs', description: 'Flow runs on ACI' },
        { name: 'work-pools', description: 'Base job templates' },
        { name: 'webhooks', description: 'Signed notifications of run state changes' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    transformObject: (document) =>
      'openapiObject' in document ? withBodyExamples(document.openapiObject as Parameters<typeof withBodyExamples>[0]) : document.swaggerObject,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
}
