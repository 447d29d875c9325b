// The edge's CPU per request type, each measured in isolation: the edge's process group's
// thread run time (see cpu.mjs) read just before a request is sent and just after its answer
// arrives, one request at a time, and only once the edge has gone quiet (no CPU for 100 ms), so
// no alarm of an earlier request runs inside a measured one. The alarm is read between two
// requests: a checkout's creation sets it to fire at once (it prepares the checkout with its
// provider, here CrissCross's session), and nothing else reaches the edge until it is quiet
// again. Each round ends its payment (declined on the sandbox's handset) and waits until the
// edge has settled it, so no payment of an earlier round is polled during a later one.
import { createHmac } from 'node:crypto';
import { EDGE, SANDBOX, MERCHANT_KEY, CRISSCROSS_WEBHOOK_SECRET, CLIENT_IP } from '../e2e/support.mjs';
import { edgeMeter, edgeByProcess, groupMeter } from './cpu.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A request; a connection lost on the way (see load.mjs's `send`) is status 599. */
async function call(method, url, headers, body) {
  try {
    const res = await fetch(url, { method, headers, body });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    return { status: 599, text: `connection lost: ${e.cause?.code ?? e.message}` };
  }
}

/**
 * A Kenyan checkout's creation and the alarm it sets off (two invocations, read together: the
 * alarm starts before the creation's answer reaches the client).
 */
export const WITH_ALARM = 'POST /v1/checkouts (KE) and the alarm it starts (CrissCross session)';

/** Rounds run before the measured ones, and not kept (see {@link requestCosts}). */
export const WARM_UP_ROUNDS = 60;

/**
 * The first warm-up rounds, read apart: a fresh edge (the bench starts one) before V8 has
 * optimized what a request runs, as a quiet merchant's request often meets a young isolate.
 */
export const YOUNG_ROUNDS = 10;

/** A round whose connection was lost is left out whole: its readings span more than one request. */
class Lost extends Error {}

/**
 * How much CPU the edge uses in 100 ms with nothing to do (its own timers; with a profiler
 * attached, the profiler's sampling): the least of ten readings.
 */
async function idleNs(cpu) {
  let least = Infinity;
  for (let i = 0; i < 10; i++) {
    const before = cpu();
    await sleep(100);
    least = Math.min(least, cpu() - before);
  }
  return least;
}

/**
 * Waits until the edge has used no more than `idle` + 0.2 ms of CPU in 100 ms (at most 10 s:
 * a measurement taken then says so on stderr rather than hang the bench).
 */
async function settle(cpu, idle) {
  for (let i = 0; i < 100; i++) {
    const before = cpu();
    await sleep(100);
    if (cpu() - before <= idle + 200_000) return;
  }
  process.stderr.write('cost: the edge did not go quiet within 10 s\n');
}

/** Declines the sandbox prompt sent to `payer`, then waits until the edge reads the payment as failed. */
async function decline(payer, checkout) {
  for (let i = 0; i < 100; i++) {
    const prompts = await (await fetch(`${SANDBOX}/handset/api/prompts`)).json();
    const prompt = prompts.find((p) => p.payer === payer);
    if (prompt) {
      const answered = await fetch(`${SANDBOX}/handset/api/answer`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ provider: prompt.provider, transaction_id: prompt.transaction_id, approve: false }),
      });
      if (!answered.ok) throw new Error(`handset answer ${answered.status}`);
      break;
    }
    await sleep(100);
  }
  const auth = { Authorization: `Bearer ${checkout.client_secret}` };
  for (let i = 0; i < 300; i++) {
    const read = await call('GET', `${EDGE}/api/checkouts/${checkout.id}`, auth);
    if (read.status === 200 && JSON.parse(read.text).payment?.status?.state === 'failed') return;
    await sleep(100);
  }
  const last = await call('GET', `${EDGE}/api/checkouts/${checkout.id}`, auth);
  throw new Error(`the payment of ${checkout.id} did not fail within 30 s of its decline: ${last.status} ${last.text}`);
}

/**
 * `samples` rounds of one checkout's life: creation, the alarm that prepares it, the widget's
 * read, Pay (on a number that waits for the customer, so the payment stays live), and a signed
 * CrissCross webhook about it (verified, then the payment is read from the provider and
 * stored). Returns each type's CPU milliseconds, one entry per request, how many rounds
 * were left out for a lost connection, and each kept request's window on the monotonic clock
 * (`process.hrtime`, µs: CLOCK_MONOTONIC, which `perf record -k CLOCK_MONOTONIC` stamps its
 * samples with; see profile.mjs).
 */
