// The fault-and-load run: N checkouts driven concurrently through the edge's widget API, spread
// over the five providers with the sandbox's misbehaving numbers mixed in, forged and replayed
// webhooks thrown at the edge, and the merchant's endpoint failing a share of deliveries. At the
// end an invariant checker compares the sandbox's ledger of charges, Lipa's records and the
// events the merchant received. `cargo xtask test` runs it trimmed (load.test.mjs), `cargo xtask
// bench` in full (bench.mjs). Traffic stays on 127.0.0.1.
import { createHmac } from 'node:crypto';
import {
  EDGE, SANDBOX, MERCHANT_KEY, CRISSCROSS_WEBHOOK_SECRET, smsCodeFor, verificationCodeFor, customerIp,
} from '../e2e/support.mjs';

/** Where each provider is reached: checkout country and currency, operator, a number prefix. */
const ROUTES = {
  crisscross: { country: 'KE', currency: 'KES', amount: 150000, operator: 'mpesa', prefix: '0712' },
  honeycoin: { country: 'KE', currency: 'KES', amount: 150000, operator: 'airtel_money', prefix: '0733' },
  honeycoin_ug: { country: 'UG', currency: 'UGX', amount: 5000, operator: 'mtn_momo', prefix: '0772' },
  little: { country: 'UG', currency: 'UGX', amount: 5000, operator: 'airtel_money', prefix: '0752' },
  xtopay: { country: 'GH', currency: 'GHS', amount: 5000, operator: 'mtn_momo', prefix: '0244' },
  dollr: { country: 'RW', currency: 'RWF', amount: 5000, operator: 'mtn_momo', prefix: '0788' },
};

/**
 * The mix: which last two digits each provider gets, and what Lipa must end with. …01 approve,
 * …06 decline, …12 / …13 provider system errors, …15 duplicate webhook, …16 stale webhook after
 * the final one, …17 429 first, …30 no webhook (Dollr: long PROCESSING), …31 answer past the
 * timeout, …32 lost answer (Dollr), …40 late approval (Dollr); HoneyCoin Uganda …20 asks for a
 * one-time code, which the customer reads from the SMS and types.
 */
export const MIX = [
  ['crisscross', '01', 'succeeded'], ['crisscross', '06', 'failed'], ['crisscross', '15', 'succeeded'],
  ['crisscross', '16', 'succeeded'], ['crisscross', '17', 'succeeded'], ['crisscross', '30', 'succeeded'],
  ['crisscross', '31', 'succeeded'], ['crisscross', '13', 'failed'],
  ['honeycoin', '01', 'succeeded'], ['honeycoin', '06', 'failed'], ['honeycoin', '30', 'succeeded'],
  ['honeycoin_ug', '20', 'succeeded'],
  ['little', '01', 'succeeded'], ['little', '05', 'failed'], ['little', '30', 'succeeded'],
  ['xtopay', '01', 'succeeded'], ['xtopay', '06', 'failed'], ['xtopay', '30', 'succeeded'],
  ['dollr', '01', 'succeeded'], ['dollr', '06', 'failed'], ['dollr', '32', 'succeeded'],
  ['dollr', '40', 'succeeded'],
];

/** Only numbers that approve, one per provider route: the mix for throughput. */
export const APPROVALS = Object.keys(ROUTES).map((provider) => [provider, provider === 'honeycoin_ug' ? '20' : '01', 'succeeded']);

/**
 * `fetch` as a client on a real network meets it: a connection the server closed while the
 * request went out (a kept-alive socket closed at the same moment, workerd's and Node's idle
 * timers crossing) is an answer lost on the way, status 599, handled like any lost answer.
 * Forgeries and reads are sent again by their callers; a Pay or a code is followed, never
 * blindly repeated.
 */
async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    return new Response(JSON.stringify({ raw: `connection lost: ${e.cause?.code ?? e.message}` }), { status: 599 });
  }
}

/** {@link send}, sent again (at most twice more) while the connection is lost: for requests
 * that change nothing when repeated (reads, webhooks that must be refused). */
