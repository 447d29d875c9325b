// A merchant developer's first hour, as the README tells it: their own server receives real,
// signed events (a second edge started as `cargo xtask dev --webhook-url` would start it), the
// events API shows each attempt's exact request, the server-side reads answer what the widget
// did, one event format, one idempotency rule, a reopened paid checkout, and the README's own
// snippets and curl examples run against the system.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EDGE, MERCHANT_KEY, eventually, launch, openPage, Shop,
} from './support.mjs';

const OWN_EDGE = process.env.OWN_EDGE_URL;
const OWN_PORT = Number(process.env.OWN_WEBHOOK_PORT);
const WEBHOOK_SECRET = process.env.MERCHANT_WEBHOOK_SECRET;
if (!OWN_EDGE || !OWN_PORT) throw new Error('OWN_EDGE_URL and OWN_WEBHOOK_PORT come from `cargo xtask e2e devhour`');

/** What the developer's own server received, in order: raw body and headers. */
const received = [];
let receiver;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise((resolve, reject) => receiver.listen(OWN_PORT, '127.0.0.1', resolve).on('error', reject));
});
/** Refunds and payouts this file started on the shared edge: before it ends, their final
 * events are delivered, so no event of this file reaches the shop during another file. */
const transfers = new Set();
after(async () => {
  await eventually(async () => {
    const { body } = await api(EDGE, 'GET', '/v1/events?limit=100');
    const done = new Set(body.events.filter((e) => e.delivered_at_ms && !e.type.startsWith('payment.')).map((e) => e.data.id));
    const open = [...transfers].filter((id) => !done.has(id));
    if (open.length) throw new Error(`still settling: ${open}`);
  }, { timeout: 60000, interval: 1000 });
  await new Promise((r) => receiver?.close(r));
});

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's example body of each event type, from its "Event types" list. */
function readmeEvents() {
  const out = {};
  for (const m of README.matchAll(/^#### `([a-z]+\.[a-z]+)`\n[\s\S]*?```json\n([\s\S]*?)\n```/gm)) {
    out[m[1]] = JSON.parse(m[2]);
  }
  return out;
}

/** An event exactly as it was delivered: the raw body its first attempt sent. */
async function deliveredBody(edge, eventId) {
  const { body } = await api(edge, 'GET', `/v1/events/${eventId}`);
  return JSON.parse(body.deliveries[0].request.body);
}

/** Every key path of a JSON value (`data.status`, …), sorted. */
function shape(value, prefix = '') {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k)).sort();
}

let serial = 0;
/** A fresh Kenyan test number ending in `suffix` (one number gets 5 prompts per 10 minutes). */
function number(suffix) {
  serial += 1;
  return `0712 ${String(600 + serial).padStart(3, '0')} 0${suffix}`;
}

