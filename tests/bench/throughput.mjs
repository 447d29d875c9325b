// Throughput through the bench's system (issue #15): checkouts on numbers that approve, many in
// flight, with the CPU split of the machine over the run. `cargo xtask bench` runs it as part of
// the bench; `cargo xtask throughput [n]` alone (LIPA_THROUGHPUT_CONCURRENCY sets how many are in
// flight), printed, not written.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { runLoad, APPROVALS } from '../load/load.mjs';
import { SANDBOX } from '../e2e/support.mjs';
import { snapshot, split, d1Queries, stateDir } from './cpu.mjs';

/** How many checkouts the bench's throughput run drives. */
export const THROUGHPUT_N = Number(process.env.LIPA_THROUGHPUT_N ?? 1200);
/** How many of them are in flight at once. */
export const THROUGHPUT_CONCURRENCY = Number(process.env.LIPA_THROUGHPUT_CONCURRENCY ?? 192);

/**
 * D1 reads, writes and execution ms per checkout between two counts (see `d1Queries`), for
 * each database and for `all` of them.
 */
export function d1PerCheckout(before, after, n) {
  const none = { reads: 0, writes: 0, ms: 0 };
  return Object.fromEntries(Object.entries(after).map(([database, a]) => {
    const b = before[database] ?? none;
    return [database, { reads: (a.reads - b.reads) / n, writes: (a.writes - b.writes) / n, ms: (a.ms - b.ms) / n }];
  }));
}

/**
 * Keeps what the edge logged about the checkouts and payments a run's broken invariants name
 * (in order: the log's lines carry no time) in `target/bench/<run>-broken.log`, since the next
 * run overwrites the edge's log, and says where on stderr.
 */
export function keepBrokenLog(run, broken) {
  const ids = new Set(broken.flatMap((b) => b.match(/\b(co|pay)_[a-z0-9]+/g) ?? []));
  if (ids.size === 0) return;
  let log = '';
  try {
    log = readFileSync(`${stateDir()}/edge.log`, 'utf8');
  } catch (e) {
    process.stderr.write(`${run}: the edge's log could not be read (${e.message})\n`);
    return;
  }
  const lines = log.split('\n').filter((l) => [...ids].some((id) => l.includes(id)));
  mkdirSync('target/bench', { recursive: true });
  const path = `target/bench/${run}-broken.log`;
  writeFileSync(path, `${broken.join('\n')}\n\n${lines.join('\n')}\n`);
  process.stderr.write(`${run}: the edge's ${lines.length} log lines about them are in ${path}\n`);
}

/** Each simulated provider's API requests answered so far (429s too). */
async function providerRequests() {
  return (await fetch(`${SANDBOX}/_sandbox/request-counts`)).json();
}

/** Sets the sandbox's Dollr burst limit (requests/s before 429); `''` puts back its own. */
async function dollrBurstLimit(limit) {
  return (await fetch(`${SANDBOX}/_sandbox/dollr/burst-limit`, { method: 'POST', body: String(limit) })).json();
}

/**
 * The sandbox's Dollr answers 429 past 50 requests a second (a number of our own: Dollr's guide
 * documents the 429 but gives none). With many Dollr payments live that limit, not Lipa, set
 * the pace (at 6c578c9, 192 in flight: Dollr's checkouts took 54 s on average against 4 s for
 * the other routes, holding most of the driver's slots, and the machine sat 75% idle), so the
 * throughput run lifts it; the fault-and-load run keeps it. What a provider's limit allows is
 * the capacity model's, from the requests per payment counted here.
 */
const LIFTED_BURST_LIMIT = 100000;

/**
 * Runs `n` approving checkouts with `concurrency` in flight, numbered from `offset`, and
 * returns the run, the machine's CPU split over it, its D1 queries per checkout and each
 * provider's API requests per payment. Broken invariants are written to stderr with the
 * edge's log lines about them.
 */
