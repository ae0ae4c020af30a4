// /admin/queues: bull-board over the run queues, for operators holding a pools:admin key. A browser
// cannot add a bearer header to a page it navigates to, so these routes also take the key as the
// password of HTTP Basic auth (any user name); the browser asks for it once and resends it.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';

export const QUEUES_BOARD_PATH = '/admin/queues';

export async function queuesBoard(app: FastifyInstance, options: { queues: Queue[] }): Promise<void> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUES_BOARD_PATH);
  createBullBoard({ queues: options.queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: adapter });
  // bull-board sets its own error handler on its routes; keep ours (one envelope) for auth failures.
  const boardErrors = adapter['errorHandler'];
  adapter.setErrorHandler((error) =>
    error instanceof AppError ? { status: error.statusCode, body: error.toJSON() } : boardErrors!(error),
  );
  await app.register(async (board) => {
    // Every route bull-board adds (page, its assets and its API) needs pools:admin and takes Basic auth.
    board.addHook('onRoute', (route) => {
      route.config = { ...route.config, scope: 'pools:admin', basicAuth: true, allPools: true };
      route.schema = { ...route.schema, hide: true };
    });
    await board.register(adapter.registerPlugin(), { prefix: QUEUES_BOARD_PATH });
  });
}
