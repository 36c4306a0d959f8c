/** Security mutants of directory/api-keys.ts (`npm run test:mutation`). */
import type { Mutant } from '../mutants.ts';
import { S, T } from './paths.ts';

export const API_KEYS_MUTANTS: readonly Mutant[] = [
  {
    id: 'api-key-revoked',
    module: 'api-keys',
    file: `${S}directory/api-keys.ts`,
    original: "if (key.revoked_at !== null) return refuse('revoked');",
    mutated: '',
    description: 'a revoked API key keeps working',
    tests: [`${T}features/api-keys.test.ts`],
  },
  {
    id: 'api-key-expired',
    module: 'api-keys',
    file: `${S}directory/api-keys.ts`,
    original: "if (key.expires_at !== null && key.expires_at <= now) return refuse('expired');",
    mutated: '',
    description: 'an expired API key keeps working',
    tests: [`${T}features/api-keys.test.ts`],
  },
  {
    id: 'api-key-owner-active',
    module: 'api-keys',
    file: `${S}directory/api-keys.ts`,
    original: "if (!owner || owner.status !== 'active') return refuse('owner_inactive');",
    mutated: "if (!owner) return refuse('owner_inactive');",
    description: "a disabled owner's API key keeps working",
    tests: [`${T}features/api-keys.test.ts`],
  },
  {
    id: 'api-key-live-only',
    module: 'api-keys',
    file: `${S}directory/api-keys.ts`,
    original: "if (key.mode === 'test' && tenant.settings.require_live_api_keys) return refuse('test_key_refused');",
    mutated: '',
    description: 'a test key works in a tenant that requires live keys',
    tests: [`${T}features/api-keys.test.ts`],
  },
  {
    id: 'api-key-permissions-subset',
    module: 'api-keys',
    file: `${S}directory/api-keys.ts`,
    original: 'assert(beyond.length === 0, ',
    mutated: 'assert(true, ',
    description: 'an API key is created with permissions its owner lacks',
    tests: [`${T}features/api-keys.test.ts`],
  },
];
