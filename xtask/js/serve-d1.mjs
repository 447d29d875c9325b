// The edge's D1 database in a process of its own, for `cargo xtask bench`: on Cloudflare a D1
// database is a service the Worker calls, so its work is not the Worker's CPU. The edge reaches
// it through d1-remote.mjs; the database is the one wrangler.toml binds, kept where
// `wrangler d1 migrations apply --local --persist-to <persist dir>` put it. Each query is logged
// as `lipa-d1 <read|write> <ms> <opening words>` (ms: D1's own `meta.duration`), so a benchmark
// can count D1's work per checkout from a run (cpu.mjs's `d1Queries`).
//
//   node xtask/js/serve-d1.mjs <worker dir> <port> <persist dir>
//
// Prints `ready on http://127.0.0.1:<port>` when it serves, and stops on SIGTERM.
import { join, resolve } from 'node:path';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const [dir, port, persist] = process.argv.slice(2);
if (!dir || !port || !persist) {
  console.error('usage: serve-d1.mjs <worker dir> <port> <persist dir>');
  process.exit(2);
}
const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(dir, 'wrangler.toml'));
const databases = Object.values(workerOptions.d1Databases ?? {});
if (databases.length !== 1) {
  console.error(`serve-d1.mjs serves one D1 database; ${dir}/wrangler.toml binds ${databases.length}`);
  process.exit(2);
}

// The server: one POST per call of the binding, `{ op, statements: [{ sql, params }], options }`.
const script = `
const kind = (sql) => (/^\\s*(SELECT|WITH)\\b/i.test(sql) ? 'read' : 'write');
const note = (sql, result) => {
  const ms = Number(result?.meta?.duration ?? 0);
  console.log('lipa-d1 ' + kind(sql) + ' ' + ms.toFixed(4) + ' ' + sql.trim().split(/\\s+/).slice(0, 3).join(' '));
};
async function answer(db, { op, statements, options }) {
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
    try {
      return Response.json({ result: await answer(env.DB, await request.json()) });
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
  d1Databases: { DB: databases[0] },
});
const url = await mf.ready;
console.log(`ready on ${url}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
