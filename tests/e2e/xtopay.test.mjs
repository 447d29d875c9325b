// Xtopay through the widget (Ghana): approve, decline with the provider's reason, the
// no-callback case settled by the mandatory status check, callback signatures. Xtopay's routes
// verify a guest's number by SMS code first (tests/e2e/verify.test.mjs covers the rules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  launch, openPage, Shop, EDGE, SANDBOX, createCheckout, widgetCall, providerRequestsFor, verifyGuest,
} from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const GHANA = ['?country=GH', 'MTN MoMo'];

test('Ghana offers MTN MoMo, Telecel Cash and AT Money; approve succeeds through Xtopay', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...GHANA);
  const names = await shop.widget.getByRole('radio').evaluateAll((els) => els.map((e) => e.closest('label').textContent.trim()));
  assert.deepEqual(names.map((n) => n.replace(/^[A-Z]{1,2}/, '')), ['MTN MoMo', 'Telecel Cash', 'AT Money']);
  const since = Date.now();
  await shop.pay('024 000 0001', 'Telecel Cash', 'GHS 50.00');
  await shop.confirmNumber('+233240000001', since);
  await shop.heading('Check your phone').waitFor();
  await shop.widget.getByText("We've sent a Telecel Cash prompt to").waitFor();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await shop.webhooks().filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'signature verified' }).first().waitFor({ timeout: 15000 });
  assert.ok((await providerRequestsFor('+233240000001', 'xtopay')).some((r) => r.path === '/v1/payments/receive'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('decline: the provider\'s reason in plain words', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...GHANA);
  const since = Date.now();
  await shop.pay('024 000 0006', 'MTN MoMo', 'GHS 50.00');
  await shop.confirmNumber('+233240000006', since);
  await shop.heading('Payment failed').waitFor({ timeout: 20000 });
  await shop.widget.getByText('There is not enough money in this mobile money account.').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('no callback (…30): the status check after the configured window finds the payment', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open(...GHANA);
  const started = Date.now();
  await shop.pay('024 000 0030', 'MTN MoMo', 'GHS 50.00');
  await shop.confirmNumber('+233240000030', started);
  await shop.heading('Check your phone').waitFor();
  await shop.heading('Payment successful').waitFor({ timeout: 30000 });
  // Xtopay was asked by client reference, and not before the window (6 s in tests).
  const checks = (await providerRequestsFor('+233240000030', 'xtopay')).filter((r) => r.method === 'GET');
  assert.ok(checks.length >= 1, 'a status check happened');
  assert.ok(checks[0].at_ms - started >= 5000, `first check ${checks[0].at_ms - started} ms after start`);
  await shop.webhooks().filter({ hasText: 'payment.succeeded' }).first().waitFor({ timeout: 15000 });
  const charges = await (await fetch(`${SANDBOX}/_sandbox/charges?phone=%2B233240000030`)).json();
  assert.equal(charges.charges, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Xtopay callbacks: forged or unsigned are refused; a signed failure is recorded', async () => {
  const c = await createCheckout({ amount: 5000, currency: 'GHS', country: 'GH' });
  await verifyGuest(c, 'mtn_momo', '024 555 1234', '+233245551234');
  const started = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: '024 555 1234' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const paymentId = started.body.id;
  const body = JSON.stringify({
    ResponseCode: '2001', Message: 'failed',
    Data: { Amount: 5000, Charges: 100, AmountAfterCharges: 5000, Description: 'FAILED: User entered wrong PIN',
      ClientReference: paymentId, TransactionId: 'abc123' },
  });
  const post = (headers) => fetch(`${EDGE}/webhooks/xtopay`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  for (const headers of [{}, { 'x-xtopay-signature': 'sha256=00' }, { 'x-xtopay-signature': `sha256=${createHmac('sha256', 'guess').update(body).digest('hex')}` }]) {
    const res = await post(headers);
    assert.equal(res.status, 401);
  }
  assert.equal((await widgetCall(c, 'GET')).body.payment.status.state, 'pending');
  const signed = { 'x-xtopay-signature': `sha256=${createHmac('sha256', process.env.XTOPAY_WEBHOOK_SECRET).update(body).digest('hex')}`, 'x-xtopay-event-id': 'evt_test_1' };
  assert.equal((await post(signed)).status, 200);
  const after = (await widgetCall(c, 'GET')).body.payment.status;
  assert.deepEqual(after, { state: 'failed', reason: 'wrong_pin', retryable: true });
  // The same event again changes nothing.
  const again = await post(signed);
  assert.equal(again.status, 200);
  assert.equal((await again.json()).duplicate, true);
});
