/** Checks shared by the directory's named things (partners, tenants, groups, roles): slugs, names, descriptions, unique names. */
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict, InvalidRequest, assert } from '../errors/oauth-error.ts';

/** Slugs appear in URLs (`/t/<slug>`): lower-case letters, digits and inner hyphens, 2 to 63 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])$/;

export function checkSlug(slug: unknown): string {
  assert(typeof slug === 'string' && SLUG_PATTERN.test(slug), new InvalidRequest('slug must be 2 to 63 lower-case letters, digits or inner hyphens'));
  return slug;
}

export function checkName(name: unknown, maxLength: number): string {
  assert(typeof name === 'string' && name.trim() !== '' && name.length <= maxLength, new InvalidRequest(`name must be 1 to ${maxLength} characters`));
  return name.trim();
}

export function checkDescription(description: unknown): string | null {
  if (description === null || description === undefined || description === '') return null;
  assert(typeof description === 'string' && description.length <= 1000, new InvalidRequest('description must be at most 1000 characters'));
  return description;
}

/** Runs a write whose unique violation means "a <kind> with this name exists": 409 instead of a database error. */
export async function withUniqueName<T>(kind: string, work: () => Promise<T>, name: string | undefined): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`a ${kind} named "${name}" already exists in the tenant`);
    throw error;
  }
}
