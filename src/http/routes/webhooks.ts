import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { WebhookService } from '../../webhooks/service.js';
import { described, errorResponse, errorResponses } from '../schemas/error.js';
import { DeliveriesQuery, DeliveryAttempt, DeliveryList, Webhook, WebhookInput, WebhookList, WebhookName } from '../schemas/webhooks.js';

const Params = Type.Object({ name: WebhookName });
const notFound = { 404: errorResponse('WEBHOOK_NOT_FOUND: no webhook with this name.') };
const webhookView = (description: string) => described(Type.Ref(Webhook), description);

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (app, { webhooks }) => {
  app.addSchema(Webhook);
  app.addSchema(DeliveryAttempt);

  app.put(
    '/webhooks/:name',
    {
      // Webhooks report on every pool, so keys limited to some pools may not manage them.
      config: { scope: 'pools:admin', allPools: true },
      schema: {
        tags: ['webhooks'],
        operationId: 'putWebhook',
        summary: 'Create or replace a webhook',
        description:
          'Each state change of a matching run is POSTed as {id, type: "run.state_changed", created_at, run} with the header ' +
          '`webhook-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, at least once, in order per run, ' +
          'retried with exponential backoff for up to 24 h. 400 WEBHOOK_TARGET_REFUSED for private or loopback targets.',
        params: Params,
        body: {
          ...WebhookInput,
          examples: [{ url: 'https://hooks.example.com/aci-runs', events: ['COMPLETED', 'FAILED', 'CRASHED'], secret: 'whsec-change-me-0123456789' }],
        },
        response: {
          200: webhookView('Replaced; the secret is never returned.'),
          201: webhookView('Created; the secret is never returned.'),
          ...errorResponses,
          400: errorResponse('VALIDATION_FAILED (events, url, secret) or WEBHOOK_TARGET_REFUSED (private, loopback or non-http target).'),
        },
      },
    },
    async (request, reply) => {
      const { webhook, created } = await webhooks.put(request.params.name, request.body);
      return reply.status(created ? 201 : 200).send(webhook);
    },
  );

  app.get(
    '/webhooks',
    {
      config: { scope: 'pools:read', allPools: true },
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhooks',
        summary: 'List webhooks (secrets are never returned)',
        response: { 200: described(WebhookList, 'Every webhook, without its secret.'), ...errorResponses },
      },
    },
    async () => ({ items: await webhooks.list() }),
  );

  app.get(
    '/webhooks/:name',
    {
      config: { scope: 'pools:read', allPools: true },
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhook',
        summary: 'A webhook (its secret is never returned)',
        params: Params,
        response: { 200: webhookView('The webhook, without its secret.'), ...notFound, ...errorResponses },
      },
    },
    async (request) => webhooks.get(request.params.name),
  );

  app.delete(
    '/webhooks/:name',
    {
      config: { scope: 'pools:admin', allPools: true },
      schema: {
        tags: ['webhooks'],
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook, its pending deliveries and their history',
        params: Params,
        response: { 204: described(Type.Null(), 'Deleted.'), ...notFound, ...errorResponses },
      },
    },
    async (request, reply) => {
      await webhooks.delete(request.params.name);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/webhooks/:name/deliveries',
    {
      config: { scope: 'pools:read', allPools: true },
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'Delivery attempts of a webhook, newest first, with the answers received',
        params: Params,
        querystring: DeliveriesQuery,
        response: { 200: described(DeliveryList, 'The last attempts (up to 1,000 are kept), newest first.'), ...notFound, ...errorResponses },
      },
    },
    async (request) => ({ items: await webhooks.deliveries(request.params.name, request.query.limit ?? 50) }),
  );
};
