import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Latchkey } from '../../../../../src/context.ts';
import type { Tenant } from '../../../../../src/db/queries/tenants.ts';
import type { RefreshTokenRow } from '../../../../../src/db/queries/refresh-tokens.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../../../../src/directory/tenant-settings.ts';
import { isUnusedRefreshToken, isWithinReuseGrace } from '../../../../../src/oauth/grants/shared/reuse-grace.ts';
import { successorRefreshToken } from '../../../../../src/oauth/grants/shared/successor-token.ts';

const tenantWithGrace = (reuse_grace: number) => ({ settings: { ...DEFAULT_TENANT_SETTINGS, reuse_grace } }) as Tenant;
const NOW = 1_800_000_000_000;

describe('reuse grace of refresh tokens (issue 14)', () => {
  it('counts a reuse as a retry only within the tenant\'s grace, and never with a grace of 0', () => {
    assert.equal(isWithinReuseGrace(tenantWithGrace(5), NOW - 5000, NOW), true);
    assert.equal(isWithinReuseGrace(tenantWithGrace(5), NOW - 5001, NOW), false);
    assert.equal(isWithinReuseGrace(tenantWithGrace(0), NOW, NOW), false);
  });

  it('hands a refresh token out again only while it is unused, unrevoked, unexpired and of the same grant', () => {
    const row: RefreshTokenRow = { token_hash: 'h', id: 'rtk_1', grant_id: 'grt_1', tenant_id: 't', client_id: 'c', scope: 'openid', created_at: NOW - 10, expires_at: NOW + 1000, rotated_at: null, revoked_at: null };
    assert.equal(isUnusedRefreshToken(row, 'grt_1', NOW), true);
    assert.equal(isUnusedRefreshToken(undefined, 'grt_1', NOW), false);
    assert.equal(isUnusedRefreshToken({ ...row, rotated_at: NOW - 1 }, 'grt_1', NOW), false, 'the family moved on');
    assert.equal(isUnusedRefreshToken({ ...row, revoked_at: NOW - 1 }, 'grt_1', NOW), false);
    assert.equal(isUnusedRefreshToken({ ...row, expires_at: NOW }, 'grt_1', NOW), false);
    assert.equal(isUnusedRefreshToken(row, 'grt_2', NOW), false);
  });
});

describe('successor refresh tokens (refresh tokens only: codes are single-use, RFC 6749 §4.1.2)', () => {
  const ctx = (masterSecret: string) => ({ masterSecret }) as Latchkey;
  const a = ctx('a-master-secret-that-is-long-enough-0123456789');

  it('are the same for the same presented value, 256-bit base64url like random opaque tokens', () => {
    const first = successorRefreshToken(a, 'presented');
    assert.equal(successorRefreshToken(a, 'presented'), first);
    assert.match(first, /^[A-Za-z0-9_-]{43}$/);
  });

  it('differ by presented refresh token and by master secret (nobody without the secret can compute one)', () => {
    const values = new Set([
      successorRefreshToken(a, 'presented'),
      successorRefreshToken(a, 'presented2'),
      successorRefreshToken(ctx('another-master-secret-that-is-long-enough-0123'), 'presented'),
    ]);
    assert.equal(values.size, 3);
  });
});
