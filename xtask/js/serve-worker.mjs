// Serves one of Lipa's workers straight on workerd through Miniflare, with the bindings its
// wrangler.toml declares (read by wrangler's own config reader) and the same built code as
// `wrangler dev`, but none of the dev tooling: no proxy worker in front, no inspector, no file
// watcher, and not Miniflare's own entry worker either (JS that copies every request and
// routes it): the worker listens on `<port>` itself, as `workerd serve` would serve it. A client
// of the bench says its own address in `CF-Connecting-IP`, as Cloudflare's edge does (the
// entry worker would add it). `cargo xtask bench` runs the system this way, so what it
// measures is Lipa. One difference from `wrangler dev`: a worker's D1 databases are served in a process of their own (serve-d1.mjs,
// each at `<D1 url>/<binding>`), reached through d1-remote.mjs, as on Cloudflare, where D1 is a service the Worker
// calls.
//
//   node xtask/js/serve-worker.mjs <worker dir> <port> <persist dir> <vars JSON file> [<D1 url>]
//
// State is kept where `wrangler dev --persist-to <persist dir>` keeps it (so the D1 migrations
// applied by `wrangler d1 migrations apply --local --persist-to` are the ones served). Prints
// `ready on http://127.0.0.1:<port>` when it serves, and stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const [dir, port, persist, varsFile, d1Url] = process.argv.slice(2);
if (!dir || !port || !persist || !varsFile) {
  console.error('usage: serve-worker.mjs <worker dir> <port> <persist dir> <vars JSON file> [<D1 url>]');
  process.exit(2);
}
const { workerOptions, main } = unstable_getMiniflareWorkerOptions(resolve(dir, 'wrangler.toml'));
const vars = JSON.parse(readFileSync(varsFile, 'utf8'));
const state = join(resolve(persist), 'v3');
// Each D1 binding becomes a client of its database in the databases' own process
// (`<D1 url>/<binding>`).
const d1 = Object.keys(workerOptions.d1Databases ?? {});
if (d1.length > 0 && !d1Url) {
  console.error(`${dir}/wrangler.toml binds D1 (${d1.join(', ')}): pass the URL serve-d1.mjs serves it on`);
  process.exit(2);
}
const remote = Object.fromEntries(d1.map((name) => [name, { scriptName: 'd1-remote', bindings: { URL: `${d1Url}/${name}` } }]));
const clients = d1.length === 0 ? [] : [{
  name: 'd1-remote',
  modules: true,
  scriptPath: fileURLToPath(new URL('./d1-remote.mjs', import.meta.url)),
}];
const mf = new Miniflare({
  // Miniflare's entry worker, which nobody calls, on a port of its own.
  host: '127.0.0.1',
  port: 0,
  log: new Log(LogLevel.WARN),
  cf: false,
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
    wrappedBindings: { ...workerOptions.wrappedBindings, ...remote },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: Number(port) }],
    // Outbound fetches go out natively, not through Miniflare's JS worker that strips
    // `CF-Connecting-IP` from them (Cloudflare does that outside the Worker).
    stripCfConnectingIp: false,
  }, ...clients],
});
await mf.ready;
console.log(`ready on http://127.0.0.1:${port}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
