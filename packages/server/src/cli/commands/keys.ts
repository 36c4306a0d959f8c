import { recordAuditEvent } from '../../audit/audit-log.ts';
import { isSigningAlgorithm, SIGNING_ALGORITHMS } from '../../tokens/jose.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { rotateTenantKey } from '../../tokens/rotation.ts';
import type { TenantRotation } from '../../tokens/rotation.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const keysCommand: Command = {
  name: 'keys',
  usage: 'latchkey keys rotate --tenant <slug> [--alg RS256|ES256|EdDSA] [--activate-in <seconds>] [--json]\n       latchkey keys list --tenant <slug> [--json]',
  summary: 'Rotate a tenant signing key (published before it signs; old keys stay until their tokens expire); --alg of another algorithm switches the tenant to it when the key activates',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'rotate') {
      const { values } = parseCommandArgs(rest, { tenant: { type: 'string' }, alg: { type: 'string' }, 'activate-in': { type: 'string' } });
      const slug = requireOption(values.tenant, 'tenant');
      if (values.alg !== undefined && !isSigningAlgorithm(values.alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
      let activateInMs: number | undefined;
      if (values['activate-in'] !== undefined) {
        const seconds = Number(values['activate-in']);
        if (!Number.isInteger(seconds) || seconds < 0 || seconds > 7 * 86400) throw new UsageError('--activate-in must be whole seconds from 0 to 604800');
        activateInMs = seconds * 1000;
      }
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, slug);
      const alg = values.alg ?? tenant.settings.signing_alg;
      if (!tenant.settings.allowed_signing_algs.includes(alg)) throw new UsageError(`tenant ${slug} does not allow ${alg}`);
      // Another algorithm switches the tenant to it when the key activates (the key that signs now signs until then).
      const result = await rotateTenantKey(ctx, tenant, alg, activateInMs);
      await recordAuditEvent(ctx, { action: 'signing_key.rotate', tenantId: tenant.id, actor: { type: 'cli', id: null }, target: { type: 'signing_key', id: result.kid }, details: { alg, previous_signing_alg: result.previousAlg } });
      const out = {
        tenant: tenant.slug,
        kid: result.kid,
        alg: result.alg,
        activates_at: new Date(result.activatesAt).toISOString(),
        signing_alg: alg,
        signs_until_activation: result.signsUntilActivation ?? null,
        retired_keys_published_until: new Date(result.retiredPublishUntil).toISOString(),
      };
      print(context.io, values.json, values.json ? out : { signing: describeSigning(result), ...out });
      return;
    }
    if (verb === 'list') {
      const { values } = parseCommandArgs(rest, { tenant: { type: 'string' } });
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
      print(context.io, values.json, await ctx.signingKeys.jwks(tenant.id));
      return;
    }
    throw new UsageError(verb ? `unknown keys command "${verb}"` : 'a keys command is required');
  },
};

/** One sentence on which key signs from when, so an algorithm switch cannot pass for an immediate one. */
function describeSigning(result: TenantRotation): string {
  const at = new Date(result.activatesAt).toISOString();
  const next = `${result.alg} key ${result.kid} signs from ${at}`;
  const sentence = result.signsUntilActivation === undefined ? next : `${result.signsUntilActivation.alg} key ${result.signsUntilActivation.kid} signs until ${at}; then ${next}`;
  return result.alg === result.previousAlg ? `${sentence}.` : `${sentence} (the tenant's signing_alg is now ${result.alg}, was ${result.previousAlg}).`;
}
