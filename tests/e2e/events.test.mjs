// Merchant webhooks: every event and delivery attempt is listed, a failing merchant endpoint
// is retried with backoff, and an event can be sent again on request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EDGE, SANDBOX, MERCHANT_KEY, createCheckout, widgetCall, eventually } from './support.mjs';

async function merchant(method, path) {
  const res = await fetch(`${EDGE}${path}`, { method, headers: { Authorization: `Bearer ${MERCHANT_KEY}` } });
  return { status: res.status, body: await res.json() };
}

async function paidCheckout(phone) {
  const c = await createCheckout({ reference: `ev-${Date.now()}` });
  await widgetCall(c, 'GET');
  const started = await widgetCall(c, 'POST', '/payments', { operator: 'mpesa', phone });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  return { checkout: c, payment: started.body };
}

async function eventFor(paymentId, kind) {
  return eventually(async () => {
    const { body } = await merchant('GET', '/v1/events?limit=100');
    const e = body.events.find((x) => x.type === kind && x.data.payment_id === paymentId);
    if (!e) throw new Error('not listed yet');
    return e;
  }, { timeout: 20000 });
}

test('a refused delivery is retried with backoff, and every attempt is in the log', async () => {
  const failing = await fetch(`${SANDBOX}/_sandbox/shop/fail-next`, { method: 'POST', body: '1' });
  assert.equal(failing.status, 200);
  const { payment } = await paidCheckout('0712 500 001');
  const listed = await eventFor(payment.id, 'payment.succeeded');
  const detail = await eventually(async () => {
    const { body } = await merchant('GET', `/v1/events/${listed.id}`);
    if (body.deliveries.length < 2) throw new Error(`only ${body.deliveries.length} attempt(s)`);
    return body;
  }, { timeout: 30000, interval: 1000 });
  assert.deepEqual(detail.deliveries.map((d) => d.status), [503, 200]);
  const gap = detail.deliveries[1].at_ms - detail.deliveries[0].at_ms;
  assert.ok(gap >= 7000 && gap <= 15000, `the first retry waits 10 s ± 20%, not ${gap} ms`);
  assert.ok(detail.deliveries.every((d) => d.latency_ms >= 0));
  assert.equal(typeof detail.delivered_at_ms, 'number');
});

test('an event can be sent again on request, with the same id', async () => {
  const { payment } = await paidCheckout('0712 500 101');
  const listed = await eventFor(payment.id, 'payment.succeeded');
  await eventually(async () => {
    const { body } = await merchant('GET', `/v1/events/${listed.id}`);
    if (!body.delivered_at_ms) throw new Error('not delivered yet');
  });
  const resent = await merchant('POST', `/v1/events/${listed.id}/resend`);
  assert.equal(resent.status, 200, JSON.stringify(resent.body));
  assert.deepEqual(resent.body, { id: listed.id, resent: true, delivered: true });
  const { body } = await merchant('GET', `/v1/events/${listed.id}`);
  assert.equal(body.deliveries.length, 2);
  assert.equal(body.data.payment_id, payment.id);
  const missing = await merchant('POST', '/v1/events/evt_nope/resend');
  assert.equal(missing.status, 404);
  const badLimit = await merchant('GET', '/v1/events?limit=0');
  assert.equal(badLimit.status, 400);
  assert.equal(badLimit.body.error.field, 'limit');
});