/** A merchant API call on `edge` with the secret key. */
async function api(edge, method, path, { body, key, raw } = {}) {
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
  if (body !== undefined || raw !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers['Idempotency-Key'] = key;
  const res = await fetch(`${edge}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = { raw: text }; }
  if (method === 'POST' && ['/v1/refunds', '/v1/payouts'].includes(path) && res.status === 201) transfers.add(json.id);
  return { status: res.status, body: json, replayed: res.headers.get('Idempotent-Replayed') === 'true' };
}

/** A checkout created on `edge`, and the widget API on it. */
async function newCheckout(edge, checkoutBody = {}) {
  const created = await api(edge, 'POST', '/v1/checkouts', {
    body: { amount: 150000, currency: 'KES', country: 'KE', reference: `dev-${Date.now()}-${serial}`, ...checkoutBody },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const checkout = created.body;
  const widget = (method, path = '', body) => fetch(`${edge}/api/checkouts/${checkout.id}${path}`, {
    method,
    headers: { Authorization: `Bearer ${checkout.client_secret}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
  await widget('GET');
  return { checkout, widget };
}

/** Pays with `phone` as the widget does and waits until the payment is final. */
async function payWith(widget, phone) {
  const started = await widget('POST', '/payments', { operator: 'mpesa', phone });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  return eventually(async () => {
    const p = (await widget('GET')).body.payment;
    if (p.id !== started.body.id || ['created', 'pending'].includes(p.status.state)) throw new Error('not final yet');
    return p;
  }, { timeout: 30000 });
}

/** A checkout created and paid through the widget API on `edge`, waited on until final. */
async function pay(edge, phone, checkoutBody = {}) {
  const { checkout, widget } = await newCheckout(edge, checkoutBody);
  const payment = await payWith(widget, phone);
  return { checkout, payment, widget };
}

/** Node's check of a `Lipa-Signature` header, independent of the README's snippets. */
/** The timestamp and every `v1` of a `Lipa-Signature` (one per active secret while the
 * merchant rotates it: the test system runs mid-rotation). */
function signatureParts(header) {
  const m = /^t=(\d+)((?:,v1=[0-9a-f]{64})+)$/.exec(header ?? '');
  return m ? { t: m[1], v1s: m[2].split(',v1=').slice(1) } : { t: undefined, v1s: [] };
}

function signatureOk(raw, header) {
  const { t, v1s } = signatureParts(header);
  const expected = t && createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${raw}`).digest('hex');
  return Boolean(t) && v1s.includes(expected);
}

test('--webhook-url: the developer\'s own server gets real, verifiable events, and the events API shows each attempt\'s exact request', async () => {
  const { checkout, payment } = await pay(OWN_EDGE, number('01'));
  assert.equal(payment.status.state, 'succeeded');
  const delivery = await eventually(() => {
    const d = received.find((r) => JSON.parse(r.raw).data?.payment_id === payment.id);
    if (!d) throw new Error('nothing received yet');
    return d;
  }, { timeout: 30000 });
  assert.equal(delivery.path, '/hooks');
  const event = JSON.parse(delivery.raw);
  assert.equal(event.type, 'payment.succeeded');
  assert.equal(event.data.checkout_id, checkout.id);
  assert.equal(delivery.headers['lipa-event-id'], event.id);
  assert.ok(signatureOk(delivery.raw, delivery.headers['lipa-signature']), delivery.headers['lipa-signature']);

  const detail = await api(OWN_EDGE, 'GET', `/v1/events/${event.id}`);
  assert.equal(detail.status, 200, JSON.stringify(detail.body));
  assert.equal(detail.body.deliveries.length, 1);
  const sent = detail.body.deliveries[0].request;
  assert.equal(sent.body, delivery.raw, 'the exact bytes the server received');
  assert.equal(sent.headers['Lipa-Signature'], delivery.headers['lipa-signature']);
  assert.equal(sent.headers['Lipa-Event-Id'], event.id);
  assert.equal(sent.headers['Content-Type'], 'application/json');

  // Replayed at the developer's endpoint, the stored request verifies as the original did.
  const replay = await fetch(`http://127.0.0.1:${OWN_PORT}/hooks`, { method: 'POST', headers: sent.headers, body: sent.body });
  assert.equal(replay.status, 200);
  const again = received.at(-1);
  assert.equal(again.raw, delivery.raw);
  assert.ok(signatureOk(again.raw, again.headers['lipa-signature']));
});

test('server-side reads answer what the widget did: the checkout, each payment, refunds, by reference, filtered events', async () => {
  const reference = `read-${Date.now()}`;
  const { checkout, widget } = await newCheckout(EDGE, { reference });
  assert.equal(checkout.amount_display, 'KES 1,500.00');
  const declined = await payWith(widget, number('06'));
  assert.equal(declined.status.state, 'failed');
  const paid = await payWith(widget, number('01'));
  assert.equal(paid.status.state, 'succeeded');
  const refund = await api(EDGE, 'POST', '/v1/refunds', { body: { payment_id: paid.id, amount: 2000 }, key: `read-refund-${Date.now()}` });
  assert.equal(refund.status, 201, JSON.stringify(refund.body));
  assert.equal(refund.body.amount_display, 'KES 20.00');

  const read = await api(EDGE, 'GET', `/v1/checkouts/${checkout.id}`);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  const co = read.body;
  assert.deepEqual(
    [co.id, co.reference, co.status, co.amount, co.amount_display, co.currency, co.paid_payment_id],
    [checkout.id, reference, 'paid', 150000, 'KES 1,500.00', 'KES', paid.id],
  );
  assert.deepEqual(co.payments.map((p) => [p.payment_id, p.status]), [[declined.id, 'failed'], [paid.id, 'succeeded']]);
  const [first, second] = co.payments;
  assert.deepEqual([first.failure_reason, first.retryable, first.refunds], ['insufficient_funds', true, []]);
  assert.equal(first.failure_message, 'There is not enough money in this mobile money account.');
  assert.deepEqual([second.failure_reason, second.failure_message, second.retryable], [null, null, null]);
  assert.equal(second.phone_masked, paid.phone_masked);
  assert.deepEqual(second.refunds.map((r) => [r.id, r.amount, r.amount_display]), [[refund.body.id, 2000, 'KES 20.00']]);

  const one = await api(EDGE, 'GET', `/v1/payments/${paid.id}`);
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual({ ...one.body, refunds: one.body.refunds.map((r) => r.id) }, { ...second, refunds: [refund.body.id] });

  const byReference = await api(EDGE, 'GET', `/v1/checkouts?reference=${reference}`);
  assert.equal(byReference.status, 200, JSON.stringify(byReference.body));
  assert.deepEqual(byReference.body.checkouts.map((c) => c.id), [checkout.id]);
  assert.deepEqual((await api(EDGE, 'GET', '/v1/checkouts?reference=nobody-used-this')).body, { checkouts: [] });

  // Events, filtered on the server: by checkout, by type, by payment (its refund's too).
  const failedEvents = await eventually(async () => {
    const { body } = await api(EDGE, 'GET', `/v1/events?checkout=${checkout.id}&type=payment.failed`);
    if (body.events.length === 0) throw new Error('not listed yet');
    return body.events;
  });
  assert.deepEqual(failedEvents.map((e) => [e.type, e.data.payment_id]), [['payment.failed', declined.id]]);
  const ofPaid = await eventually(async () => {
    const { body } = await api(EDGE, 'GET', `/v1/events?payment=${paid.id}`);
    const kinds = body.events.map((e) => e.type).sort();
    assert.deepEqual(kinds, ['payment.succeeded', 'refund.succeeded']);
    return body.events;
  }, { timeout: 30000 });
  assert.ok(ofPaid.every((e) => e.data.payment_id === paid.id));
  const ofCheckout = (await api(EDGE, 'GET', `/v1/events?checkout=${checkout.id}&limit=100`)).body.events;
  assert.deepEqual(ofCheckout.map((e) => e.type).sort(), ['payment.failed', 'payment.succeeded', 'refund.succeeded']);

  // A typo is refused, naming what was wrong, instead of listing everything.
  for (const [path, status, field] of [
    [`/v1/events?checkout_id=${checkout.id}`, 400, 'checkout_id'],
    ['/v1/events?type=payment.done', 400, 'type'],
    [`/v1/events?checkout=${checkout.id}&checkout=${checkout.id}`, 400, 'checkout'],
    ['/v1/checkouts', 400, 'reference'],
    [`/v1/checkouts?ref=${reference}`, 400, 'ref'],
    [`/v1/checkouts/${checkout.id}?expand=payments`, 400, 'expand'],
    ['/v1/checkouts/co_nope', 404, null],
    ['/v1/payments/pay_nope', 404, null],
  ]) {
    const r = await api(EDGE, 'GET', path);
    assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field ?? null, field, path);
  }
  const anonymous = await fetch(`${EDGE}/v1/checkouts/${checkout.id}`);
  assert.equal(anonymous.status, 401);
  const withClientSecret = await fetch(`${EDGE}/v1/payments/${paid.id}`, { headers: { Authorization: `Bearer ${checkout.client_secret}` } });
  assert.equal(withClientSecret.status, 401, 'the client secret reads nothing on the merchant API');
});