export async function requestCosts(samples) {
  const cpu = edgeMeter();
  const d1 = groupMeter('d1');
  const idle = await idleNs(cpu);
  const meter = () => ({ cpu: cpu(), d1: d1(), at: Number(process.hrtime.bigint() / 1000n) });
  const windows = [];
  const costs = {
    'POST /v1/checkouts': [], [WITH_ALARM]: [], 'GET /api/checkouts/{id}': [], 'POST /api/checkouts/{id}/payments': [], 'POST /webhooks/crisscross': [],
  };
  const d1Costs = Object.fromEntries(Object.keys(costs).map((type) => [type, []]));
  const young = Object.fromEntries(Object.keys(costs).map((type) => [type, []]));
  const ms = (a, b) => (b.cpu - a.cpu) / 1e6;
  const run = Date.now() % 100000;
  let lost = 0;
  const create = (key, body) => call('POST', `${EDGE}/v1/checkouts`, { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    JSON.stringify({ ...body, reference: key }));
  // The first rounds warm the edge up and are not kept: V8 compiles the wasm and the JS a
  // request runs in tiers (baseline first, optimized once hot), and that compilation, on
  // workerd's threads, would otherwise land in the first rounds' readings. A Worker's first
  // request is measured apart (coldstart.mjs).
  for (let i = 0; i < WARM_UP_ROUNDS + samples; i++) {
    const kept = i >= WARM_UP_ROUNDS;
    const one = {};
    const spans = [];
    let sent = null;
    try {
      const key = `cost-${run}-${i}`;
      // Creation alone: a Ugandan checkout, whose providers need nothing prepared (no alarm).
      await settle(cpu, idle);
      let t = meter();
      const alone = await create(`${key}-ug`, { amount: 5000, currency: 'UGX', country: 'UG' });
      let u = meter();
      if (alone.status === 599) throw new Lost();
      if (alone.status !== 201) throw new Error(`create answered ${alone.status}: ${alone.text}`);
      one['POST /v1/checkouts'] = ms(t, u);
      spans.push({ type: 'POST /v1/checkouts', from: t.at, to: u.at, d1: u.d1 - t.d1 });
      // A Kenyan checkout: its creation sets the alarm to fire at once, and the alarm opens
      // CrissCross's session while the creation's answer is still on its way, so the two are
      // read together, until the edge is quiet again.
      await settle(cpu, idle);
      t = meter();
      const created = await create(key, { amount: 150000, currency: 'KES', country: 'KE' });
      if (created.status === 599) throw new Lost();
      if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.text}`);
      const checkout = JSON.parse(created.text);
      await settle(cpu, idle);
      u = meter();
      one[WITH_ALARM] = ms(t, u);
      spans.push({ type: WITH_ALARM, from: t.at, to: u.at, d1: u.d1 - t.d1 });
      t = u;
      const auth = { Authorization: `Bearer ${checkout.client_secret}`, 'Content-Type': 'application/json', ...CLIENT_IP };
      const read = await call('GET', `${EDGE}/api/checkouts/${checkout.id}`, auth);
      u = meter();
      if (read.status === 599) throw new Lost();
      if (read.status !== 200) throw new Error(`read answered ${read.status}: ${read.text}`);
      if (!JSON.parse(read.text).operators?.some((o) => o.id === 'mpesa' || o === 'mpesa')) {
        // Not a failure of the measurement, but then the alarm did not prepare it: say so.
        process.stderr.write(`cost: checkout ${i} shows no M-Pesa\n`);
      }
      one['GET /api/checkouts/{id}'] = ms(t, u);
      spans.push({ type: 'GET /api/checkouts/{id}', from: t.at, to: u.at, d1: u.d1 - t.d1 });
      const phone = `0714${String(i).padStart(4, '0')}77`;
      await settle(cpu, idle);
      sent = { payer: `+254${phone.slice(1)}`, checkout };
      t = meter();
      const started = await call('POST', `${EDGE}/api/checkouts/${checkout.id}/payments`, auth, JSON.stringify({ operator: 'mpesa', phone }));
      u = meter();
      if (started.status === 599) throw new Lost();
      if (started.status !== 201) throw new Error(`start answered ${started.status}: ${started.text}`);
      one['POST /api/checkouts/{id}/payments'] = ms(t, u);
      spans.push({ type: 'POST /api/checkouts/{id}/payments', from: t.at, to: u.at, d1: u.d1 - t.d1 });
      const body = JSON.stringify({
        eventId: `cost-${run}-${i}`, type: 'transaction.updated', transactionId: `cost-unknown-${run}-${i}`, merchantReference: checkout.id.replace('_', ''), status: 'PENDING',
      });
      const signature = createHmac('sha256', CRISSCROSS_WEBHOOK_SECRET).update(body).digest('hex');
      await settle(cpu, idle);
      t = meter();
      const hook = await call('POST', `${EDGE}/webhooks/crisscross`, { 'Content-Type': 'application/json', 'X-CrissCross-Signature': signature }, body);
      u = meter();
      if (hook.status === 599) throw new Lost();
      if (hook.status >= 300) throw new Error(`webhook answered ${hook.status}: ${hook.text}`);
      one['POST /webhooks/crisscross'] = ms(t, u);
      spans.push({ type: 'POST /webhooks/crisscross', from: t.at, to: u.at, d1: u.d1 - t.d1 });
      await decline(sent.payer, sent.checkout);
    } catch (e) {
      if (!(e instanceof Lost)) throw e;
      if (kept) lost += 1;
      // A payment the round started is ended all the same (if it exists), so that no later
      // round measures its polls.
      if (sent) await decline(sent.payer, sent.checkout).catch(() => {});
      continue;
    }
    if (i < YOUNG_ROUNDS) for (const [type, value] of Object.entries(one)) young[type].push(value);
    if (!kept) continue;
    for (const [type, value] of Object.entries(one)) costs[type].push(value);
    for (const span of spans) d1Costs[span.type].push(span.d1 / 1e6);
    windows.push(...spans);
  }
  return { costs, d1Costs, young, lost, windows };
}

/** The goal of issue #15: every request type under this much CPU at p99. */
export const CPU_GOAL_MS = 10;

/** The `p`th percentile of `values` (nearest rank). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * {@link requestCosts}' costs as a Markdown table, with the D1 database's CPU in the same
 * windows beside them, and the request types over the goal.
 */
export function costTable(costs, d1Costs, young) {
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const rows = Object.entries(costs).map(([type, v]) => {
    const p99 = percentile(v, 99);
    const d1 = d1Costs[type];
    return `| ${type} | ${v.length} | ${percentile(v, 50).toFixed(2)} | ${p99.toFixed(2)} | ${mean(v).toFixed(2)} | ${p99 < CPU_GOAL_MS ? 'yes' : '**no**'} | ${mean(d1).toFixed(2)} | ${percentile(young[type], 50).toFixed(2)} / ${Math.max(...young[type]).toFixed(2)} |`;
  });
  const over = Object.entries(costs).filter(([, v]) => percentile(v, 99) >= CPU_GOAL_MS).map(([t]) => t);
  const table = [
    `| request | n | p50 CPU ms | p99 CPU ms | mean | p99 < 10 ms | D1 database, mean ms | fresh edge, first ${YOUNG_ROUNDS} rounds: p50 / max |`,
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows,
  ].join('\n');
  return { table, over };
}

// `cargo xtask cost [rounds]`: the table alone, and how the edge's CPU over the rounds divides
// between its processes (workerd, and the Node runner that carries its log).
if (process.argv[1] === new URL(import.meta.url).pathname) {
  const rounds = Number(process.env.LIPA_COST_SAMPLES ?? 50);
  const before = edgeByProcess();
  const { costs, d1Costs, young, lost } = await requestCosts(rounds);
  const after = edgeByProcess();
  console.log(`# Edge CPU per request (${rounds} rounds, ${lost} left out)\n`);
  console.log(costTable(costs, d1Costs, young).table);
  console.log('\nThe highest readings of each type (ms, in the order they came):');
  for (const [type, values] of Object.entries(costs)) {
    const top = [...values].sort((a, b) => b - a)[4];
    console.log(`- ${type}: ${values.map((v, i) => [v, i]).filter(([v]) => v >= top).map(([v, i]) => `${v.toFixed(1)} (round ${i})`).join(', ')}`);
  }
  const parts = Object.keys(after).map((name) => `${name} ${((after[name] - (before[name] ?? 0)) / 1e6).toFixed(0)} ms`);
  console.log(`\nThe edge's CPU over the rounds, by process (idle waits included): ${parts.join(', ')}`);
}
