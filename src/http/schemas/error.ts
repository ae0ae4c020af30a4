import { Type } from '@sinclair/typebox';

export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED.' }),
      message: Type.String(),
      details: Type.Optional(
        Type.Array(
          Type.Object(
            { path: Type.Optional(Type.String()), message: Type.String() },
            { additionalProperties: true },
          ),
        ),
      ),
    }),
  },
  { $id: 'ErrorEnvelope', title: 'ErrorEnvelope' },
);

/** The error responses every authenticated route may give, for its `response` schema. */
export const errorResponses = {
  400: Type.Ref(ErrorEnvelope),
  401: Type.Ref(ErrorEnvelope),
  403: Type.Ref(ErrorEnvelope),
  500: Type.Ref(ErrorEnvelope),
  503: Type.Ref(ErrorEnvelope),
} as const;
