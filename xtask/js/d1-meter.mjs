// A wrapped binding for the benchmark runner: the edge's `DB` as D1 itself, with each query
// the edge sends (a batch counted statement by statement) written to the worker's log as
// `lipa-d1 <read|write> <ms> <opening words>`, where ms is the database's own execution time
// (D1's `meta.duration`), so a benchmark can count D1's work per checkout from a run.
// Results pass through untouched.
const kind = (sql) => (/^\s*(SELECT|WITH)\b/i.test(sql) ? 'read' : 'write');
const note = (sql, result) => {
  const ms = Number(result?.meta?.duration ?? 0);
  // The statement's opening words name what it does (`INSERT INTO payments`).
  console.log(`lipa-d1 ${kind(sql)} ${ms.toFixed(4)} ${sql.trim().split(/\s+/).slice(0, 3).join(' ')}`);
  return result;
};

function statement(inner, sql) {
  return {
    inner,
    sql,
    bind: (...values) => statement(inner.bind(...values), sql),
    run: async () => note(sql, await inner.run()),
    all: async () => note(sql, await inner.all()),
    // Read through `all` for its `meta` (D1's `first` runs the same statement and keeps the
    // first row).
    first: async (column) => {
      const row = note(sql, await inner.all()).results?.[0] ?? null;
      return column === undefined || row === null ? row : (row[column] ?? null);
    },
    raw: async (options) => {
      note(sql, null);
      return inner.raw(options);
    },
  };
}

// Named as D1's own class: the `worker` crate checks a binding's constructor name.
class D1Database {
  constructor(db) {
    this.db = db;
  }

  prepare(sql) {
    return statement(this.db.prepare(sql), sql);
  }

  async batch(statements) {
    const results = await this.db.batch(statements.map((s) => s.inner));
    statements.forEach((s, i) => note(s.sql, results[i]));
    return results;
  }

  exec(sql) {
    note(sql, null);
    return this.db.exec(sql);
  }
}

export default function (env) {
  return new D1Database(env.INNER);
}
