/** Partners: service providers that own many tenants (a tenant belongs to one partner or stands alone). */
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { partnerQueries } from '../db/queries/partners.ts';
import type { Partner } from '../db/queries/partners.ts';
import { Conflict, InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';
import { checkSlug } from './field-checks.ts';

export interface PartnerInput {
  readonly slug?: string | undefined;
  readonly name?: string | undefined;
}

function checkName(name: unknown): string {
  assert(typeof name === 'string' && name.trim() !== '' && name.length <= 200, new InvalidRequest('name must be 1 to 200 characters'));
  return name.trim();
}

async function uniquely<T>(work: () => Promise<T>, slug: string | undefined): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`a partner with slug "${slug}" already exists`);
    throw error;
  }
}

export async function createPartner(db: Database, input: PartnerInput, now: number): Promise<Partner> {
  const slug = checkSlug(input.slug);
  const row: Partner = { id: newId('ptn', now), slug, name: checkName(input.name ?? slug), created_at: now, updated_at: now };
  await uniquely(() => partnerQueries(db).insert(row), slug);
  return row;
}

export async function requirePartner(db: Database, id: string): Promise<Partner> {
  const partner = await partnerQueries(db).findById(id);
  if (!partner) throw new NotFound('no such partner');
  return partner;
}

export async function updatePartner(db: Database, id: string, input: PartnerInput, now: number): Promise<Partner> {
  await requirePartner(db, id);
  const changes = {
    ...(input.slug === undefined ? {} : { slug: checkSlug(input.slug) }),
    ...(input.name === undefined ? {} : { name: checkName(input.name) }),
  };
  await uniquely(() => partnerQueries(db).update(id, changes, now), input.slug);
  return requirePartner(db, id);
}

/** A partner that still owns tenants cannot go: move or delete the tenants first. */
export async function deletePartner(db: Database, id: string): Promise<Partner> {
  const partner = await requirePartner(db, id);
  const tenants = await partnerQueries(db).countTenants(id);
  assert(tenants === 0, new Conflict(`the partner still owns ${tenants} tenant(s)`));
  await partnerQueries(db).delete(id);
  return partner;
}

export function describePartner(partner: Partner) {
  return {
    id: partner.id,
    slug: partner.slug,
    name: partner.name,
    created_at: new Date(partner.created_at).toISOString(),
    updated_at: new Date(partner.updated_at).toISOString(),
  };
}
