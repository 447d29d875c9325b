// HoneyCoin through the widget: routing, the OTP step, the redirect step, webhook security.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openPage, Shop, EDGE, createCheckout, widgetCall, providerRequestsFor,
  smsCodeFor, unexpected, handsetPrompt,
} from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const UGANDA = ['?country=UG', 'MTN MoMo'];

async function ugandaShop(page) {
  return new Shop(page).open(...UGANDA);
}

test('OTP number: the code screen, the right code, success', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await ugandaShop(page);
  await shop.pay('0712 000 020', 'MTN MoMo', 'UGX 5,000');
  await shop.heading('Enter the code sent to +256 ••• ••• 020').waitFor({ timeout: 15000 });
  const input = shop.widget.getByRole('textbox', { name: 'One-time code' });
  assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await input.getAttribute('inputmode'), 'numeric');

  await input.fill('12ab');
  await shop.widget.getByRole('button', { name: 'Confirm code' }).click();
  await shop.widget.getByRole('alert').getByText('The code is 4 to 8 digits').waitFor();
  assert.equal((await providerRequestsFor('+256712000020', 'honeycoin')).filter((r) => r.path.endsWith('validate-otp')).length, 0);

  await input.fill(await smsCodeFor('+256712000020'));
  await shop.widget.getByRole('button', { name: 'Confirm code' }).click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await shop.widget.getByText('UGX 5,000 paid with MTN MoMo from +256 ••• ••• 020.').waitFor();
  await shop.webhooks().filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'signature verified' }).first().waitFor({ timeout: 15000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('OTP: a wrong code says so and the right one still succeeds', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await ugandaShop(page);
  await shop.pay('0712 111 020', 'MTN MoMo', 'UGX 5,000');
  await shop.heading('Enter the code sent to +256 ••• ••• 020').waitFor({ timeout: 15000 });
  const input = shop.widget.getByRole('textbox', { name: 'One-time code' });
  await input.fill('1234');
  await shop.widget.getByRole('button', { name: 'Confirm code' }).click();
  await shop.widget.getByRole('alert').getByText('That code is not right. 2 attempts left.').waitFor();
  await input.fill(await smsCodeFor('+256712111020'));
  await shop.widget.getByRole('button', { name: 'Confirm code' }).click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.deepEqual(unexpected(errors, ['/otp', 422]), []);
  await context.close();
});

test('OTP: three wrong codes end the payment, and "Try again" starts a new one', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await ugandaShop(page);
  await shop.pay('0712 222 020', 'MTN MoMo', 'UGX 5,000');
  await shop.heading('Enter the code sent to +256 ••• ••• 020').waitFor({ timeout: 15000 });
  const input = shop.widget.getByRole('textbox', { name: 'One-time code' });
  for (const left of ['2 attempts left.', '1 attempt left.']) {
    await input.fill('1234');
    await shop.widget.getByRole('button', { name: 'Confirm code' }).click();
    await shop.widget.getByRole('alert').getByText(left).waitFor();
  }
  await input.fill('1234');
  await shop.widget.getByRole('button', { name: 'Confirm code' }).click();
  await shop.heading('Payment failed').waitFor({ timeout: 15000 });
  await shop.widget.getByRole('button', { name: 'Try again' }).click();
  await shop.widget.getByRole('radio', { name: 'MTN MoMo' }).waitFor();
  assert.equal((await providerRequestsFor('+256712222020', 'honeycoin')).filter((r) => r.path.endsWith('validate-otp')).length, 3);
  assert.deepEqual(unexpected(errors, ['/otp', 422]), []);
  await context.close();
});

test('redirect number: finish on the operator page opened from the click, then success', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await ugandaShop(page);
  await shop.pay('0712 000 021', 'MTN MoMo', 'UGX 5,000');
  await shop.heading('Finish on the MTN MoMo page').waitFor({ timeout: 15000 });
  const [operatorPage] = await Promise.all([
    context.waitForEvent('page'),
    shop.widget.getByRole('link', { name: 'Continue to MTN MoMo' }).click(),
  ]);
  await operatorPage.getByRole('button', { name: 'Approve payment' }).click();
  await operatorPage.getByRole('status').getByText('Payment approved').waitFor();
  await operatorPage.close();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('routing: Kenyan Airtel goes to HoneyCoin, Kenyan M-Pesa to CrissCross', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  await shop.widget.getByRole('radio', { name: 'Airtel Money' }).waitFor();
  await shop.pay('0733 000 001', 'Airtel Money');
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.ok((await providerRequestsFor('+254733000001', 'honeycoin')).length > 0);
  assert.equal((await providerRequestsFor('+254733000001', 'crisscross')).length, 0);

  const other = await createCheckout();
  const started = await widgetCall(other, 'POST', '/payments', { operator: 'mpesa', phone: '0733 000 101' });
  assert.equal(started.status, 201);
  assert.ok((await providerRequestsFor('+254733000101', 'crisscross')).length > 0);
  assert.equal((await providerRequestsFor('+254733000101', 'honeycoin')).length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('OTP bad input at the edge: format, and a payment not waiting for a code', async () => {
  const c = await createCheckout({ amount: 5000, currency: 'UGX', country: 'UG' });
  const view = await widgetCall(c, 'GET');
  assert.deepEqual(view.body.operators.map((o) => o.id), ['mtn_momo', 'airtel_money']);
  const none = await widgetCall(c, 'POST', '/otp', { otp: '123456' });
  assert.equal(none.status, 409);
  assert.equal(none.body.error.code, 'not_awaiting_otp');
  for (const otp of ['12ab34', '123', '123456789']) {
    const bad = await widgetCall(c, 'POST', '/otp', { otp });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'otp');
  }
  const started = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: '0712 333 444' });
  assert.equal(started.status, 201);
  const pending = await widgetCall(c, 'POST', '/otp', { otp: '123456' });
  assert.equal(pending.status, 409, 'a payment waiting on the handset takes no code');
});

