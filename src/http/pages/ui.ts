// GET /ui: the runs page. Static files with no build step; the page itself calls the public API with
// the key its user types, so these routes need no key and stay out of the OpenAPI document.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const UI_DIR = new URL('../../../ui/', import.meta.url);

const FILES: Record<string, { name: string; type: string }> = {
  '/ui': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { name: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/style.css': { name: 'style.css', type: 'text/css; charset=utf-8' },
};

export async function uiPages(app: FastifyInstance): Promise<void> {
  for (const [url, file] of Object.entries(FILES)) {
    // Read once at start: the files are part of the release, not content that changes while running.
    const body = readFileSync(new URL(file.name, UI_DIR));
    app.get(url, { schema: { hide: true }, config: { public: true } }, async (_request, reply) =>
      reply.type(file.type).header('cache-control', 'no-cache').send(body),
    );
  }
  app.get('/ui/', { schema: { hide: true }, config: { public: true } }, async (_request, reply) => reply.redirect('/ui'));
}
