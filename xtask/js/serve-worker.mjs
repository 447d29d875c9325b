// Serves one of Lipa's workers straight on workerd through Miniflare, with the bindings its
// wrangler.toml declares (read by wrangler's own config reader) and the same built code as
// `wrangler dev`, but none of the dev tooling: no proxy worker in front, no inspector, no file
// watcher. `cargo xtask bench` runs the system this way, so what it measures is Lipa. Its one
// addition: each D1 query is counted in the log (see d1-meter.mjs).
//
//   node xtask/js/serve-worker.mjs <worker dir> <port> <persist dir> <vars JSON file>
//
// State is kept where `wrangler dev --persist-to <persist dir>` keeps it (so the D1 migrations
// applied by `wrangler d1 migrations apply --local --persist-to` are the ones served). Prints
// `ready on http://127.0.0.1:<port>` when it serves, and stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const [dir, port, persist, varsFile] = process.argv.slice(2);
if (!dir || !port || !persist || !varsFile) {
  console.error('usage: serve-worker.mjs <worker dir> <port> <persist dir> <vars JSON file>');
  process.exit(2);
}
const { workerOptions, main } = unstable_getMiniflareWorkerOptions(resolve(dir, 'wrangler.toml'));
const vars = JSON.parse(readFileSync(varsFile, 'utf8'));
const state = join(resolve(persist), 'v3');
// D1 is served through a meter (d1-meter.mjs) that logs each query's kind; the database is
// the one the binding names, so the migrations applied to it are the ones served.
const d1 = workerOptions.d1Databases ?? {};
const metered = Object.fromEntries(Object.keys(d1).map((name) => [name, { scriptName: `d1-meter-${name}` }]));
const meters = Object.entries(d1).map(([name, database]) => ({
  name: `d1-meter-${name}`,
  modules: true,
  scriptPath: fileURLToPath(new URL('./d1-meter.mjs', import.meta.url)),
  d1Databases: { INNER: database },
}));
const mf = new Miniflare({
  host: '127.0.0.1',
  port: Number(port),
  log: new Log(LogLevel.WARN),
  cf: false,
  d1Persist: join(state, 'd1'),
  durableObjectsPersist: join(state, 'do'),
  kvPersist: join(state, 'kv'),
  cachePersist: join(state, 'cache'),
  workers: [{
    ...workerOptions,
    name: 'worker',
    modules: true,
    scriptPath: main,
    bindings: { ...workerOptions.bindings, ...vars },
    d1Databases: {},
    wrappedBindings: { ...workerOptions.wrappedBindings, ...metered },
  }, ...meters],
});
const url = await mf.ready;
console.log(`ready on ${url}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
