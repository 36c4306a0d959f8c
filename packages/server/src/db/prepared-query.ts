/**
 * A read query built and compiled once per database handle, then run with new parameter values: for the few
 * selects on a loaded path whose shape never changes (the API-key exchange reads the key and its owner's access
 * on every request). Building a Kysely query and compiling it costs more than SQLite's answer for a small indexed
 * read; the SQL text stays the same, so SQLite's statement cache (and PostgreSQL's plan for it) is reused too.
 *
 * The query is built with placeholders standing for the named parameters; compiling records where each lands
 * in the parameter list. Only for selects: a compiled query given to `executeQuery` still passes the plugins'
 * result hooks, but write tracking must see writes as they are built (`write-tracking.ts`).
 */
import type { CompiledQuery, Compilable } from 'kysely';
import type { Database } from './database.ts';

class Placeholder {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

type Placeholders<P> = { readonly [K in keyof P]: P[K] };

interface Compiled {
  readonly query: CompiledQuery;
  /** For each parameter position: the name it takes its value from, or undefined for a constant of the query. */
  readonly names: readonly (string | undefined)[];
}

export interface PreparedQuery<P, R> {
  /** Every row the query answers for these parameter values. */
  execute(db: Database, params: P): Promise<R[]>;
}

export function preparedQuery<P extends Record<string, unknown>, R>(build: (db: Database, params: Placeholders<P>) => Compilable<R>): PreparedQuery<P, R> {
  const compiled = new WeakMap<Database, Compiled>();
  const placeholders = new Proxy({}, { get: (_, name) => new Placeholder(String(name)) }) as Placeholders<P>;
  const compile = (db: Database): Compiled => {
    const query = build(db, placeholders).compile();
    return { query, names: query.parameters.map((value) => (value instanceof Placeholder ? value.name : undefined)) };
  };
  return {
    async execute(db, params) {
      let entry = compiled.get(db);
      if (entry === undefined) compiled.set(db, (entry = compile(db)));
      const { query, names } = entry;
      const parameters = names.map((name, i) => (name === undefined ? query.parameters[i] : params[name]));
      const result = await db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
      return result.rows;
    },
  };
}
