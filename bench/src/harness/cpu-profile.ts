/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and attributes each sample to a category by its
 * stack: walking from the leaf towards the root, the first frame that belongs to a known area decides, so the
 * time `JSON.stringify` spends inside Fastify's reply counts as JSON and a Kysely query built inside a grant
 * counts as storage.
 */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export type Categorizer = (frame: CallFrame) => string | undefined;

export interface ProfileSummary {
  /** Category and its share of the busy (non-idle) time, largest first. */
  readonly categories: readonly (readonly [string, number])[];
  readonly hottest: readonly { readonly label: string; readonly share: number }[];
}

const RULES: readonly (readonly [string, RegExp])[] = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['json', /fast-json-stringify|secure-json-parse|util\/json\.ts|^JSON\.|^(stringify|parse)$/],
  ['signing', /\/jose\/|tokens\/jose\.ts|internal\/crypto\/(webcrypto|keys|sig|rsa|ec|cfrg|util)/],
  ['storage', /\/kysely\/|\/db\/|node:sqlite|\/pg\/|\/pg-|directory\/access\.ts/],
  ['metrics/logs', /prom-client|\/pino|thread-stream|sonic-boom/],
  ['http', /\/fastify\/|find-my-way|avvio|proxy-addr|light-my-request|node:_http|node:http|node:net|internal\/streams|internal\/http|node:events|internal\/url|http\/[a-z-]+\.ts/],
  ['crypto (hash, random)', /internal\/crypto/],
  ['latchkey', /packages\/server\/src/],
];

export const categorize: Categorizer = (frame) => {
  const text = frame.url === '' ? frame.functionName : frame.url;
  for (const [category, pattern] of RULES) if (pattern.test(text) || pattern.test(frame.functionName)) return category;
  return undefined;
};

function label(frame: CallFrame): string {
  const where = frame.url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/.*?\/packages\//, 'packages/');
  return `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
}

export function summarizeProfile(profile: CpuProfile, categorizeFrame: Categorizer, top = Number(process.env.BENCH_PROFILE_TOP ?? 15)): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const categoryOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = categoryOf.get(id);
    if (known !== undefined) return known;
    const own = categorizeFrame(byId.get(id)!.callFrame);
    const up = parent.get(id);
    const category = own ?? (up === undefined ? 'other' : resolve(up));
    categoryOf.set(id, category);
    return category;
  };
  const perCategory = new Map<string, number>();
  const perFrame = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const category = resolve(id);
    if (category === 'idle') return;
    busy += delta;
    perCategory.set(category, (perCategory.get(category) ?? 0) + delta);
    const name = label(byId.get(id)!.callFrame);
    perFrame.set(name, (perFrame.get(name) ?? 0) + delta);
  });
  const share = (value: number) => (busy === 0 ? 0 : value / busy);
  return {
    categories: [...perCategory].sort((a, b) => b[1] - a[1]).map(([category, time]) => [category, share(time)] as const),
    hottest: [...perFrame].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, time]) => ({ label: name, share: share(time) })),
  };
}
