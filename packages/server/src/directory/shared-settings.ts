/**
 * Most tenants store the very same settings JSON (the defaults, or a partner's template). Parsing it per tenant
 * row validated the whole document on every tenant-cache miss, and the tenant cache held one copy per tenant:
 * 1.3 KB of the 2.7 KB a tenant weighed there, by the cache's own estimate (issue 21, `bench:cold-token`). One
 * parsed object per distinct text, shared by every tenant row that stores it, costs both once. The table is
 * bounded (oldest text first), so tenants with settings of their own get a copy each, as before.
 */
import { estimateBytes } from '../util/lru-cache.ts';
import { parseStoredSettings } from './tenant-settings.ts';
import type { TenantSettings } from './tenant-settings.ts';

const MAX_SHARED = 256;
const byText = new Map<string, TenantSettings>();
const shared = new WeakSet<TenantSettings>();

/** The stored settings, parsed once per distinct text (the returned object is shared: never change it). */
export function sharedSettings(json: string): TenantSettings {
  let settings = byText.get(json);
  if (settings === undefined) {
    settings = parseStoredSettings(json);
    if (byText.size >= MAX_SHARED) byText.delete(byText.keys().next().value as string);
    byText.set(json, settings);
    shared.add(settings);
  }
  return settings;
}

/**
 * What a cache entry holding `settings` should count for them: a reference when the object is shared (it is
 * counted once, in `sharedSettingsBytes`), the whole object otherwise.
 */
export function settingsBytes(settings: TenantSettings): number {
  return shared.has(settings) ? 8 : estimateBytes(settings);
}

/** The shared objects' bytes, once each (at most `MAX_SHARED` of them). */
export function sharedSettingsBytes(): number {
  let total = 0;
  for (const [json, settings] of byText) total += estimateBytes(json) + estimateBytes(settings);
  return total;
}