test('every answer with money shows it as people read it: KES 15.00 is not KES 1,500', async () => {
  const cents = await api(EDGE, 'POST', '/v1/checkouts', { body: { amount: 1500, currency: 'KES', country: 'KE', reference: `cents-${Date.now()}` } });
  assert.deepEqual([cents.status, cents.body.amount, cents.body.amount_display], [201, 1500, 'KES 15.00']);
  const shillings = await api(EDGE, 'POST', '/v1/checkouts', { body: { amount: 5000, currency: 'UGX', country: 'UG', reference: `ugx-${Date.now()}` } });
  assert.deepEqual([shillings.status, shillings.body.amount_display], [201, 'UGX 5,000']);
  const read = await api(EDGE, 'GET', `/v1/checkouts/${shillings.body.id}`);
  assert.deepEqual([read.body.status, read.body.amount_display, read.body.payments], ['open', 'UGX 5,000', []]);
});

test('one event format, documented: the README lists every event type, and each example has the shape of the real thing', async () => {
  const documented = readmeEvents();
  assert.deepEqual(Object.keys(documented).sort(), [
    'payment.expired', 'payment.failed', 'payment.succeeded', 'payout.failed', 'payout.succeeded',
    'refund.failed', 'refund.succeeded',
  ]);
  for (const [kind, body] of Object.entries(documented)) assert.equal(body.type, kind);
  // Real events of each kind of object: a failed and a paid attempt, a refund, a payout.
  const { widget } = await newCheckout(EDGE);
  const declined = await payWith(widget, number('06'));
  const paid = await payWith(widget, number('01'));
  const refund = await api(EDGE, 'POST', '/v1/refunds', { body: { payment_id: paid.id }, key: `shape-${Date.now()}` });
  assert.equal(refund.status, 201, JSON.stringify(refund.body));
  const payout = await api(EDGE, 'POST', '/v1/payouts', {
    body: { amount: 7000, currency: 'RWF', country: 'RW', operator: 'mtn_momo', phone: '0788 000 001', reference: `shape-${Date.now()}` },
    key: `shape-payout-${Date.now()}`,
  });
  assert.equal(payout.status, 201, JSON.stringify(payout.body));
  const real = await eventually(async () => {
    const { body } = await api(EDGE, 'GET', '/v1/events?limit=100');
    const find = (type, test) => body.events.find((e) => e.type === type && test(e.data));
    const found = {
      'payment.failed': find('payment.failed', (d) => d.payment_id === declined.id),
      'payment.succeeded': find('payment.succeeded', (d) => d.payment_id === paid.id),
      'refund.succeeded': find('refund.succeeded', (d) => d.id === refund.body.id),
      'payout.succeeded': find('payout.succeeded', (d) => d.id === payout.body.id),
    };
    const missing = Object.entries(found).filter(([, e]) => !e).map(([k]) => k);
    if (missing.length) throw new Error(`not yet: ${missing}`);
    return found;
  }, { timeout: 40000, interval: 1000 });
  for (const [kind, listed] of Object.entries(real)) {
    const delivered = await deliveredBody(EDGE, listed.id);
    assert.deepEqual(shape(documented[kind]), shape(delivered), `${kind}: the README's example has the real shape`);
    // The same concept has the same shape in every family: a status is a string.
    assert.equal(typeof delivered.data.status, 'string', kind);
    assert.ok('failure_message' in delivered.data, kind);
  }
  // The failed and succeeded payment events, and the failure's detail, as documented.
  assert.deepEqual(shape(documented['payment.failed']), shape(documented['payment.succeeded']));
  const failed = await deliveredBody(EDGE, real['payment.failed'].id);
  assert.deepEqual([failed.data.status, failed.data.failure_reason, failed.data.retryable], ['failed', 'insufficient_funds', true]);
  for (const family of ['payment', 'refund', 'payout']) {
    const kinds = Object.keys(documented).filter((k) => k.startsWith(`${family}.`));
    for (const k of kinds) assert.deepEqual(shape(documented[k]), shape(documented[kinds[0]]), `${k} is shaped as ${kinds[0]}`);
  }
});

