// GET /metrics: the process's prom-client registry in Prometheus text format. Run and queue numbers
// come from Redis, so every replica reports the same; request latencies are this process's own.
import type { FastifyInstance } from 'fastify';
import { httpRequestDuration, scrape } from '../../metrics/registry.js';
import { errorResponses } from '../schemas/error.js';

/** Registered on the root instance, so that its hook sees every response. */
export function registerMetrics(app: FastifyInstance, options: { public: boolean }): void {
  app.addHook('onResponse', (request, reply, done) => {
    // The route template keeps the label set small; unmatched URLs share one label.
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  app.get(
    '/metrics',
    {
      config: { scope: 'runs:read', allPools: true, public: options.public },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text format)',
        description: 'Needs a key with runs:read unless METRICS_PUBLIC=true.',
        operationId: 'getMetrics',
        response: {
          200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: errorResponses[401],
          403: errorResponses[403],
          429: errorResponses[429],
        },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await scrape();
      return reply.type(contentType).send(body);
    },
  );
}
