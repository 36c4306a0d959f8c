import { CLI_ACTOR } from '../../audit/recorded-change.ts';
import { removePartnerBrand, removeTenantBrand, replacePartnerBrand, replaceTenantBrand } from '../../branding/brand-changes.ts';
import { loadBrand, tenantBrand } from '../../branding/brands.ts';
import { requirePartner } from '../../directory/partners.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { parseCommandArgs, print, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

/** The brand's fields as options (`--primary-color` for `primary_color`), or a whole brand as `--from-json`. */
const FIELDS = ['display_name', 'logo_url', 'logo_alt', 'primary_color', 'accent_color', 'appearance', 'support_email', 'terms_url', 'privacy_url', 'custom_css'] as const;
const FIELD_OPTIONS = Object.fromEntries(FIELDS.map((field) => [field.replace(/_/g, '-'), { type: 'string' as const }]));

function brandFromOptions(values: Record<string, unknown>): unknown {
  if (typeof values['from-json'] === 'string') {
    if (FIELDS.some((field) => values[field.replace(/_/g, '-')] !== undefined)) throw new UsageError('give either --from-json or field options, not both');
    try {
      return JSON.parse(values['from-json']);
    } catch {
      throw new UsageError('--from-json must be a JSON object');
    }
  }
  return Object.fromEntries(FIELDS.flatMap((field) => (typeof values[field.replace(/_/g, '-')] === 'string' ? [[field, values[field.replace(/_/g, '-')]]] : [])));
}

/** `latchkey branding`: the same validation and audit trail as /admin/v1/…/branding (docs/branding.md). */
export const brandingCommand: Command = {
  name: 'branding',
  usage: [
    'latchkey branding show (--tenant <slug> | --partner <partner_id>) [--json]',
    '       latchkey branding set (--tenant <slug> | --partner <partner_id>) [--display-name <text>] [--logo-url <https url> --logo-alt <text>]',
    '                [--primary-color <#hex>] [--accent-color <#hex>] [--appearance light|dark|auto] [--support-email <email>]',
    '                [--terms-url <https url>] [--privacy-url <https url>] [--custom-css="--lk-radius: 4px;"] [--from-json <brand json>] [--json]',
    '       latchkey branding clear (--tenant <slug> | --partner <partner_id>) [--json]',
  ].join('\n'),
  summary: 'Brand a tenant\'s hosted pages, or a partner\'s default brand (replaces the whole brand)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb !== 'show' && verb !== 'set' && verb !== 'clear') throw new UsageError(verb ? `unknown branding command "${verb}"` : 'a branding command is required');
    const { values } = parseCommandArgs(rest, { tenant: { type: 'string' }, partner: { type: 'string' }, 'from-json': { type: 'string' }, ...FIELD_OPTIONS });
    if ((values.tenant === undefined) === (values.partner === undefined)) throw new UsageError('name exactly one of --tenant or --partner');
    if (verb !== 'set' && (values['from-json'] !== undefined || FIELDS.some((field) => (values as Record<string, unknown>)[field.replace(/_/g, '-')] !== undefined))) {
      throw new UsageError(`branding ${verb} takes no brand fields`);
    }
    const ctx = await context.latchkey();
    if (typeof values.tenant === 'string') {
      const tenant = await requireTenantBySlug(ctx, values.tenant);
      if (verb === 'set') await replaceTenantBrand(ctx, CLI_ACTOR, tenant, brandFromOptions(values));
      if (verb === 'clear') await removeTenantBrand(ctx, CLI_ACTOR, tenant);
      const { own, inherited, effective } = await tenantBrand(ctx, tenant);
      print(context.io, values.json, { brand: own, inherited, effective });
      return;
    }
    const partner = await requirePartner(ctx.db, String(values.partner));
    if (verb === 'set') await replacePartnerBrand(ctx, CLI_ACTOR, partner, brandFromOptions(values));
    if (verb === 'clear') await removePartnerBrand(ctx, CLI_ACTOR, partner);
    print(context.io, values.json, { brand: await loadBrand(ctx, { kind: 'partner', id: partner.id }) });
  },
};