test('idempotency, one rule: bodies compared as JSON values, and a resend with a key delivers once', async () => {
  // A checkout: the same key with the same JSON in another order and spacing is the same request.
  const key = `same-json-${Date.now()}`;
  const reference = `idem-json-${Date.now()}`;
  const first = await api(EDGE, 'POST', '/v1/checkouts', { key, raw: JSON.stringify({ amount: 150000, currency: 'KES', country: 'KE', reference }) });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const reordered = await api(EDGE, 'POST', '/v1/checkouts', { key, raw: `{\n  "reference" : "${reference}",\n  "country": "KE", "currency":"KES",\n  "amount": 150000\n}` });
  assert.deepEqual([reordered.status, reordered.replayed, reordered.body], [201, true, first.body]);
  const other = await api(EDGE, 'POST', '/v1/checkouts', { key, raw: JSON.stringify({ amount: 150001, currency: 'KES', country: 'KE', reference }) });
  assert.deepEqual([other.status, other.body.error.code], [422, 'idempotency_conflict']);

  // A refund likewise (the key is required there).
  const { payment } = await pay(EDGE, number('01'));
  const refundKey = `refund-json-${Date.now()}`;
  const refund = await api(EDGE, 'POST', '/v1/refunds', { key: refundKey, raw: `{"payment_id":"${payment.id}","amount":2000,"reason":"one item returned"}` });
  assert.equal(refund.status, 201, JSON.stringify(refund.body));
  const again = await api(EDGE, 'POST', '/v1/refunds', { key: refundKey, raw: `{ "reason": "one item returned", "amount": 2000, "payment_id": "${payment.id}" }` });
  assert.deepEqual([again.status, again.replayed, again.body.id], [201, true, refund.body.id]);
  const noKey = await api(EDGE, 'POST', '/v1/refunds', { body: { payment_id: payment.id, amount: 100 } });
  assert.deepEqual([noKey.status, noKey.body.error.field], [400, 'Idempotency-Key']);

  // A resend with a key: the first sends, the repeat answers the same and sends nothing.
  const { payment: own } = await pay(OWN_EDGE, number('01'));
  const deliveriesOf = (eventId) => received.filter((r) => r.headers['lipa-event-id'] === eventId).length;
  const event = await eventually(() => {
    const d = received.find((r) => JSON.parse(r.raw).data?.payment_id === own.id);
    if (!d) throw new Error('nothing received yet');
    return JSON.parse(d.raw);
  }, { timeout: 30000 });
  assert.equal(deliveriesOf(event.id), 1);
  const resendKey = `resend-${Date.now()}`;
  const resent = await api(OWN_EDGE, 'POST', `/v1/events/${event.id}/resend`, { key: resendKey });
  assert.deepEqual([resent.status, resent.replayed, resent.body], [200, false, { id: event.id, resent: true, delivered: true }]);
  assert.equal(deliveriesOf(event.id), 2);
  const repeated = await api(OWN_EDGE, 'POST', `/v1/events/${event.id}/resend`, { key: resendKey });
  assert.deepEqual([repeated.status, repeated.replayed, repeated.body], [200, true, resent.body]);
  const detail = await api(OWN_EDGE, 'GET', `/v1/events/${event.id}`);
  assert.equal(detail.body.deliveries.length, 2, 'the repeat delivered nothing');
  assert.equal(deliveriesOf(event.id), 2);
  // The same key on another event is another request: keys are per event.
  const withoutKey = await api(OWN_EDGE, 'POST', `/v1/events/${event.id}/resend`);
  assert.deepEqual([withoutKey.status, withoutKey.replayed], [200, false], 'without a key, every resend sends');
  assert.equal(deliveriesOf(event.id), 3);
});

