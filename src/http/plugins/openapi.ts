import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelope } from '../schemas/error.js';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(ErrorEnvelope);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'aci-flow-runner',
        version: '0.1.0',
        description:
          'Runs Prefect flow runs as Azure Container Instances container groups. Every error has the body ' +
          '{"error": {"code", "message", "details"?}} with a stable code.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'runs', description: 'Flow runs on ACI' },
        { name: 'work-pools', description: 'Base job templates' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
}