async function sendSafe(url, init) {
  let res = await send(url, init);
  for (let tries = 0; res.status === 599 && tries < 2; tries++) res = await send(url, init);
  return res;
}

const FINAL = new Set(['succeeded', 'failed', 'expired']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

async function timed(latencies, name, fn) {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    (latencies[name] ??= []).push(performance.now() - t0);
  }
}

async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

/**
 * A national number for checkout `i`, unique within a run (so no spam limit or ledger entry is
 * shared) and clear of the other suites' numbers (…0000–5999 in the middle digits).
 */
function numberFor(route, i, suffix) {
  return `${route.prefix}${6000 + (i % 4000)}${suffix}`;
}

function e164(country, national) {
  const code = { KE: '254', UG: '256', GH: '233', RW: '250' }[country];
  return `+${code}${national.replace(/\D/g, '').replace(/^0/, '')}`;
}

/**
 * One checkout, driven the way the widget does, until Lipa records a final state or its own
 * window (`finalWithinMs` from its start) ends.
 */
async function drive(run, i, latencies, { finalWithinMs, mix, offset }) {
  const began = Date.now();
  const deadline = began + finalWithinMs;
  const [provider, suffix, expected] = mix[i % mix.length];
  const route = ROUTES[provider];
  const national = numberFor(route, i + offset, suffix);
  // Answers lost on the way back (`wrangler dev`'s proxy drops about one POST in ten thousand
  // with a 503 although nothing restarted: workers-sdk#14641; straight on workerd, a kept-alive
  // connection closed as a request went out: see `send`) are handled as Lipa's clients
  // would, and listed in the report; the ledger check still catches any second charge.
  const lostAnswers = [];
  const lost = (what, status, body) => {
    const text = body.raw ?? JSON.stringify(body);
    lostAnswers.push(`${what}: ${status} "${text.length > 100 ? `${text.slice(0, 100)}…` : text}"`);
  };
  // The merchant's server: a lost answer is sent again with the same Idempotency-Key.
  const create = () => timed(latencies, 'POST /v1/checkouts', async () => {
    const res = await send(`${EDGE}/v1/checkouts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': `load-${run}-${i}` },
      body: JSON.stringify({ amount: route.amount, currency: route.currency, country: route.country, reference: `load-${run}-${i}` }),
    });
    return { status: res.status, body: await json(res) };
  });
  let creation = await create();
  if (creation.status >= 500) {
    lost('create checkout', creation.status, creation.body);
    creation = await create();
  }
  const created = creation.body;
  if (!created.id) return { i, provider, suffix, expected, error: `create: ${JSON.stringify(created)}` };
  const auth = { Authorization: `Bearer ${created.client_secret}`, 'Content-Type': 'application/json', ...customerIp(i + offset) };
  const view = () => timed(latencies, 'GET /api/checkouts/{id}', async () => json(await sendSafe(`${EDGE}/api/checkouts/${created.id}`, { headers: auth })));
  const first = await view();
  // A guest on a route that verifies phones (Xtopay's) confirms the number with the code the
  // sandbox's SMS gateway received, before Pay, as the widget does.
  if (first.operators?.find((o) => o.id === route.operator)?.verify_phone) {
    const post = (path, body, what) => timed(latencies, what, async () => {
      const res = await send(`${EDGE}/api/checkouts/${created.id}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      return { status: res.status, body: await json(res) };
    });
    const since = Date.now();
    let sent = await post('/verify', { operator: route.operator, phone: national }, 'POST /api/checkouts/{id}/verify');
    if (sent.status >= 500) {
      lost('send code', sent.status, sent.body);
      await sleep(30_000); // the next code may go 30 s after the last
      sent = await post('/verify', { operator: route.operator, phone: national }, 'POST /api/checkouts/{id}/verify');
    }
    if (sent.status !== 200) return { i, provider, suffix, expected, checkout: created.id, error: `verify ${sent.status}: ${JSON.stringify(sent.body)}` };
    if (!sent.body.verified) {
      const code = await verificationCodeFor(e164(route.country, national), since).catch(() => null);
      if (!code) return { i, provider, suffix, expected, checkout: created.id, error: 'no verification SMS arrived' };
      const check = () => post('/verify/check', { phone: national, code }, 'POST /api/checkouts/{id}/verify/check');
      let checked = await check();
      if (checked.status >= 500) {
        lost('check code', checked.status, checked.body);
        checked = await check();
      }
      if (checked.status !== 200 || !checked.body.verified) {
        return { i, provider, suffix, expected, checkout: created.id, error: `check code ${checked.status}: ${JSON.stringify(checked.body)}` };
      }
    }
  }
  const start = () => timed(latencies, 'POST /api/checkouts/{id}/payments', async () => {
    const res = await send(`${EDGE}/api/checkouts/${created.id}/payments`, {
      method: 'POST', headers: auth, body: JSON.stringify({ operator: route.operator, phone: national }),
    });
    return { status: res.status, body: await json(res) };
  });
  // How the customer presses Pay: once, a double tap (the same request twice at once), or two
  // tabs (each reads the checkout, then both press Pay at the same moment). Exactly one may
  // start a payment; the others must be 409 and must never reach the provider.
  const presses = ['once', 'double tap', 'two tabs'][i % 3];
  const concurrent = [];
  let started;
  if (presses === 'once') {
    started = await start();
  } else {
    const answers = await Promise.all([0, 1].map(async () => {
      if (presses === 'two tabs') await view();
      return start();
    }));
    concurrent.push(...answers.map((a) => a.status));
    const startedOnes = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409 && a.body?.error?.code === 'payment_in_progress');
    const lostOnes = answers.filter((a) => a.status >= 500);
    if (startedOnes.length > 1) {
      return { i, provider, suffix, expected, checkout: created.id, concurrent, error: `${presses}: ${startedOnes.length} payments started` };
    }
    if (startedOnes.length + refused.length + lostOnes.length !== answers.length) {
      return { i, provider, suffix, expected, checkout: created.id, concurrent, error: `${presses}: answered ${answers.map((a) => `${a.status} ${JSON.stringify(a.body)}`).join(' / ')}` };
    }
    started = startedOnes[0] ?? lostOnes[0] ?? refused[0];
  }
  if (started.status >= 500) {
    // Like the widget: follow the payment if it started, else press Pay again.
    lost('start payment', started.status, started.body);
    const live = (await view()).payment;
    started = live ? { status: 201, body: live } : await start();
  }
  if (started.status !== 201) {
    return { i, provider, suffix, expected, checkout: created.id, error: `start ${started.status}: ${JSON.stringify(started.body)}` };
  }
  const payingSince = Date.now();
  let status = started.body.status;
  let codeSent = false;
  let concurrentOtps = 0;
  while (!FINAL.has(status?.state) && Date.now() < deadline) {
    if (status?.state === 'action_required' && status.action?.type === 'otp' && !codeSent) {
      const otp = await smsCodeFor(e164(route.country, national)).catch(() => null);
      if (!otp) return { i, provider, suffix, expected, checkout: created.id, error: 'no SMS code arrived' };
      const submit = () => timed(latencies, 'POST /api/checkouts/{id}/otp', () => send(`${EDGE}/api/checkouts/${created.id}/otp`, {
        method: 'POST', headers: auth, body: JSON.stringify({ otp }),
      }));
      // Every other round of the mix double-taps Confirm: the code goes twice at once, and the
      // customer follows whichever answer says where the payment stands.
      let res;
      if (Math.floor(i / mix.length) % 2 === 0) {
        const both = await Promise.all([submit(), submit()]);
        concurrentOtps += 2;
        res = both.find((r) => r.status === 200) ?? both[0];
      } else {
        res = await submit();
      }
      const answer = await json(res);
      if (res.status >= 500) {
        // Like the widget: read the payment again; the code is typed again only if it is
        // still awaited.
        lost('submit code', res.status, answer);
        status = (await view()).payment?.status;
        continue;
      }
      codeSent = true;
      if (res.status !== 200) {
        return { i, provider, suffix, expected, checkout: created.id, error: `otp ${res.status}: ${JSON.stringify(answer)}` };
      }
      status = answer.status;
      continue;
    }
    // The widget's cadence (`lipa_widget::poll_interval_ms`): a read every 2 s for the
    // first 30 s of the payment, then every 5 s.
    await sleep(Date.now() - payingSince < 30_000 ? 2000 : 5000);
    status = (await view()).payment?.status;
  }
  const state = status?.state;
  return {
    i, provider, suffix, expected, state, checkout: created.id, payment: started.body.id,
    phone: e164(route.country, national), began, done: Date.now(), lostAnswers, concurrent, concurrentOtps,
  };
}