export async function throughputRun({ n = THROUGHPUT_N, concurrency = THROUGHPUT_CONCURRENCY, offset = 0 } = {}) {
  const { burst_limit: ownLimit } = await dollrBurstLimit('');
  let before, d1Before, requestsBefore, run, cpu, requestsAfter;
  try {
    await dollrBurstLimit(LIFTED_BURST_LIMIT);
    before = snapshot();
    d1Before = d1Queries();
    requestsBefore = await providerRequests();
    run = await runLoad({ n, concurrency, finalWithinMs: 180000, mix: APPROVALS, offset });
    cpu = split(before, snapshot());
    requestsAfter = await providerRequests();
  } finally {
    await dollrBurstLimit('');
  }
  // Payments per provider: the mix's routes round-robin (HoneyCoin has two).
  const payments = {};
  APPROVALS.forEach(([route], k) => {
    const provider = route === 'honeycoin_ug' ? 'honeycoin' : route;
    payments[provider] = (payments[provider] ?? 0) + Math.floor(n / APPROVALS.length) + (k < n % APPROVALS.length ? 1 : 0);
  });
  // Everything each provider answered during the run over its payments: in the bench, the
  // fault-and-load run's payments still polled on the reconciliation schedule (once a minute)
  // are in it too.
  const requestsPerPayment = Object.fromEntries(Object.entries(payments)
    .filter(([, count]) => count > 0)
    .map(([p, count]) => [p, ((requestsAfter[p] ?? 0) - (requestsBefore[p] ?? 0)) / count]));
  // Events are delivered after the final state: wait for the outbox to drain before counting.
  await new Promise((r) => setTimeout(r, 5000));
  const d1 = d1PerCheckout(d1Before, d1Queries(), n);
  if (run.broken.length) {
    process.stderr.write(`throughput: ${run.broken.length} broken invariants\n${run.broken.slice(0, 20).join('\n')}\n`);
    keepBrokenLog('throughput', run.broken);
  }
  return { run, cpu, d1, requestsPerPayment, dollrOwnLimit: ownLimit };
}

/** CPU ms per checkout of one process group (`edge`, `d1`, `sandbox`, `driver`). */
export function perCheckoutMs(cpu, run, who) {
  return (cpu[who].s * 1000) / run.n;
}

/** The seconds-to-final table: each provider route's checkouts from creation to final. */
export function secondsTable(run) {
  const rows = Object.entries(run.secondsToFinal)
    .map(([route, t]) => `| ${route === 'all' ? '**all**' : route} | ${t.n} | ${t.mean.toFixed(1)} | ${t.p50.toFixed(1)} | ${t.p99.toFixed(1)} |`);
  return `| route | checkouts | mean s | p50 s | p99 s |\n| --- | ---: | ---: | ---: | ---: |\n${rows.join('\n')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { run, cpu, d1, requestsPerPayment } = await throughputRun();
  const who = ['edge', 'd1', 'sandbox', 'driver', 'other', 'idle'];
  console.log(`${run.n} checkouts, ${run.concurrency} in flight: ${run.throughput.toFixed(1)} checkouts/s, ${run.broken.length} broken invariants, ${cpu.wallS.toFixed(0)} s`);
  console.log(`machine: ${who.map((w) => `${w} ${(cpu[w].share * 100).toFixed(0)}%`).join(', ')}`);
  console.log(`CPU ms per checkout: ${who.slice(0, 4).map((w) => `${w} ${perCheckoutMs(cpu, run, w).toFixed(1)}`).join(', ')}`);
  for (const [database, q] of Object.entries(d1)) console.log(`D1 per checkout, ${database}: ${q.reads.toFixed(2)} reads, ${q.writes.toFixed(2)} writes`);
  console.log(`provider API requests per payment: ${Object.entries(requestsPerPayment).map(([p, r]) => `${p} ${r.toFixed(1)}`).join(', ')}`);
  console.log(secondsTable(run));
  for (const [call, l] of Object.entries(run.latencies)) console.log(`${call}: ${l.count}, p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms`);
}