/** Pays on the shop page (`query` picks the integration), then closes and reopens the same,
 * now paid, checkout: the result is shown again and onSuccess fires once more, replayed. */
async function reopenPaid(query) {
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser);
    const shop = await new Shop(page).open(query);
    await shop.pay(number('01'));
    await shop.heading('Payment successful').waitFor({ timeout: 20000 });
    const fresh = shop.callbacks().filter({ hasText: 'onSuccess' });
    await fresh.first().waitFor();
    const [first] = await fresh.allTextContents();
    assert.doesNotMatch(first, /replayed/, 'a new payment is not replayed');
    await shop.widget.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('dialog', { name: 'Pay with mobile money' }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Pay with mobile money' }).click();
    await shop.heading('Payment successful').waitFor({ timeout: 20000 });
    const replayed = shop.callbacks().filter({ hasText: 'replayed' });
    await replayed.first().waitFor();
    await page.waitForTimeout(1500);
    assert.deepEqual(await replayed.allTextContents(), [`${first} · replayed`], 'onSuccess once more, with replayed: true');
    assert.equal(await shop.callbacks().filter({ hasText: 'onSuccess' }).count(), 2);
    assert.equal(await shop.widget.getByRole('button', { name: /^Pay / }).count(), 0, 'nothing to pay again');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
}