/** Forged (wrong key) and tampered webhooks: each must be refused, none may change anything. */
async function forgeries(count) {
  const statuses = [];
  for (let k = 0; k < count; k++) {
    const body = JSON.stringify({ eventId: `forged-${k}`, type: 'transaction.completed', transactionId: `tx-forged-${k}`, status: 'COMPLETED' });
    const wrongKey = createHmac('sha256', 'not-the-secret').update(body).digest('hex');
    const rightKeyOtherBody = createHmac('sha256', CRISSCROSS_WEBHOOK_SECRET).update(`${body} `).digest('hex');
    for (const sig of [wrongKey, rightKeyOtherBody, '']) {
      const res = await sendSafe(`${EDGE}/webhooks/crisscross`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CrissCross-Signature': sig }, body,
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    // A Little callback replayed outside the tolerance window (its timestamp an hour old).
    const old = Math.floor(Date.now() / 1000) - 3600;
    const res = await sendSafe(`${EDGE}/webhooks/little`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LittlePay-Timestamp': String(old), 'X-LittlePay-Signature': 'AAAA' },
      body: JSON.stringify({ reference: `replayed-${k}`, status: 'COMPLETED' }),
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

/**
 * Runs `n` checkouts with `concurrency` in flight, the numbers taken from `mix` round-robin
 * and numbered from `offset` (two runs against one sandbox must not share a number: its
 * ledger and the per-phone limits are per number; offsets plus counts stay under 4000);
 * returns the measurements and every broken invariant (an empty list is a pass).
 */
export async function runLoad({ n, concurrency = 16, finalWithinMs = 120000, run = Date.now() % 100000, mix = MIX, offset = 0 }) {
  // Every checkout gets `finalWithinMs` from its own start: a run-wide deadline would cut off
  // the last checkouts of a long run (the first 2000-checkout run lost two that way).
  const latencies = {};
  const failDeliveries = Math.max(1, Math.floor(n / 10));
  await fetch(`${SANDBOX}/_sandbox/shop/fail-next`, { method: 'POST', body: String(failDeliveries) });
  const t0 = Date.now();
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results.push(await drive(run, i, latencies, { finalWithinMs, mix, offset }));
    }
  };
  const forged = forgeries(Math.max(2, Math.floor(n / 50)));
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const forgedStatuses = await forged;
  const elapsedS = (Date.now() - t0) / 1000;

  const broken = [];
  for (const r of results) {
    const which = `checkout ${r.i} (${r.checkout ?? 'not created'}, ${r.provider} …${r.suffix})`;
    if (r.error) broken.push(`${which}: ${r.error}`);
    else if (!FINAL.has(r.state)) broken.push(`${which} has no final state: ${r.state}`);
    else if (r.state !== r.expected) broken.push(`${which} ended ${r.state}, expected ${r.expected}`);
  }
  // The ledger: a succeeded payment is exactly one charge, any other none.
  let doubleCharges = 0;
  for (const r of results.filter((x) => x.phone)) {
    const { charges } = await (await fetch(`${SANDBOX}/_sandbox/charges?phone=${encodeURIComponent(r.phone)}`)).json();
    const want = r.state === 'succeeded' ? 1 : 0;
    if (charges > 1) doubleCharges += 1;
    if (charges !== want) broken.push(`${r.phone} (${r.checkout}, ${r.provider} …${r.suffix}, ${r.state}) was charged ${charges} times, expected ${want}`);
  }
  // The merchant: exactly one distinct final event per payment, all verified.
  const payments = new Map(results.filter((r) => r.payment).map((r) => [r.payment, r]));
  let events = [];
  const eventsDeadline = Date.now() + 60000;
  for (;;) {
    events = (await (await fetch(`${SANDBOX}/shop/api/events`)).json())
      .filter((e) => payments.has(e.payment_id) && e.kind.startsWith('payment.'));
    const seen = new Set(events.filter((e) => e.verified).map((e) => e.payment_id));
    if ([...payments.keys()].every((p) => seen.has(p)) || Date.now() > eventsDeadline) break;
    await sleep(1000);
  }
  for (const [paymentId, r] of payments) {
    const distinct = new Set(events.filter((e) => e.payment_id === paymentId && e.verified).map((e) => e.event_id));
    if (distinct.size !== 1) broken.push(`payment ${paymentId} (${r.provider} …${r.suffix}) reached the merchant as ${distinct.size} distinct events`);
    const kinds = new Set(events.filter((e) => e.payment_id === paymentId).map((e) => e.kind));
    if (kinds.size === 1 && ![...kinds][0].endsWith(r.state)) broken.push(`payment ${paymentId} event ${[...kinds][0]} but Lipa says ${r.state}`);
  }
  if (events.some((e) => !e.verified)) broken.push('the merchant received an event whose signature did not verify');
  const accepted = forgedStatuses.filter((s) => s !== 401);
  if (accepted.length) broken.push(`forged or replayed webhooks answered ${accepted.join(', ')} instead of 401`);

  const lastDone = Math.max(...results.map((r) => r.done ?? 0));
  // Seconds from each checkout's creation to its final state, by provider route: with
  // `concurrency` in flight, throughput can be no more than concurrency / mean time.
  const timesToFinal = {};
  for (const r of results.filter((x) => x.done && FINAL.has(x.state))) {
    (timesToFinal[r.provider] ??= []).push((r.done - r.began) / 1000);
  }
  const finalTimes = Object.values(timesToFinal).flat();
  return {
    n,
    concurrency,
    elapsedS,
    throughput: n / ((lastDone - t0) / 1000),
    secondsToFinal: {
      all: { n: finalTimes.length, mean: finalTimes.reduce((a, b) => a + b, 0) / Math.max(1, finalTimes.length), p50: percentile(finalTimes, 50), p99: percentile(finalTimes, 99) },
      ...Object.fromEntries(Object.entries(timesToFinal).map(([k, v]) => [k, { n: v.length, mean: v.reduce((a, b) => a + b, 0) / v.length, p50: percentile(v, 50), p99: percentile(v, 99) }])),
    },
    latencies: Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, { p50: percentile(v, 50), p99: percentile(v, 99), count: v.length }])),
    forged: forgedStatuses.length,
    // Deliveries of the run's payment events the merchant's endpoint received.
    events: events.length,
    lostAnswers: results.flatMap((r) => (r.lostAnswers ?? []).map((l) => `checkout ${r.i} (${r.provider} …${r.suffix}): ${l}`)),
    failedDeliveries: failDeliveries,
    // Pays sent two at once (double taps and two tabs), how many of them the edge refused with
    // 409, and one-time codes sent two at once.
    concurrentPays: results.reduce((k, r) => k + (r.concurrent?.length ?? 0), 0),
    concurrentPaysRefused: results.reduce((k, r) => k + (r.concurrent ?? []).filter((s) => s === 409).length, 0),
    concurrentOtps: results.reduce((k, r) => k + (r.concurrentOtps ?? 0), 0),
    doubleCharges: doubleCharges,
    byOutcome: results.reduce((acc, r) => { acc[r.state ?? 'error'] = (acc[r.state ?? 'error'] ?? 0) + 1; return acc; }, {}),
    broken,
  };
}
