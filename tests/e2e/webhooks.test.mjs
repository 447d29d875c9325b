// Standard Webhooks: a real delivery, captured by the developer's own server (the second edge
// `cargo xtask e2e` starts for files that read OWN_EDGE_URL), verifies with the maintained
// `standardwebhooks` libraries of npm and PyPI (the PyPI one in the venv xtask installs), and
// both refuse a tampered body, a stale timestamp and a signature made with another secret.
// Lipa-Signature rides along unchanged, and Stripe's own `stripe.webhooks.constructEvent` (the
// npm `stripe` package) verifies it as it stands, keyed with the whole `whsec_…` text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { MERCHANT_KEY, eventually } from './support.mjs';

const OWN_EDGE = process.env.OWN_EDGE_URL;
const OWN_PORT = Number(process.env.OWN_WEBHOOK_PORT);
const SECRET = process.env.MERCHANT_WEBHOOK_SECRET;
const PYTHON = process.env.LIPA_PYTHON_WEBHOOKS;
if (!OWN_EDGE || !OWN_PORT || !PYTHON) throw new Error('OWN_EDGE_URL, OWN_WEBHOOK_PORT and LIPA_PYTHON_WEBHOOKS come from `cargo xtask e2e webhooks`');

const received = [];
let receiver;
let serial = Date.now() % 90;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise((resolve, reject) => receiver.listen(OWN_PORT, '127.0.0.1', resolve).on('error', reject));
});

after(async () => {
  await new Promise((r) => receiver?.close(r));
});

async function api(method, path, body) {
  const res = await fetch(`${OWN_EDGE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A checkout paid through the widget API on the own edge; its payment.succeeded delivery. */
async function paidDelivery() {
  const created = await api('POST', '/v1/checkouts', {
    amount: 150000, currency: 'KES', country: 'KE', reference: `swh-${Date.now()}`,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const widget = (method, path = '', body) => fetch(`${OWN_EDGE}/api/checkouts/${created.body.id}${path}`, {
    method,
    headers: { Authorization: `Bearer ${created.body.client_secret}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
  await widget('GET');
  const started = await widget('POST', '/payments', { operator: 'mpesa', phone: `0712 8${String(serial++).padStart(2, '0')} 001` });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  return eventually(() => {
    const d = received.find((r) => JSON.parse(r.raw).data?.payment_id === started.body.id);
    if (!d) throw new Error('nothing received yet');
    return d;
  }, { timeout: 30000 });
}

/** `v1,<base64>` of `id.timestamp.body` under a `whsec_` secret, as the spec defines it. */
function standardSignature(secret, id, timestamp, body) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The real delivery, and the variants both libraries must refuse. */
function cases(delivery) {
  const h = delivery.headers;
  const id = h['webhook-id'];
  const raw = delivery.raw;
  const headers = (over) => ({
    'webhook-id': id, 'webhook-timestamp': h['webhook-timestamp'], 'webhook-signature': h['webhook-signature'], ...over,
  });
  const stale = Number(h['webhook-timestamp']) - 600;
  const other = `whsec_${randomBytes(32).toString('base64')}`;
  return [
    { name: 'the real delivery', body: raw, headers: headers({}), ok: true },
    { name: 'a tampered body', body: raw.replace('"payment.succeeded"', '"payment.failed"'), headers: headers({}), ok: false },
    { name: 'a stale timestamp, signed right', body: raw, headers: headers({ 'webhook-timestamp': String(stale), 'webhook-signature': standardSignature(SECRET, id, stale, raw) }), ok: false },
    { name: 'a timestamp moved without re-signing', body: raw, headers: headers({ 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) }), ok: false },
    { name: 're-signed with another secret', body: raw, headers: headers({ 'webhook-signature': standardSignature(other, id, h['webhook-timestamp'], raw) }), ok: false },
    { name: 'another event id', body: raw, headers: headers({ 'webhook-id': `${id}x` }), ok: false },
  ];
}

function npmVerdicts(secret, all) {
  const wh = new Webhook(secret);
  return all.map((c) => {
    try {
      wh.verify(c.body, c.headers);
      return true;
    } catch {
      return false;
    }
  });
}

const PY = `
import json, sys
from standardwebhooks import Webhook
secret, cases = json.loads(sys.stdin.read())
wh = Webhook(secret)
out = []
for c in cases:
    try:
        wh.verify(c["body"], c["headers"])
        out.append(True)
    except Exception:
        out.append(False)
print(json.dumps(out))
`;

function pypiVerdicts(secret, all) {
  const out = execFileSync(PYTHON, ['-c', PY], { input: JSON.stringify([secret, all]), encoding: 'utf8' });
  return JSON.parse(out);
}

test('a real delivery carries Standard Webhooks headers beside Lipa-Signature, and the events API shows them', async () => {
  const delivery = await paidDelivery();
  const event = JSON.parse(delivery.raw);
  const h = delivery.headers;
  assert.equal(h['webhook-id'], event.id);
  assert.equal(h['lipa-event-id'], event.id);
  assert.match(h['webhook-timestamp'], /^\d{10}$/);
  assert.ok(Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000) < 120);
  const signatures = h['webhook-signature'].split(' ');
  assert.ok(signatures.length >= 1 && signatures.every((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s)), h['webhook-signature']);
  assert.equal(signatures[0], standardSignature(SECRET, event.id, h['webhook-timestamp'], delivery.raw));
  // Lipa-Signature: same timestamp, one hex v1 per active secret, keyed with the secret's text
  // (Stripe's scheme: HMAC-SHA256(secret as UTF-8, `${t}.${body}`), hex, in `t=…,v1=…`; the
  // next test runs Stripe's own library on it).
  const lipa = h['lipa-signature'];
  assert.ok(lipa.startsWith(`t=${h['webhook-timestamp']},v1=`), lipa);
  assert.equal(lipa.split(',v1=').length - 1, signatures.length);
  assert.equal(lipa.split(',v1=')[1], createHmac('sha256', SECRET).update(`${h['webhook-timestamp']}.${delivery.raw}`).digest('hex'));

  const detail = await api('GET', `/v1/events/${event.id}`);
  assert.equal(detail.status, 200);
  const sent = detail.body.deliveries[0].request.headers;
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'Lipa-Signature']) {
    assert.equal(sent[name], h[name.toLowerCase()], name);
  }
});

