/** Security mutants of admin/ authorization (`npm run test:mutation`). */
import type { Mutant } from '../mutants.ts';
import { S, T } from './paths.ts';

export const ADMIN_AUTH_MUTANTS: readonly Mutant[] = [
  {
    id: 'admin-scope',
    module: 'admin-auth',
    file: `${S}admin/admin-auth.ts`,
    original: 'if (!scopes.includes(ADMIN_SCOPE)) throw',
    mutated: 'if (false) throw',
    description: 'a token without latchkey:admin reaches the admin API',
    tests: [`${T}features/admin-api.test.ts`],
  },
  {
    id: 'admin-role',
    module: 'admin-auth',
    file: `${S}admin/admin-auth.ts`,
    original: "if (user.admin_role === null) throw new AccessDenied('this user holds no admin role'",
    mutated: "if (false) throw new AccessDenied('this user holds no admin role'",
    description: 'a user with no admin role uses the admin API',
    tests: [`${T}features/admin-api.test.ts`],
  },
  {
    id: 'admin-tenant-access',
    module: 'admin-auth',
    file: `${S}admin/admin-auth.ts`,
    original: "if (principal.role === 'super_admin' || principal.tenantId === tenant.id) return true;",
    mutated: 'return true;',
    description: "a tenant_admin reaches another tenant's directory",
    tests: [`${T}features/admin-api.test.ts`],
  },
  {
    id: 'admin-super-only',
    module: 'admin-auth',
    file: `${S}admin/admin-auth.ts`,
    original: "if (principal.role !== 'super_admin') throw new AccessDenied('only a super_admin may do this');",
    mutated: '',
    description: 'a tenant_admin creates tenants or partners',
    tests: [`${T}features/admin-api.test.ts`],
  },
  {
    id: 'admin-user-active',
    module: 'admin-auth',
    file: `${S}admin/admin-auth.ts`,
    original: "if (!user || user.tenant_id !== tenant.id || user.status !== 'active') throw",
    mutated: 'if (!user) throw',
    description: 'a disabled admin keeps using the admin API',
    tests: [`${T}features/admin-api.test.ts`, `${T}features/admin-change-paths.test.ts`],
  },
  {
    id: 'admin-token-valid',
    module: 'admin-auth',
    file: `${S}admin/admin-auth.ts`,
    original: "if (!checked.valid) throw invalidToken(checked.reason === 'expired'",
    mutated: "if (false) throw invalidToken(checked.reason === 'expired'",
    description: 'a revoked or forged token reaches the admin API',
    tests: [`${T}features/admin-api.test.ts`],
  },
];
