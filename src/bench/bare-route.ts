// The baseline of `npm run bench:api`: a bare Fastify route doing what any queueing API must do at
// least, one Redis SET and one BullMQ add, on the same kind of connection as the service.
import Fastify from 'fastify';
import { Queue } from 'bullmq';
import { producerConnection } from '../redis.js';

export async function startBareRoute(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = process.env.QUEUE_PREFIX ?? 'bench';
  const port = Number(process.env.PORT ?? 3001);
  const redis = producerConnection(redisUrl);
  const queue = new Queue('runs', { connection: redis, prefix: `{${prefix}-bare}` });
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post('/bare', async (request, reply) => {
    const body = request.body as { flow_run: { id: string } };
    const id = body.flow_run.id;
    await redis.set(`{${prefix}-bare}:run:${id}`, JSON.stringify(body));
    await queue.add('run', { runId: id }, { jobId: id });
    return reply.status(202).send({ id, state: 'PENDING' });
  });
  await app.listen({ port, host: '127.0.0.1' });
  const stop = async () => {
    await app.close();
    await queue.close();
    redis.disconnect();
  };
  process.on('SIGTERM', () => void stop());
}