test('a reopened paid checkout shows the result and fires onSuccess with replayed: true, once (Lipa.open)', async () => {
  await reopenPaid('?integration=js');
});

test('a reopened paid checkout dispatches lipa:success with detail.replayed, once (script tag)', async () => {
  await reopenPaid('');
});

/** The README's fenced block in `lang` whose first line starts with `first`. */
function readmeBlock(lang, first) {
  const blocks = [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]);
  const found = blocks.filter((b) => b.startsWith(first));
  assert.equal(found.length, 1, `one ${lang} block starting ${first}`);
  return found[0];
}

/**
 * Runs the README's three verification snippets on `cases` ([raw body, header or null]) with
 * the webhook secret: each answers a list of true / false, or the error it raised.
 */
function runSnippets(cases) {
  const dir = mkdtempSync(join(tmpdir(), 'lipa-snippets-'));
  const input = JSON.stringify({ secret: WEBHOOK_SECRET, cases });
  const js = join(dir, 'verify.mjs');
  writeFileSync(js, `${readmeBlock('js', '// Node')}
const { secret, cases } = JSON.parse(process.argv[2]);
console.log(JSON.stringify(cases.map(([raw, header]) => {
  try { return verifyLipa(raw, header ?? undefined, secret); } catch (e) { return 'raised: ' + e.message; }
})));
`);
  const py = join(dir, 'verify.py');
  writeFileSync(py, `${readmeBlock('python', '# Python')}

import json, sys
_input = json.loads(sys.argv[1])
_out = []
for raw, header in _input["cases"]:
    try:
        _out.append(verify_lipa(raw.encode(), header, _input["secret"]))
    except Exception as e:
        _out.append("raised: " + repr(e))
print(json.dumps(_out))
`);
  const php = join(dir, 'verify.php');
  writeFileSync(php, `<?php
${readmeBlock('php', '// PHP')}
$input = json_decode($argv[1], true);
$out = [];
foreach ($input['cases'] as [$raw, $header]) {
    try { $out[] = verify_lipa($raw, $header, $input['secret']); }
    catch (Throwable $e) { $out[] = 'raised: ' . $e->getMessage(); }
}
echo json_encode($out), "\n";
`);
  const run = (cmd, file) => JSON.parse(execFileSync(cmd, [file, input], { encoding: 'utf8' }));
  return { node: run(process.execPath, js), python: run('python3', py), php: run('php', php) };
}

