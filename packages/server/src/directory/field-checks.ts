/** Checks shared by the directory's named things (groups, roles): names, descriptions, unique names. */
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict, InvalidRequest, assert } from '../errors/oauth-error.ts';

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
