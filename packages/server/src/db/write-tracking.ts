/**
 * Counts this instance's writes that may change directory rows (tenants, clients, users, groups, roles), so a
 * cache of such rows can tell at once that something it holds may be stale. Writes made elsewhere (another
 * instance, the CLI) reach it through the shared change counter (`cache-sync.ts` calls `invalidate`), or
 * failing that through the cache's TTL.
 *
 * A Kysely plugin sees every query this instance runs: a select changes nothing; a write to a leaf table
 * (one no directory row depends on, even through ON DELETE CASCADE) changes nothing cached; anything else
 * (other writes, raw statements, schema changes) bumps the generation, before and again after it runs.
 * A hand-made `CompiledQuery` bypasses plugins: directory writes must go through the query builder or `sql`.
 */
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * Tables written on hot paths whose rows no cached directory row depends on. A table missing here only costs
 * cache misses, never stale answers; add a new hot-path table here when it cascades into nothing cached.
 */
export const LEAF_TABLES: ReadonlySet<string> = new Set([
  'audit_events',
  'revoked_access_tokens',
  'api_keys',
  'signing_keys',
  // Sign-in (0002): they reference clients, users and grants; nothing cached references them.
  'browser_sessions',
  'interactions',
  'grants',
  'authorization_codes',
  'refresh_tokens',
  'grant_access_tokens',
  'consents',
  // Strong sign-in (0005): a challenge per sign-in page view, factor counters and spent codes; nothing cached reads them.
  'webauthn_challenges',
  'user_factors',
  'recovery_codes',
  // Federation (0007): per-sign-in state, replay cache, links and the session's connection; nothing cached reads them.
  'federation_states',
  'federation_pending_links',
  'federated_identities',
  'federated_sessions',
  'saml_assertion_ids',
  // Accounts (0008): mail rows and one-time link tokens; nothing cached reads them.
  'mail_outbox',
  'account_tokens',
  'invitations',
  // The shared change counter itself (`change-announcing-driver.ts` bumps it, `cache-sync.ts` reads it).
  'directory_changes',
]);

/**
 * Leaf tables whose cache invalidates itself on this instance (`tokens/signing-keys.ts`) but whose writes other
 * instances must still hear of: a key rotated through one instance has to reach every instance's JWKS.
 */
const SELF_INVALIDATED_TABLES: ReadonlySet<string> = new Set(['signing_keys']);

interface NamedNode {
  readonly kind: string;
  readonly node?: NamedNode;
  readonly table?: { readonly identifier?: { readonly name?: string } } | NamedNode;
  readonly into?: NamedNode;
  readonly from?: { readonly froms?: readonly NamedNode[] };
  readonly sqlFragments?: readonly string[];
  readonly parameters?: readonly NamedNode[];
}

/** The text a raw statement opens with, through a leading ${sql.raw(…)} (how `declareWrites` is put first). */
function leadingText(node: NamedNode): string {
  const first = node.sqlFragments?.[0] ?? '';
  const inner = node.parameters?.[0];
  return first === '' && inner?.kind === 'RawNode' ? leadingText(inner) : first;
}

function tableName(node: NamedNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 'AliasNode') return tableName(node.node);
  if (node.kind === 'TableNode') return (node.table as { identifier?: { name?: string } } | undefined)?.identifier?.name;
  return undefined;
}

function writtenTables(node: NamedNode): (string | undefined)[] | undefined {
  switch (node.kind) {
    case 'SelectQueryNode':
      return [];
    case 'InsertQueryNode':
      return [tableName(node.into)];
    case 'UpdateQueryNode':
      return [tableName(node.table as NamedNode | undefined)];
    case 'DeleteQueryNode':
      return (node.from?.froms ?? [undefined]).map(tableName);
    case 'RawNode': {
      const text = leadingText(node);
      // A raw statement may declare the tables it writes (`declareWrites`); they are checked like any other.
      const declared = DECLARED_WRITES.exec(text);
      if (declared !== null) return declared[1]!.split(',').map((table) => table.trim());
      return /^\s*select\b/i.test(text) ? [] : undefined;
    }
    default:
      return undefined;
  }
}

const DECLARED_WRITES = /^\s*\/\* writes: ([a-z_]+(?:, [a-z_]+)*) \*\//;

/**
 * The comment that opens a raw statement writing only `tables` (a PostgreSQL statement of data-modifying
 * CTEs, which the tracker cannot read): a statement without it counts as changing the directory.
 */
export function declareWrites(...tables: readonly string[]): string {
  return `/* writes: ${tables.join(', ')} */`;
}

/** Whether a query may change a directory row: unknown shapes count as yes. */
export function mayChangeDirectory(node: OperationNode): boolean {
  const tables = writtenTables(node as NamedNode);
  return tables === undefined || tables.some((table) => table === undefined || !LEAF_TABLES.has(table));
}

/** Whether other instances must hear of a query (`change-announcing-driver.ts`): a directory write or a signing-key write. */
export function mustAnnounce(node: OperationNode): boolean {
  const tables = writtenTables(node as NamedNode);
  return tables === undefined || tables.some((table) => table === undefined || !LEAF_TABLES.has(table) || SELF_INVALIDATED_TABLES.has(table));
}

export class WriteTracker implements KyselyPlugin {
  #generation = 0;
  readonly #writes = new WeakSet<object>();

  /** Changes whenever this instance may have changed a directory row. */
  get generation(): number {
    return this.#generation;
  }

  /** Another instance (or the CLI) changed the directory: every cache following this generation drops its entries. */
  invalidate(): void {
    this.#generation += 1;
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (mayChangeDirectory(node)) {
      this.#generation += 1;
      this.#writes.add(queryId);
    }
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Again once the write is done: a read that overlapped it must not be cached as current.
    if (this.#writes.has(queryId)) this.#generation += 1;
    return result;
  }
}

const trackers = new WeakMap<object, WriteTracker>();

/** Attaches a tracker to a Kysely instance (done once, where the database is opened). */
export function trackWrites<T extends { withPlugin(plugin: KyselyPlugin): T }>(db: T): T {
  const tracker = new WriteTracker();
  const tracked = db.withPlugin(tracker);
  trackers.set(tracked, tracker);
  return tracked;
}

/** The tracker of a database opened by `openDatabase`; undefined for any other Kysely instance. */
export function writeTrackerOf(db: object): WriteTracker | undefined {
  return trackers.get(db);
}
