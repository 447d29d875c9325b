// The merchant and widget APIs refuse bad input with a JSON error naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  EDGE, MERCHANT_KEY, CRISSCROSS_WEBHOOK_SECRET, createCheckout, widgetCall, handsetPrompt,
} from './support.mjs';

async function create(body, key = MERCHANT_KEY) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(`${EDGE}/v1/checkouts`, {
    method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const valid = { amount: 150000, currency: 'KES', country: 'KE', reference: 'order-1' };

test('creating a checkout returns its id, client secret and pay URL', async () => {
  const { status, body } = await create(valid);
  assert.equal(status, 201);
  assert.match(body.id, /^co_[a-z2-9]{24}$/);
  assert.ok(body.client_secret.startsWith(`${body.id}_secret_`));
  // The hosted page's own link: its link token, never the client secret (README, pay_url).
  assert.match(body.pay_url, new RegExp(`^${EDGE}/pay/${body.id}\\?t=lk_[a-z2-9]{32}$`));
  assert.ok(!body.pay_url.includes(body.client_secret));
  assert.ok(body.expires_at_ms > Date.now(), 'a checkout expires, by default a day later');
});

test('bad checkout bodies are refused with code and field', async () => {
  const cases = [
    ['{"amount":', 'invalid_json', null],
    [{ ...valid, amount: 0 }, 'invalid_field', 'amount'],
    [{ ...valid, amount: -100 }, 'invalid_field', 'amount'],
    [{ ...valid, amount: 1500.5 }, 'invalid_field', 'amount'],
    [{ ...valid, amount: undefined }, 'missing_field', 'amount'],
    [{ ...valid, currency: 'USD' }, 'invalid_field', 'currency'],
    [{ ...valid, currency: 'UGX' }, 'invalid_field', 'currency'],
    [{ ...valid, country: 'US' }, 'invalid_field', 'country'],
    [{ ...valid, reference: 'has spaces' }, 'invalid_field', 'reference'],
    [{ ...valid, customer_phone: '+256700000001' }, 'invalid_field', 'customer_phone'],
    [{ ...valid, colour: 'red' }, 'invalid_field', 'colour'],
  ];
  for (const [body, code, field] of cases) {
    const res = await create(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.code, code, JSON.stringify(body));
    assert.equal(res.body.error.field, field, JSON.stringify(body));
    assert.ok(res.body.error.message.length > 10);
  }
});

test('a wrong or missing secret key is 401', async () => {
  for (const key of [null, 'sk_test_wrong']) {
    const res = await create(valid, key);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'unauthorized');
  }
});

test('during a key rotation the current and the next secret key both work', async () => {
  const next = process.env.MERCHANT_SECRET_KEY_NEXT;
  assert.ok(next && next !== MERCHANT_KEY, 'cargo xtask test runs the edge mid-rotation');
  for (const key of [MERCHANT_KEY, next]) {
    const res = await create({ ...valid, reference: `rotation-${Date.now()}` }, key);
    assert.equal(res.status, 201, key === next ? 'the next key' : 'the current key');
  }
  const half = await create(valid, next.slice(0, -1));
  assert.equal(half.status, 401, 'a prefix of a key is no key');
});

test('/health lists each provider\'s webhook URL for this deployment, and no secret', async () => {
  const res = await fetch(`${EDGE}/health`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const health = JSON.parse(text);
  assert.equal(health.status, 'ok');
  assert.deepEqual(health.providers, ['crisscross', 'honeycoin', 'xtopay', 'little', 'dollr']);
  assert.deepEqual(
    health.webhooks.map((w) => [w.brand, w.url]),
    [
      ['CrissCross', `${EDGE}/webhooks/crisscross`],
      ['HoneyCoin', `${EDGE}/webhooks/honeycoin`],
      ['Xtopay', `${EDGE}/webhooks/xtopay`],
      ['Little Pay', `${EDGE}/webhooks/little`],
    ],
    'Dollr sends none',
  );
  assert.equal(health.webhooks[3].callback_url, `${EDGE}/webhooks/little`);
  for (const secret of [MERCHANT_KEY, process.env.MERCHANT_SECRET_KEY_NEXT,
    process.env.MERCHANT_WEBHOOK_SECRET, CRISSCROSS_WEBHOOK_SECRET]) {
    assert.ok(!text.includes(secret));
  }
});

test('the widget API needs the checkout\'s own client secret', async () => {
  const a = await createCheckout();
  const b = await createCheckout();
  assert.equal((await widgetCall(a, 'GET')).status, 200);
  const crossed = await widgetCall({ id: a.id, client_secret: b.client_secret }, 'GET');
  assert.equal(crossed.status, 404);
  assert.equal(crossed.body.error.code, 'not_found');
  const unknown = await widgetCall({ id: 'co_aaaaaaaaaaaaaaaaaaaaaaaa', client_secret: a.client_secret }, 'GET');
  assert.equal(unknown.status, 404);
  const garbage = await widgetCall({ id: '../../v1', client_secret: a.client_secret }, 'GET');
  assert.equal(garbage.status, 404);
});

test('bad payment bodies are refused before any provider call', async () => {
  const c = await createCheckout();
  const cases = [
    [{ operator: 'wave', phone: '0712000001' }, 'operator'],
    [{ operator: 'mpesa', phone: '0712 000' }, 'phone'],
    [{ operator: 'mpesa', phone: '+256712000001' }, 'phone'],
    [{ operator: 'mpesa', phone: '0712000001', extra: 1 }, 'extra'],
  ];
  for (const [body, field] of cases) {
    const res = await widgetCall(c, 'POST', '/payments', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.field, field);
  }
  assert.equal((await widgetCall(c, 'GET')).body.payment, null);
});

test('unknown routes and methods answer JSON', async () => {
  const res = await fetch(`${EDGE}/v1/nothing`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, 'not_found');
  const wrong = await fetch(`${EDGE}/v1/checkouts`, { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal((await wrong.json()).error.code, 'method_not_allowed');
});

test('the widget page is embeddable and carries a strict CSP', async () => {
  const c = await createCheckout();
  const res = await fetch(`${EDGE}/pay/${c.id}`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors \*/);
  assert.ok(!(await res.text()).includes(c.client_secret));
});

test('oversized, truncated and forged provider webhooks are refused and change nothing', async () => {
  const c = await createCheckout();
  const huge = JSON.stringify({ eventId: 'evt_huge', padding: 'x'.repeat(70 * 1024) });
  const tooBig = await fetch(`${EDGE}/webhooks/crisscross`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: huge });
  assert.equal(tooBig.status, 413);
  assert.equal((await tooBig.json()).error.code, 'payload_too_large');
  const body = JSON.stringify({ eventId: 'evt_t', type: 'transaction.completed', transactionId: 'tx_t', status: 'COMPLETED' });
  const signature = createHmac('sha256', CRISSCROSS_WEBHOOK_SECRET).update(body).digest('hex');
  const truncated = await fetch(`${EDGE}/webhooks/crisscross`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CrissCross-Signature': signature }, body: body.slice(0, -10),
  });
  assert.equal(truncated.status, 401);
  assert.equal((await truncated.json()).error.code, 'invalid_signature');
  const forgedDollr = await fetch(`${EDGE}/webhooks/dollr`, { method: 'POST', body });
  assert.equal(forgedDollr.status, 404, 'Dollr sends no webhooks, so none is believed');
  assert.equal((await widgetCall(c, 'GET')).body.payment, null, 'the checkout is untouched');
});

test('a CrissCross webhook goes to the checkout it names, and by its transaction to another when that one has no such payment', async () => {
  const named = await createCheckout({ reference: `hint-named-${Date.now()}` });
  const paying = await createCheckout({ reference: `hint-paying-${Date.now()}` });
  const started = await widgetCall(paying, 'POST', '/payments', { operator: 'mpesa', phone: '0712 432 678' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  // Not in the sandbox's table: the prompt waits on the handset, so the payment stays pending.
  const tx = await handsetPrompt('+254712432678');
  let serial = 0;
  const hint = async (checkout, transactionId, eventId = `hint-${tx.transaction_id}-${serial += 1}`) => {
    const body = JSON.stringify({
      eventId, type: 'transaction.updated', transactionId,
      merchantReference: checkout.id.replace('_', ''), status: 'PENDING',
    });
    const res = await fetch(`${EDGE}/webhooks/crisscross`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CrissCross-Signature': createHmac('sha256', CRISSCROSS_WEBHOOK_SECRET).update(body).digest('hex') },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
  const direct = await hint(paying, 'tx-lipa-never-learnt');
  assert.equal(direct.status, 200, `its own checkout's live payment: ${JSON.stringify(direct.body)}`);
  const crossed = await hint(named, tx.transaction_id);
  assert.equal(crossed.status, 200, `found by its transaction: ${JSON.stringify(crossed.body)}`);
  const nowhere = await hint(named, 'tx-nobody-knows');
  assert.equal(nowhere.status, 404, JSON.stringify(nowhere.body));
  assert.equal((await widgetCall(paying, 'GET')).body.payment.status.state, 'pending', 'confirmed with CrissCross: still pending');
  assert.equal((await widgetCall(named, 'GET')).body.payment, null, 'the named checkout is untouched');
  // The named checkout has a live payment of its own: the other checkout's transaction still
  // goes to the other checkout, which then knows the event (a duplicate when sent to it again).
  const own = await widgetCall(named, 'POST', '/payments', { operator: 'mpesa', phone: '0712 433 678' });
  assert.equal(own.status, 201, JSON.stringify(own.body));
  await handsetPrompt('+254712433678');
  const eventId = `hint-crossed-${tx.transaction_id}`;
  const crossedAgain = await hint(named, tx.transaction_id, eventId);
  assert.equal(crossedAgain.status, 200, JSON.stringify(crossedAgain.body));
  const atItsOwner = await hint(paying, tx.transaction_id, eventId);
  assert.deepEqual(atItsOwner.body, { received: true, duplicate: true }, 'the checkout whose transaction it is had it');
});
