/**
 * /admin/v1/tenants/{tenant}/signing-keys: the published keys and rotation. Rotating to another algorithm than
 * the tenant's `signing_alg` switches the tenant to it: the setting changes with the staged key, and the key that
 * signs now keeps signing until the new one activates (the answer says which key signs until when).
 */
import { recordAuditEvent } from '../audit/audit-log.ts';
import { signingKeyQueries } from '../db/queries/signing-keys.ts';
import { InvalidRequest, assert } from '../errors/oauth-error.ts';
import { isSigningAlgorithm, SIGNING_ALGORITHMS } from '../tokens/jose.ts';
import type { SigningAlgorithm } from '../tokens/jose.ts';
import { rotateTenantKey } from '../tokens/rotation.ts';
import { adminRoute } from './admin-route.ts';
import { dateTime, named, nullableDateTime, object, pathParams, string } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const algSchema = { type: 'string', enum: [...SIGNING_ALGORITHMS] };
export const SigningKeySchema = named(
  'SigningKey',
  object({
    kid: string(), alg: algSchema, activates_at: dateTime,
    publish_until: { ...nullableDateTime, description: 'set once a newer key takes over: the key leaves JWKS then' },
    public_jwk: { type: 'object', additionalProperties: true }, created_at: dateTime,
  }),
);
const SigningKeyListSchema = named('SigningKeyList', object({ data: { type: 'array', items: SigningKeySchema } }));
const RotationSchema = named(
  'SigningKeyRotation',
  object({
    kid: string(), alg: algSchema, activates_at: { ...dateTime, description: 'when the new key starts signing' },
    signing_alg: { ...algSchema, description: "the tenant's signing_alg from now on: tokens use it once the new key is active" },
    signs_until_activation: {
      type: ['object', 'null'], properties: { kid: string(), alg: algSchema }, required: ['kid', 'alg'], additionalProperties: false,
      description: 'the key that keeps signing until activates_at (null when the new key signs at once)',
    },
    retired_keys_published_until: dateTime,
  }),
);
const tag = 'Signing keys';

export const signingKeyRoutes = [
  adminRoute<TenantParams>({
    method: 'GET', path: '/tenants/:tenant/signing-keys', operationId: 'listSigningKeys', summary: 'Published signing keys (public parts only)', tag,
    params: pathParams('tenant'), status: 200, response: SigningKeyListSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const rows = await signingKeyQueries(ctx.db).listPublished(tenant.id, ctx.now());
      return {
        data: rows.map((row) => ({
          kid: row.kid, alg: row.alg, activates_at: new Date(row.activates_at).toISOString(),
          publish_until: row.publish_until === null ? null : new Date(row.publish_until).toISOString(),
          public_jwk: JSON.parse(row.public_jwk) as Record<string, unknown>, created_at: new Date(row.created_at).toISOString(),
        })),
      };
    },
  }),
  adminRoute<TenantParams, Record<string, never>, { alg?: SigningAlgorithm; activate_in?: number }>({
    method: 'POST', path: '/tenants/:tenant/signing-keys/rotate', operationId: 'rotateSigningKey',
    summary: 'Rotate: publish a new key that signs after a delay; the old keys stay published until their tokens expire. Another alg switches the tenant to it when the key activates', tag,
    params: pathParams('tenant'),
    body: object({ alg: algSchema, activate_in: { type: 'integer', minimum: 0, maximum: 604800, description: 'seconds until the new key signs' } }, ['alg', 'activate_in']),
    status: 200, response: RotationSchema,
    async handle({ ctx, principal, params, body, request }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const alg = body.alg ?? tenant.settings.signing_alg;
      assert(isSigningAlgorithm(alg) && tenant.settings.allowed_signing_algs.includes(alg), new InvalidRequest(`the tenant does not allow ${alg}`));
      const result = await rotateTenantKey(ctx, tenant, alg, body.activate_in === undefined ? undefined : body.activate_in * 1000);
      // The rotation writes in its own transaction (signing-keys.ts); its record follows as a security event.
      await recordAuditEvent(ctx, { action: 'signing_key.rotate', tenantId: tenant.id, actor: { type: principal.type, id: principal.id }, target: { type: 'signing_key', id: result.kid }, ip: request.ip, details: { alg, previous_signing_alg: result.previousAlg } });
      return {
        kid: result.kid, alg: result.alg, activates_at: new Date(result.activatesAt).toISOString(), signing_alg: alg,
        signs_until_activation: result.signsUntilActivation ?? null, retired_keys_published_until: new Date(result.retiredPublishUntil).toISOString(),
      };
    },
  }),
];
