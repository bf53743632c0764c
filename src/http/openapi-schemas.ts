import { Type, type TSchema } from 'typebox';
import type { FieldSpec } from '../integrate/fields.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Operation } from '../providers/types.js';

/**
 * OpenAPI schemas derived from the providers' field declarations, the same
 * declarations check_params_process enforces. Documentation only: validation
 * happens in the pipeline, in the contract's order and with its messages.
 */
function fieldSchema(spec: FieldSpec): TSchema {
  const description = spec.description;
  switch (spec.kind) {
    case 'amount':
      return Type.Integer({ minimum: 0, description });
    case 'date':
      return Type.String({ pattern: '^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}$', description });
    case 'tradeNo':
      return Type.String({ pattern: '^[A-Za-z0-9_-]{1,50}$', description });
    default:
      return Type.String({ maxLength: spec.maxLength ?? 50, description });
  }
}

function requestSchema(fields: readonly FieldSpec[]): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const spec of fields) {
    properties[spec.name] = spec.required ? fieldSchema(spec) : Type.Optional(fieldSchema(spec));
  }
  return Type.Object(properties, { additionalProperties: false });
}

export function integrateBodySchema(registry: ProviderRegistry, operation: Operation): TSchema {
  const variants = registry
    .types()
    .flatMap((type) => {
      const op = registry.get(type)?.operations[operation];
      return op ? [{ type, fields: op.fields }] : [];
    })
    .map(({ type, fields }) =>
      Type.Object(
        {
          type: Type.Literal(type, { description: '付款方式' }),
          request: requestSchema(fields),
          store_id: Type.Optional(Type.String({ description: '門市代碼 (store scenario)' })),
          is_test: Type.Optional(
            Type.Union([Type.Boolean(), Type.String({ pattern: '^(?i:true|false)$' })], {
              description: '是否為測試環境; omitted: the deployment default',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    );
  return variants.length === 1 ? variants[0]! : Type.Union(variants);
}

export function integrateQuerySchema(registry: ProviderRegistry): TSchema {
  const requests = registry.types().flatMap((type) => {
    const fields = registry.get(type)?.operations.search?.fields ?? [];
    return fields.length
      ? [`${type}: ${fields.map((f) => (f.required ? `${f.name}*` : f.name)).join(', ')}`]
      : [];
  });
  return Type.Object(
    {
      type: Type.String({ description: `付款方式: ${registry.types().join(', ')}` }),
      request: Type.String({
        description: `JSON object as a string (* required). ${requests.join('; ')}`,
      }),
      store_id: Type.Optional(Type.String()),
      is_test: Type.Optional(Type.String({ description: 'TRUE / FALSE, any case' })),
    },
    { additionalProperties: false },
  );
}

export const answerSchema = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      "The wallet's own answer, success and business failures alike (HTTP 200); see docs/api.md",
  },
);

export const errorSchema = Type.Object({
  message: Type.String(),
  code: Type.String(),
  request_id: Type.String(),
});
