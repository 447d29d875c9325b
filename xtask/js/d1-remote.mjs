// Each of the edge's D1 bindings in the benchmark runner (`DB`, `EVENTS`): D1's API, carried over
// HTTP to its database, served in a process of their own (serve-d1.mjs, at `<url>/<binding>`), as on Cloudflare, where a D1 database is a
// service the Worker calls and not part of its isolate. The edge's CPU then holds what a D1
// call costs the Worker (the statement sent, the rows read back) and not the database's work,
// which the bench reads apart. Errors come back with D1's own message.
//
// Only JSON values travel: a statement bound to anything else (a blob) is refused at `bind`.
const JSON_VALUE = new Set(['string', 'number', 'boolean']);

function param(value) {
  if (value === null || value === undefined) return null;
  if (JSON_VALUE.has(typeof value)) return value;
  throw new TypeError(`the remote D1 carries JSON values only, not ${Object.prototype.toString.call(value)}`);
}

class D1PreparedStatement {
  constructor(db, sql, params = []) {
    this.db = db;
    this.sql = sql;
    this.params = params;
  }

  bind(...values) {
    return new D1PreparedStatement(this.db, this.sql, values.map(param));
  }

  run() {
    return this.db.call('run', [this]);
  }

  all() {
    return this.db.call('all', [this]);
  }

  async first(column) {
    const row = (await this.db.call('all', [this])).results?.[0] ?? null;
    return column === undefined || row === null ? row : (row[column] ?? null);
  }

  raw(options) {
    return this.db.call('raw', [this], options);
  }
}

// Named as D1's own class: the `worker` crate checks a binding's constructor name.
class D1Database {
  constructor(url) {
    this.url = url;
  }

  prepare(sql) {
    return new D1PreparedStatement(this, sql);
  }

  batch(statements) {
    return this.call('batch', statements);
  }

  exec(sql) {
    return this.call('exec', [new D1PreparedStatement(this, sql)]);
  }


  async call(op, statements, options) {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ op, options, statements: statements.map((s) => ({ sql: s.sql, params: s.params })) }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error ?? `D1 answered ${response.status}`);
    return answer.result;
  }
}

export default function (env) {
  return new D1Database(env.URL);
}
