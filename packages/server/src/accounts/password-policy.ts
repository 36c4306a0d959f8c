/**
 * The password policy of passwords people choose themselves (sign-up, reset, invitation, account page): length
 * within the tenant's bounds (8..128 by default, NIST 800-63B §5.1.1.2) and a zxcvbn strength score at least
 * `min_strength`, with the person's own name, username and email as dictionary words, so "ada-lovelace-1815" is
 * as weak for Ada as "password1" is for anyone. The one seam to @zxcvbn-ts, loaded on first use.
 */
import type { PasswordPolicy } from './account-settings.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';

type Checker = { check(password: string, userInputs?: (string | number)[]): { score: number; feedback: { warning: string | null; suggestions: string[] } } };

let checker: Promise<Checker> | undefined;

function loadChecker(): Promise<Checker> {
  checker ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  })();
  return checker;
}

export interface PersonalWords {
  readonly email?: string | null;
  readonly username?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  /** The tenant's name: a password built from it is guessable too. */
  readonly tenantName?: string | null;
}

function personalWords(words: PersonalWords): string[] {
  const out = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (!value) return;
    const lower = value.toLowerCase();
    out.add(lower);
    for (const part of lower.split(/[^a-z0-9]+/)) if (part.length >= 3) out.add(part);
  };
  add(words.email);
  add(words.email?.split('@')[0]);
  add(words.username);
  add(words.firstName);
  add(words.lastName);
  add(words.tenantName);
  if (words.firstName && words.lastName) out.add(`${words.firstName}${words.lastName}`.toLowerCase().replace(/\s+/g, ''));
  return [...out];
}

/** Why a password is refused (a catalog message for the person choosing it); undefined when it is acceptable. */
export async function passwordPolicyProblem(password: string, policy: PasswordPolicy, words: PersonalWords): Promise<PageMessage | undefined> {
  const length = [...password].length;
  if (length < policy.min_length) return { key: 'page.password.too_short', values: { min: policy.min_length } };
  if (length > policy.max_length) return { key: 'page.password.too_long', values: { max: policy.max_length } };
  if (policy.min_strength === 0) return undefined;
  const result = (await loadChecker()).check(password, personalWords(words));
  if (result.score >= policy.min_strength) return undefined;
  if (result.feedback.warning === 'userInputs') return { key: 'page.password.personal' };
  return { key: 'page.password.weak' };
}
