// GET /metrics: Prometheus text format. Run counts come from Redis, so every API replica reports the same.
import type { FastifyInstance } from 'fastify';
import type { RunService } from '../../runs/service.js';
import { errorResponses } from '../schemas/error.js';

/** Registered on the root instance, so that its hook sees every response. */
export function registerMetrics(app: FastifyInstance, runs: RunService): void {
  const responses = new Map<string, number>();
  app.addHook('onResponse', async (request, reply) => {
    const key = `${request.method} ${reply.statusCode}`;
    responses.set(key, (responses.get(key) ?? 0) + 1);
  });

  app.get('/metrics', { config: { scope: 'runs:read', allPools: true }, schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text format)',
        operationId: 'getMetrics',
        response: {
          200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: errorResponses[401],
          403: errorResponses[403],
          429: errorResponses[429],
        },
      } }, async (_request, reply) => {
    const { transitions, unfinished } = await runs.counts();
    const lines = [
      '# HELP aci_flow_runner_run_transitions_total Runs that entered each state.',
      '# TYPE aci_flow_runner_run_transitions_total counter',
      ...Object.entries(transitions).map(([state, n]) => `aci_flow_runner_run_transitions_total{state="${state}"} ${n}`),
      '# HELP aci_flow_runner_unfinished_runs Runs not final yet or still being cleaned up.',
      '# TYPE aci_flow_runner_unfinished_runs gauge',
      `aci_flow_runner_unfinished_runs ${unfinished}`,
      '# HELP aci_flow_runner_http_responses_total Responses of this API process by method and status.',
      '# TYPE aci_flow_runner_http_responses_total counter',
      ...[...responses].map(([key, n]) => {
        const [method, status] = key.split(' ');
        return `aci_flow_runner_http_responses_total{method="${method}",status="${status}"} ${n}`;
      }),
      '# HELP process_resident_memory_bytes Resident memory of this process.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage().rss}`,
      '',
    ];
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n'));
  });
}