test('npm\'s and PyPI\'s standardwebhooks accept the real delivery and refuse a tampered, stale or re-signed one', async () => {
  const delivery = await paidDelivery();
  const all = cases(delivery);
  const expected = all.map((c) => c.ok);
  assert.deepEqual(npmVerdicts(SECRET, all), expected, `npm: ${all.map((c) => c.name)}`);
  assert.deepEqual(pypiVerdicts(SECRET, all), expected, `PyPI: ${all.map((c) => c.name)}`);
  // Mid-rotation, the next secret's signature is there too and verifies on its own.
  const next = process.env.MERCHANT_WEBHOOK_SECRET_NEXT;
  if (delivery.headers['webhook-signature'].includes(' ')) {
    assert.deepEqual(npmVerdicts(next, all.slice(0, 1)), [true]);
    assert.deepEqual(pypiVerdicts(next, all.slice(0, 1)), [true]);
  }
  // A secret nobody configured verifies nothing.
  const stranger = `whsec_${randomBytes(32).toString('base64')}`;
  assert.deepEqual(npmVerdicts(stranger, all.slice(0, 1)), [false]);
  assert.deepEqual(pypiVerdicts(stranger, all.slice(0, 1)), [false]);
});

test('webhook-id is the event id on every attempt: a resend carries the same id, freshly signed', async () => {
  const delivery = await paidDelivery();
  const id = delivery.headers['webhook-id'];
  const before = received.length;
  const resent = await api('POST', `/v1/events/${id}/resend`);
  assert.ok(resent.status < 300, JSON.stringify(resent.body));
  const again = await eventually(() => {
    const d = received.slice(before).find((r) => r.headers['webhook-id'] === id);
    if (!d) throw new Error('not resent yet');
    return d;
  }, { timeout: 30000 });
  assert.equal(again.raw, delivery.raw);
  assert.deepEqual(npmVerdicts(SECRET, cases(again).slice(0, 1)), [true]);
  assert.deepEqual(pypiVerdicts(SECRET, cases(again).slice(0, 1)), [true]);
});

/** `t=…,v1=…` as Stripe signs: HMAC-SHA256 keyed with the secret's text, hex. */
function lipaSignature(secret, t, body) {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Stripe's verdict on one delivery: the event it built, or the error it threw. */
function stripeVerdict(body, header, secret) {
  try {
    return { event: Stripe.webhooks.constructEvent(body, header, secret) };
  } catch (error) {
    return { error };
  }
}

test('Stripe\'s own constructEvent (npm stripe) verifies Lipa-Signature and refuses a tampered body, a wrong secret and a stale timestamp', async () => {
  const delivery = await paidDelivery();
  const raw = delivery.raw;
  const header = delivery.headers['lipa-signature'];
  const t = Number(/^t=(\d+),/.exec(header)[1]);

  // The real delivery, as the merchant's server gets it (raw body as a string and as a Buffer).
  for (const body of [raw, Buffer.from(raw, 'utf8')]) {
    const ok = stripeVerdict(body, header, SECRET);
    assert.equal(ok.error, undefined, String(ok.error));
    assert.deepEqual(ok.event, JSON.parse(raw));
  }
  // Stripe keys the HMAC with the secret's text as it is, `whsec_` included: the same secret
  // without its prefix, or its base64 decoded (the Standard Webhooks key), verifies nothing.
  const withoutPrefix = SECRET.slice('whsec_'.length);
  assert.ok(stripeVerdict(raw, header, withoutPrefix).error instanceof Stripe.errors.StripeSignatureVerificationError);
  assert.ok(stripeVerdict(raw, header, Buffer.from(withoutPrefix, 'base64').toString('latin1')).error);

  const refused = [
    ['a tampered body', raw.replace('"payment.succeeded"', '"payment.failed"'), header, SECRET],
    ['a wrong secret', raw, header, `whsec_${randomBytes(32).toString('base64')}`],
    ['a stale timestamp, signed right', raw, lipaSignature(SECRET, t - 600, raw), SECRET],
    ['a timestamp moved without re-signing', raw, header.replace(`t=${t}`, `t=${t + 1}`), SECRET],
    ['no v1 signature', raw, `t=${t}`, SECRET],
  ];
  for (const [name, body, h, secret] of refused) {
    const { error } = stripeVerdict(body, h, secret);
    assert.ok(error instanceof Stripe.errors.StripeSignatureVerificationError, `${name}: ${error}`);
  }
  // The stale one is refused for its age only: with a tolerance wide enough it verifies.
  assert.equal(Stripe.webhooks.constructEvent(raw, lipaSignature(SECRET, t - 600, raw), SECRET, 3600).id, JSON.parse(raw).id);

  // Mid-rotation the header carries a v1 per secret, and Stripe accepts either.
  const next = process.env.MERCHANT_WEBHOOK_SECRET_NEXT;
  if (header.split(',v1=').length > 2) {
    assert.equal(stripeVerdict(raw, header, next).error, undefined);
  }
});
