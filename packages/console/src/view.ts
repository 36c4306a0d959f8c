/** What every page knows: who is signed in (from GET /me) and which tenant the page is about. */
import type { AdminRole, Me } from './api.ts';

export interface View {
  readonly me: Me;
  /** The tenant in the address (`#/t/<slug>/…`), else the admin's own. */
  readonly tenant: string;
}

const RANK: Record<AdminRole, number> = { auditor: 1, tenant_admin: 2, partner_admin: 3, super_admin: 4 };

/** Admin roles the signed-in admin may hand out (the API enforces the same rule: never above one's own). */
export function grantableRoles(me: Me): AdminRole[] {
  if (!me.can.write) return [];
  return (Object.keys(RANK) as AdminRole[]).filter((role) => RANK[role] <= RANK[me.role]);
}

export function canWrite(view: View): boolean {
  return view.me.can.write;
}

export function tenantPath(view: View, rest = ''): string {
  return `#/t/${encodeURIComponent(view.tenant)}${rest}`;
}
