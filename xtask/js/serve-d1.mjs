// The edge's D1 databases in a process of their own, for `cargo xtask bench`: on Cloudflare a
// D1 database is a service the Worker calls, so its work is not the Worker's CPU. The edge
// reaches each through d1-remote.mjs at `<url>/<binding>`; the databases are the ones
// wrangler.toml binds, kept where `wrangler d1 migrations apply --local --persist-to <persist
// dir>` put them. Each query is logged as `lipa-d1 <database> <read|write> <ms> <opening words>`
// (ms: D1's own `meta.duration`), so a benchmark can count each database's work per checkout
// from a run (cpu.mjs's `d1Queries`). One process serves them all: on Cloudflare each is a
// database of its own, running its own queries one at a time; the bench counts them apart.
//
//   node xtask/js/serve-d1.mjs <worker dir> <port> <persist dir>
//
// Prints `ready on http://127.0.0.1:<port>` when it serves, and stops on SIGTERM.
import { join, resolve } from 'node:path';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from 'wrangler';

const [dir, port, persist] = process.argv.slice(2);
if (!dir || !port || !persist) {
  console.error('usage: serve-d1.mjs <worker dir> <port> <persist dir>');
  process.exit(2);
}
const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(dir, 'wrangler.toml'));
const databases = workerOptions.d1Databases ?? {};
if (Object.keys(databases).length === 0) {
  console.error(`${dir}/wrangler.toml binds no D1 database`);
  process.exit(2);
}
// Each binding's database_name, which the log names it by.
const names = Object.fromEntries(
  (unstable_readConfig({ config: resolve(dir, 'wrangler.toml') }).d1_databases ?? []).map((d) => [d.binding, d.database_name]),
);

// The server: one POST to `/<binding>` per call of that binding, `{ op, statements: [{ sql, params }], options }`.
const script = `
const kind = (sql) => (/^\\s*(SELECT|WITH)\\b/i.test(sql) ? 'read' : 'write');
const NAMES = ${JSON.stringify(names)};
async function answer(db, binding, { op, statements, options }) {
  const note = (sql, result) => {
    const ms = Number(result?.meta?.duration ?? 0);
    console.log('lipa-d1 ' + (NAMES[binding] ?? binding) + ' ' + kind(sql) + ' ' + ms.toFixed(4) + ' ' + sql.trim().split(/\\s+/).slice(0, 3).join(' '));
  };
  const prepared = statements.map(({ sql, params }) => db.prepare(sql).bind(...params));
  const [first] = statements;
  switch (op) {
    case 'batch': {
      const results = await db.batch(prepared);
      statements.forEach((s, i) => note(s.sql, results[i]));
      return results;
    }
    case 'run':
    case 'all': {
      const result = await prepared[0][op]();
      note(first.sql, result);
      return result;
    }
    case 'raw':
      note(first.sql, null);
      return prepared[0].raw(options);
    case 'exec':
      note(first.sql, null);
      return db.exec(first.sql);
    default:
      throw new Error('unknown D1 call: ' + op);
  }
}
export default {
  async fetch(request, env) {
    if (request.method === 'GET') return new Response('ok'); // the runner's readiness check
    const binding = new URL(request.url).pathname.slice(1);
    const db = Object.hasOwn(env, binding) ? env[binding] : null;
    if (!db) return Response.json({ error: 'no D1 database is bound as ' + JSON.stringify(binding) }, { status: 404 });
    try {
      return Response.json({ result: await answer(db, binding, await request.json()) });
    } catch (e) {
      return Response.json({ error: String(e?.message ?? e) }, { status: 500 });
    }
  },
};
`;

const mf = new Miniflare({
  host: '127.0.0.1',
  port: Number(port),
  log: new Log(LogLevel.WARN),
  cf: false,
  d1Persist: join(resolve(persist), 'v3', 'd1'),
  modules: true,
  script,
  d1Databases: databases,
});
const url = await mf.ready;
console.log(`ready on ${url}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