test('a HoneyCoin webhook with a wrong secret is refused and changes nothing', async () => {
  const c = await createCheckout({ amount: 5000, currency: 'UGX', country: 'UG' });
  const started = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone: '0712 444 555' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const prompt = await handsetPrompt('+256712444555');
  const forged = JSON.stringify({
    event: 'transaction_updated',
    data: { transactionId: prompt.transaction_id, status: 'successful', type: 'deposit', externalReference: started.body.id },
    timestamp: new Date().toISOString(),
  });
  for (const headers of [{}, { 'X-Webhook-Signature': 'guess' }]) {
    const res = await fetch(`${EDGE}/webhooks/honeycoin`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: forged });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'invalid_signature');
  }
  assert.equal((await widgetCall(c, 'GET')).body.payment.status.state, 'pending');
  // With the right secret the webhook is still only a hint: HoneyCoin says pending.
  const hinted = await fetch(`${EDGE}/webhooks/honeycoin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Webhook-Signature': process.env.HONEYCOIN_WEBHOOK_SECRET },
    body: forged,
  });
  assert.equal(hinted.status, 200);
  assert.equal((await widgetCall(c, 'GET')).body.payment.status.state, 'pending');
});

test('a HoneyCoin webhook naming one checkout\'s payment and another\'s transaction goes to the transaction\'s owner; a payment id naming no checkout falls back to the index', async () => {
  // A payment id carries its checkout (the edge's first, strict try goes there with no D1
  // read: the bench counts the reads). Whichever way a webhook is routed, it must reach the
  // checkout that holds its transaction.
  const pay = async (phone) => {
    const c = await createCheckout({ amount: 5000, currency: 'UGX', country: 'UG' });
    const started = await widgetCall(c, 'POST', '/payments', { operator: 'mtn_momo', phone });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    // Not in the sandbox's table: the prompt waits on the handset, so the payment stays pending.
    const prompt = await handsetPrompt(`+256${phone.replaceAll(' ', '').slice(1)}`);
    return { checkout: c, paymentId: started.body.id, transactionId: prompt.transaction_id };
  };
  const a = await pay('0712 445 551');
  const b = await pay('0712 445 552');
  // Lipa's payment id carries its checkout's: `pay_` + the checkout's 24 characters + 8.
  assert.equal(a.paymentId.slice(4, 28), a.checkout.id.slice(3), a.paymentId);
  // Each hint has an event id of its own (the sandbox's own webhooks about these transactions
  // are told apart from them), sent twice to see which checkout remembers it.
  const run = Date.now();
  const hint = async (eventId, transactionId, externalReference, status = 'pending') => {
    const res = await fetch(`${EDGE}/webhooks/honeycoin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Signature': process.env.HONEYCOIN_WEBHOOK_SECRET },
      body: JSON.stringify({
        eventId: `${eventId}-${run}`,
        event: 'transaction_updated',
        data: { transactionId, status, type: 'deposit', externalReference },
        timestamp: new Date().toISOString(),
      }),
    });
    return { status: res.status, body: await res.json() };
  };
  // A's payment id, but B's transaction (which A's payment does not hold): B has the event
  // (a duplicate when it comes again with B's own payment id), A never took it.
  assert.deepEqual(await hint('crossed', b.transactionId, a.paymentId), { status: 200, body: { received: true } });
  assert.deepEqual(await hint('crossed', b.transactionId, b.paymentId), { status: 200, body: { received: true, duplicate: true } });
  assert.deepEqual(await hint('crossed', a.transactionId, a.paymentId), { status: 200, body: { received: true } }, 'new to A');
  // A payment id carrying a checkout that does not exist: the index, by the transaction.
  const stranger = `pay_${'a'.repeat(32)}`;
  assert.deepEqual(await hint('stranger', a.transactionId, stranger), { status: 200, body: { received: true } });
  assert.deepEqual(await hint('stranger', a.transactionId, a.paymentId), { status: 200, body: { received: true, duplicate: true } });
  // A webhook that claims success is a hint only: HoneyCoin's status read says pending.
  assert.deepEqual(await hint('claimed', a.transactionId, a.paymentId, 'successful'), { status: 200, body: { received: true } });
  // Nobody's transaction, nobody's payment: refused.
  assert.equal((await hint('nobody', 'tx-nobody-knows', stranger)).status, 404);
  for (const { checkout } of [a, b]) {
    assert.equal((await widgetCall(checkout, 'GET')).body.payment.status.state, 'pending', 'confirmed with HoneyCoin: still pending');
  }
});