test('the README\'s webhook verification snippets (Node, Python, PHP) pass a real delivery and refuse everything else without raising', async () => {
  const { payment } = await pay(OWN_EDGE, number('01'));
  const delivery = await eventually(() => {
    const d = received.find((r) => JSON.parse(r.raw).data?.payment_id === payment.id);
    if (!d) throw new Error('nothing received yet');
    return d;
  }, { timeout: 30000 });
  const { raw } = delivery;
  const header = delivery.headers['lipa-signature'];
  const { t, v1s } = signatureParts(header);
  // The v1 made with the secret the snippets are given.
  const v1 = v1s.find((v) => v === createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${raw}`).digest('hex'));
  assert.ok(v1, header);
  const sign = (at, body = raw) => `t=${at},v1=${createHmac('sha256', WEBHOOK_SECRET).update(`${at}.${body}`).digest('hex')}`;
  const now = Math.floor(Date.now() / 1000);
  const flipped = v1.slice(0, -1) + (v1.at(-1) === '0' ? '1' : '0');
  const cases = [
    ['the real delivery', raw, header, true],
    ['its body tampered with', raw.replace('"succeeded"', '"failed"'), header, false],
    ['one more byte', `${raw} `, header, false],
    ['the signature tampered with', raw, `t=${t},v1=${flipped}`, false],
    ['the signature tampered with, next to another secret\'s', raw, header.replace(v1, flipped), false],
    ['the timestamp changed', raw, `t=${Number(t) + 1},v1=${v1}`, false],
    ['stale: signed 10 minutes ago', raw, sign(now - 600), false],
    ['from the future: 10 minutes ahead', raw, sign(now + 600), false],
    ['signed with another secret', raw, `t=${t},v1=${createHmac('sha256', 'whsec_other').update(`${t}.${raw}`).digest('hex')}`, false],
    ['no header', raw, null, false],
    ['an empty header', raw, '', false],
    ['abc', raw, 'abc', false],
    ['no v1', raw, `t=${t}`, false],
    ['no t', raw, `v1=${v1}`, false],
    ['t not a number', raw, `t=abc,v1=${v1}`, false],
    ['t in exponent form', raw, `t=${t}e0,v1=${v1}`, false],
    ['v1 not hex', raw, `t=${t},v1=${'zz'.repeat(32)}`, false],
    ['v1 too short', raw, `t=${t},v1=${v1.slice(0, 10)}`, false],
    ['v1 non-ASCII', raw, `t=${t},v1=${'é'.repeat(64)}`, false],
    ['separators only', raw, ',,,==,', false],
    ['query-string arrays', raw, `t[]=${t}&v1[]=${v1}`, false],
    ['a huge t', raw, `t=${'9'.repeat(40)},v1=${v1}`, false],
  ];
  const results = runSnippets(cases.map(([, body, h]) => [body, h]));
  for (const [language, answers] of Object.entries(results)) {
    cases.forEach(([name, , , expected], i) => {
      assert.equal(answers[i], expected, `${language}: ${name}`);
    });
  }
  // Freshly signed now with the real secret: all three verify (the timestamp rule is the
  // only difference from the stale case).
  const fresh = runSnippets([[raw, sign(now)]]);
  assert.deepEqual(fresh, { node: [true], python: [true], php: [true] });
});

/** The README's curl examples, in order: each command (continuation lines joined) and the
 * `# → STATUS BODY` line documenting its answer. */
function curlExamples() {
  const out = [];
  for (const [, block] of README.matchAll(/```sh\n([\s\S]*?)\n```/g)) {
    const lines = block.split('\n');
    let current = null;
    for (let k = 0; k < lines.length; k += 1) {
      if (lines[k].startsWith('curl ')) {
        let cmd = lines[k];
        while (cmd.endsWith('\\')) { k += 1; cmd = `${cmd.slice(0, -1)} ${lines[k].trim()}`; }
        current = { cmd, answer: null };
        out.push(current);
      } else if (lines[k].startsWith('# → ')) {
        const [, status, body] = /^# → (\d{3}) (.+)$/.exec(lines[k]) ?? [];
        assert.ok(current && status, `a documented answer follows a curl command: ${lines[k]}`);
        current.answer = { status: Number(status), body };
      }
    }
  }
  return out;
}

/** Reads a documented answer: JSON in which `…` stands for whatever varies (a value, more
 * keys or items, or part of a string). */
function parsePattern(text) {
  let i = 0;
  const ws = () => { while (/\s/.test(text[i] ?? '')) i += 1; };
  const fail = () => { throw new Error(`cannot read the documented answer at ${i}: ${text.slice(i, i + 30)}`); };
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  function string() {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(text.slice(i)) ?? fail();
    i += m[0].length;
    const s = JSON.parse(`"${m[1]}"`);
    return s.includes('…') ? { regex: new RegExp(`^${s.split('…').map(escape).join('[\\s\\S]*')}$`) } : { literal: s };
  }
  function value() {
    ws();
    if (text[i] === '{' || text[i] === '[') {
      const close = text[i] === '{' ? '}' : ']';
      i += 1;
      const entries = close === '}' ? {} : [];
      let open = false;
      for (;;) {
        ws();
        if (text[i] === close) { i += 1; return close === '}' ? { object: entries, open } : { array: entries, open }; }
        if (text[i] === ',') { i += 1; } else if (text[i] === '…') { i += 1; open = true; } else if (close === ']') {
          entries.push(value());
        } else {
          const key = string().literal;
          ws();
          if (text[i] !== ':') fail();
          i += 1;
          entries[key] = value();
        }
      }
    }
    if (text[i] === '"') return string();
    if (text[i] === '…') { i += 1; return { any: true }; }
    const m = /^(-?\d+(\.\d+)?|true|false|null)/.exec(text.slice(i)) ?? fail();
    i += m[0].length;
    return { literal: JSON.parse(m[0]) };
  }
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}

/** Where `actual` differs from a pattern from [`parsePattern`]. */
function mismatches(pattern, actual, path = '') {
  if (pattern.any) return [];
  if ('literal' in pattern) return JSON.stringify(pattern.literal) === JSON.stringify(actual) ? [] : [`${path}: ${JSON.stringify(actual)}`];
  if (pattern.regex) return typeof actual === 'string' && pattern.regex.test(actual) ? [] : [`${path}: ${JSON.stringify(actual)} is not ${pattern.regex}`];
  if (pattern.array) {
    if (!Array.isArray(actual)) return [`${path}: not an array`];
    if (actual.length < pattern.array.length || (!pattern.open && actual.length !== pattern.array.length)) return [`${path}: ${actual.length} items`];
    return pattern.array.flatMap((p, k) => mismatches(p, actual[k], `${path}[${k}]`));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: not an object`];
  const extra = pattern.open ? [] : Object.keys(actual).filter((k) => !(k in pattern.object)).map((k) => `${path}.${k}: not documented`);
  return [...extra, ...Object.entries(pattern.object).flatMap(([k, p]) => (k in actual ? mismatches(p, actual[k], `${path}.${k}`) : [`${path}.${k}: missing`]))];
}

test('every curl example in the README runs against the system and answers what the README says', async () => {
  const examples = curlExamples();
  assert.ok(examples.length >= 12, `${examples.length} curl examples`);
  const ids = {};
  // In a command every id must be known by then; in an answer, a known id must be that one
  // (evt_… excepted: a list's newest event may be another).
  const substitute = (text, prefixes, required) => text.replace(/\b(co|pay|evt|re|po)_…(?!_secret)/g, (whole, prefix) => {
    if (!prefixes.includes(prefix) || (!required && !ids[prefix])) return whole;
    assert.ok(ids[prefix], `no ${prefix}_ id is known yet for ${text.slice(0, 80)}`);
    return ids[prefix];
  });
  for (const { cmd, answer } of examples) {
    assert.ok(answer, `the README documents the answer of: ${cmd}`);
    const command = substitute(cmd.replaceAll('http://127.0.0.1:8787', EDGE), ['co', 'pay', 'evt', 're', 'po'], true);
    const out = execFileSync('bash', ['-c', `${command} -w '\\n%{http_code}'`], {
      encoding: 'utf8', env: { ...process.env, LIPA_SECRET_KEY: MERCHANT_KEY },
    });
    const status = Number(out.slice(out.lastIndexOf('\n') + 1));
    const body = JSON.parse(out.slice(0, out.lastIndexOf('\n')));
    assert.equal(status, answer.status, `${cmd}\n→ ${JSON.stringify(body)}`);
    const expected = parsePattern(substitute(answer.body, ['co', 'pay', 're', 'po'], false).replaceAll('http://127.0.0.1:8787', EDGE));
    assert.deepEqual(mismatches(expected, body), [], `${cmd}\n→ ${JSON.stringify(body)}`);
    for (const prefix of ['co', 're', 'po']) {
      if (typeof body.id === 'string' && body.id.startsWith(`${prefix}_`)) ids[prefix] = body.id;
      if (prefix !== 'co' && ids[prefix]) transfers.add(ids[prefix]);
    }
    if (body.client_secret && !ids.pay) {
      // The page pays (README: "Your page then …"): with the sandbox's approving number.
      const widget = (method, path = '', b) => fetch(`${EDGE}/api/checkouts/${body.id}${path}`, {
        method,
        headers: { Authorization: `Bearer ${body.client_secret}`, 'Content-Type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
      await widget('GET');
      const paid = await payWith(widget, number('01'));
      assert.equal(paid.status.state, 'succeeded');
      ids.pay = paid.id;
      ids.evt = await eventually(async () => {
        const { body: listed } = await api(EDGE, 'GET', `/v1/events?payment=${paid.id}&type=payment.succeeded`);
        const e = listed.events[0];
        if (!e?.delivered_at_ms) throw new Error('not delivered yet');
        return e.id;
      }, { timeout: 30000 });
    }
  }
  assert.ok(ids.co && ids.pay && ids.evt && ids.re && ids.po, JSON.stringify(ids));
});
