// A merchant developer's first hour, as the README tells it: their own server receives real,
// signed events (a second edge started as `cargo xtask dev --webhook-url` would start it), the
// events API shows each attempt's exact request, the server-side reads answer what the widget
// did, one event format, one idempotency rule, a reopened paid checkout, and the README's own
// snippets and curl examples run against the system.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { MERCHANT_KEY, eventually } from './support.mjs';

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
after(async () => { await new Promise((r) => receiver?.close(r)); });

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
  return { status: res.status, body: json, replayed: res.headers.get('Idempotent-Replayed') === 'true' };
}

/** A checkout created and paid through the widget API on `edge`, waited on until final. */
async function pay(edge, phone, checkoutBody = {}) {
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
  const started = await widget('POST', '/payments', { operator: 'mpesa', phone });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const payment = await eventually(async () => {
    const p = (await widget('GET')).body.payment;
    if (!p.status || ['created', 'pending'].includes(p.status.state)) throw new Error('not final yet');
    return p;
  }, { timeout: 30000 });
  return { checkout, payment, widget };
}

/** Node's check of a `Lipa-Signature` header, independent of the README's snippets. */
function signatureOk(raw, header) {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
  return Boolean(t) && createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${raw}`).digest('hex') === v1;
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
