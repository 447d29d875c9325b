// The merchant API beyond checkouts: receipts, refunds (Dollr and CrissCross) and payouts,
// each idempotent on its Idempotency-Key, each final state a signed webhook at the shop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EDGE, SANDBOX, MERCHANT_KEY, createCheckout, widgetCall, eventually, verifyIfAsked,
} from './support.mjs';

let serial = 0;
/** A unique test number ending in `suffix` (the spam limit allows 5 prompts per number). */
function number(prefix, suffix) {
  serial += 1;
  return `${prefix}${String(400 + serial).padStart(3, '0')}0${suffix}`;
}

async function merchant(method, path, body, key) {
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json' };
  if (key) headers['Idempotency-Key'] = key;
  const res = await fetch(`${EDGE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json(), replayed: res.headers.get('Idempotent-Replayed') === 'true' };
}

/** A checkout paid through the widget API, waited on until it is final. */
async function paid(checkoutBody, operator, phone) {
  const c = await createCheckout({ reference: `m-${Date.now()}-${serial}`, ...checkoutBody });
  await widgetCall(c, 'GET');
  await verifyIfAsked(c, operator, phone);
  const started = await widgetCall(c, 'POST', '/payments', { operator, phone });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const payment = await eventually(async () => {
    const p = (await widgetCall(c, 'GET')).body.payment;
    if (p.status.state === 'pending' || p.status.state === 'created') throw new Error('not final yet');
    return p;
  }, { timeout: 25000 });
  return { checkout: c, payment };
}

async function shopEvent(kind, objectId) {
  return eventually(async () => {
    const events = await (await fetch(`${SANDBOX}/shop/api/events`)).json();
    const e = events.find((x) => x.kind === kind && x.object_id === objectId && x.verified);
    if (!e) throw new Error(`no verified ${kind} for ${objectId} yet`);
    return e;
  }, { timeout: 25000 });
}

const RW = { amount: 5000, currency: 'RWF', country: 'RW', description: 'Kitenge' };

test('a Dollr receipt has Dollr\'s fee, total and line item', async () => {
  const { payment } = await paid(RW, 'mtn_momo', number('0788 ', '01'));
  assert.equal(payment.status.state, 'succeeded');
  const r = await merchant('GET', `/v1/payments/${payment.id}/receipt`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.provider, 'dollr');
  assert.deepEqual([r.body.amount, r.body.fee, r.body.total], [5000, 150, 5150]);
  assert.deepEqual(r.body.items, [{ name: 'Kitenge', qty: 1, amount: 5000 }]);
  assert.match(r.body.paid_at, /^\d{4}-\d\d-\d\dT/);
});

test('refund part of a Dollr payment: idempotent, polled to success, signed webhook, bounded', async () => {
  const { checkout, payment } = await paid(RW, 'mtn_momo', number('0788 ', '01'));
  const key = `refund-${Date.now()}`;
  const first = await merchant('POST', '/v1/refunds', { payment_id: payment.id, amount: 2000, reason: 'one item returned' }, key);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.status, 'pending');
  const again = await merchant('POST', '/v1/refunds', { payment_id: payment.id, amount: 2000, reason: 'one item returned' }, key);
  assert.deepEqual([again.status, again.replayed], [201, true], 'the first answer, replayed');
  assert.deepEqual(again.body, first.body, 'the same key gets the same refund');
  const conflict = await merchant('POST', '/v1/refunds', { payment_id: payment.id, amount: 1000 }, key);
  assert.equal(conflict.status, 422);
  assert.equal(conflict.body.error.code, 'idempotency_conflict');

  await shopEvent('refund.succeeded', first.body.id);
  const done = await merchant('GET', `/v1/refunds/${first.body.id}`);
  assert.equal(done.body.status, 'succeeded');

  const tooMuch = await merchant('POST', '/v1/refunds', { payment_id: payment.id, amount: 3001 }, `${key}-2`);
  assert.equal(tooMuch.status, 400);
  assert.equal(tooMuch.body.error.field, 'amount');
  assert.match(tooMuch.body.error.message, /RWF 3,000 left/);
  assert.equal((await widgetCall(checkout, 'GET')).body.payment.status.state, 'succeeded', 'the payment is as it was');
});

test('refunds refuse a failed payment, a missing key and an unknown payment', async () => {
  const { payment } = await paid(RW, 'mtn_momo', number('0788 ', '06'));
  assert.equal(payment.status.state, 'failed');
  const failed = await merchant('POST', '/v1/refunds', { payment_id: payment.id }, `k-${Date.now()}`);
  assert.equal(failed.status, 409);
  assert.equal(failed.body.error.code, 'not_succeeded');
  const receipt = await merchant('GET', `/v1/payments/${payment.id}/receipt`);
  assert.equal(receipt.status, 409);
  const noKey = await merchant('POST', '/v1/refunds', { payment_id: payment.id });
  assert.equal(noKey.status, 400);
  assert.equal(noKey.body.error.field, 'Idempotency-Key');
  const unknown = await merchant('POST', '/v1/refunds', { payment_id: 'pay_nope' }, `k2-${Date.now()}`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.field, 'payment_id');
});

test('a CrissCross payment is refunded in full through the same endpoint', async () => {
  const { payment } = await paid({}, 'mpesa', number('0712 ', '01'));
  assert.equal(payment.status.state, 'succeeded');
  const r = await merchant('POST', '/v1/refunds', { payment_id: payment.id }, `cc-${Date.now()}`);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.amount, 150000, 'the whole amount by default');
  await shopEvent('refund.succeeded', r.body.id);
  const receipt = await merchant('GET', `/v1/payments/${payment.id}/receipt`);
  assert.equal(receipt.body.provider, 'crisscross');
  assert.equal(receipt.body.fee, null);
});

test('a refund through a provider without a refund API is refused saying where to refund', async () => {
  const { payment } = await paid({ amount: 5000, currency: 'GHS', country: 'GH' }, 'mtn_momo', number('0244', '01'));
  assert.equal(payment.status.state, 'succeeded');
  const r = await merchant('POST', '/v1/refunds', { payment_id: payment.id }, `xt-${Date.now()}`);
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'provider_refused');
  assert.equal(r.body.error.message, 'Xtopay offers no refund API: refund this payment from your Xtopay dashboard');
  // Refused before anything was recorded, so the merchant hears of no refund (give a
  // refund.failed event time to arrive, were one sent).
  await new Promise((r) => setTimeout(r, 1500));
  const events = await (await fetch(`${SANDBOX}/shop/api/events`)).json();
  assert.deepEqual(events.filter((e) => e.kind.startsWith('refund.') && e.payment_id === payment.id), []);
});

test('a payout to a Rwandan wallet: idempotent, polled to success, signed webhook', async () => {
  const key = `payout-${Date.now()}`;
  const body = { amount: 7000, currency: 'RWF', country: 'RW', operator: 'mtn_momo', phone: '0788 000 001', reference: 'withdrawal-7' };
  const first = await merchant('POST', '/v1/payouts', body, key);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.status, 'pending');
  assert.equal(first.body.phone_masked.endsWith('001'), true);
  const again = await merchant('POST', '/v1/payouts', body, key);
  assert.deepEqual([again.status, again.replayed, again.body.id], [201, true, first.body.id]);
  const other = await merchant('POST', '/v1/payouts', { ...body, amount: 8000 }, key);
  assert.equal(other.status, 422);
  assert.equal(other.body.error.code, 'idempotency_conflict');
  await shopEvent('payout.succeeded', first.body.id);
  assert.equal((await merchant('GET', `/v1/payouts/${first.body.id}`)).body.status, 'succeeded');
});

test('payouts to an invalid wallet or a wrong operator are refused naming the field', async () => {
  const base = { amount: 7000, currency: 'RWF', country: 'RW', operator: 'mtn_momo' };
  const noWallet = await merchant('POST', '/v1/payouts', { ...base, phone: '0750 000 001' }, `bad-${Date.now()}`);
  assert.equal(noWallet.status, 422, JSON.stringify(noWallet.body));
  assert.equal(noWallet.body.error.field, 'phone');
  const airtel = await merchant('POST', '/v1/payouts', { ...base, phone: '0730 000 001' }, `bad2-${Date.now()}`);
  assert.equal(airtel.status, 422);
  assert.equal(airtel.body.error.field, 'phone');
  assert.match(airtel.body.error.message, /this number is not a MTN MoMo wallet/);
  assert.doesNotMatch(airtel.body.error.message, /AIRTEL_RWA/, "Dollr's own wallet code stays out");
  const currency = await merchant('POST', '/v1/payouts', { ...base, currency: 'KES', phone: '0788 000 001' }, `bad3-${Date.now()}`);
  assert.equal(currency.status, 400);
  assert.equal(currency.body.error.field, 'currency');
  const kenya = await merchant('POST', '/v1/payouts', { amount: 100, currency: 'KES', country: 'KE', operator: 'mpesa', phone: '0712 000 001' }, `bad4-${Date.now()}`);
  assert.equal(kenya.status, 400);
  assert.equal(kenya.body.error.field, 'operator');
});

test('POST /v1/checkouts with an Idempotency-Key creates one checkout however often it is sent', async () => {
  const key = `co-${Date.now()}`;
  const body = { amount: 150000, currency: 'KES', country: 'KE', reference: `idem-${Date.now()}` };
  const first = await merchant('POST', '/v1/checkouts', body, key);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await merchant('POST', '/v1/checkouts', body, key);
  assert.deepEqual([again.status, again.replayed, again.body.id], [201, true, first.body.id]);
  const other = await merchant('POST', '/v1/checkouts', { ...body, amount: 1 }, key);
  assert.equal(other.status, 422);
  assert.equal(other.body.error.code, 'idempotency_conflict');
  const bad = await merchant('POST', '/v1/checkouts', { ...body, amount: 1.5 }, `${key}-bad`);
  assert.equal(bad.status, 400);
  const badAgain = await merchant('POST', '/v1/checkouts', { ...body, amount: 1.5 }, `${key}-bad`);
  assert.deepEqual([badAgain.status, badAgain.replayed], [400, true], 'a refusal is remembered too');
  const without = await merchant('POST', '/v1/checkouts', body);
  assert.equal(without.status, 201);
  assert.notEqual(without.body.id, first.body.id, 'no key, no deduplication');
});

test('POST /v1/checkouts sent five times at the same moment with one Idempotency-Key makes one checkout', async () => {
  const key = `co-race-${Date.now()}`;
  const body = { amount: 90000, currency: 'KES', country: 'KE', reference: `race-${Date.now()}` };
  const answers = await Promise.all(Array.from({ length: 5 }, () => merchant('POST', '/v1/checkouts', body, key)));
  const created = answers.filter((a) => a.status === 201);
  assert.ok(created.length >= 1, JSON.stringify(answers.map((a) => [a.status, a.body])));
  assert.equal(new Set(created.map((a) => a.body.id)).size, 1, 'every 201 names the same checkout');
  assert.equal(new Set(created.map((a) => a.body.client_secret)).size, 1, 'and gives the same client secret');
  for (const a of answers.filter((x) => x.status !== 201)) {
    assert.deepEqual([a.status, a.body.error.code], [409, 'idempotency_key_in_use'], 'the others are told to retry');
  }
  const id = created[0].body.id;
  const later = await merchant('POST', '/v1/checkouts', body, key);
  assert.deepEqual([later.status, later.replayed, later.body.id], [201, true, id]);
  const widget = await widgetCall(created[0].body, 'GET');
  assert.equal(widget.status, 200, 'the replayed client secret opens the checkout');
});
