import { Type, type Static } from '@sinclair/typebox';

export const WebhookName = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Lower-case letters, digits and dashes.' });

export const WebhookInput = Type.Object(
  {
    url: Type.String({ maxLength: 2000, description: 'http(s) URL; private and loopback addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true.' }),
    events: Type.Array(Type.String({ maxLength: 20 }), {
      minItems: 1,
      maxItems: 10,
      description: 'Run states that trigger a delivery (PENDING, …, CANCELLED), or ["*"] for every state change.',
    }),
    pools: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100, description: 'Only runs of these work pools.' })),
    secret: Type.String({
      minLength: 16,
      maxLength: 256,
      description: 'Signs every delivery (webhook-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">). Sealed at rest, never returned.',
    }),
  },
  { additionalProperties: false },
);
export type WebhookInput = Static<typeof WebhookInput>;

export const Webhook = Type.Object(
  {
    name: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    pools: Type.Optional(Type.Array(Type.String())),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Webhook', title: 'Webhook' },
);

export const WebhookList = Type.Object({ items: Type.Array(Type.Ref(Webhook)) });

export const DeliveryAttempt = Type.Object(
  {
    event_id: Type.String({ description: '"<run id>.<n>": the n-th state of the run; the same on every retry.' }),
    run_id: Type.String(),
    state: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    at: Type.String({ format: 'date-time' }),
    outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retrying'), Type.Literal('abandoned')]),
    status_code: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status; null when it did not answer." }),
    error: Type.Union([Type.String(), Type.Null()]),
    response: Type.Union([Type.String(), Type.Null()], { description: "The first 1 KB of the receiver's answer." }),
    duration_ms: Type.Integer(),
    next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'DeliveryAttempt', title: 'DeliveryAttempt' },
);

export const DeliveryList = Type.Object({ items: Type.Array(Type.Ref(DeliveryAttempt)) });
export const DeliveriesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })) });
