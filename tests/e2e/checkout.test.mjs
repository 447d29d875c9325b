// A customer pays on the demo shop, in headless Chromium, through edge and sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  launch, openPage, Shop, EDGE, SANDBOX, CRISSCROSS_WEBHOOK_SECRET, createCheckout, widgetCall,
  providerRequestsFor, eventually, eventsOfCheckout,
} from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('approve number: pending screen, success, onSuccess once, verified merchant webhook', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open('?integration=js');
  await shop.pay('0712 000 001');

  await shop.heading('Check your phone').waitFor();
  await shop.widget
    .getByText("We've sent an M-Pesa prompt to +254 ••• ••• 001. Enter your PIN to approve.")
    .waitFor();
  await shop.widget.getByRole('button', { name: 'Cancel' }).waitFor();

  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await shop.widget.getByText('KES 1,500.00 paid with M-Pesa from +254 ••• ••• 001.').waitFor();

  await page.getByRole('status').getByText('Thank you! Your payment was received.').waitFor();
  const verified = shop.webhooks().filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'signature verified' });
  await verified.first().waitFor({ timeout: 15000 });

  // Give a duplicate a chance to arrive, then count: one success callback, one event.
  await page.waitForTimeout(2500);
  assert.equal(await shop.callbacks().filter({ hasText: 'onSuccess' }).count(), 1);
  assert.equal(await shop.webhooks().count(), 1);

  await shop.widget.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('dialog', { name: 'Pay with mobile money' }).waitFor({ state: 'detached' });
  assert.equal(await shop.callbacks().filter({ hasText: 'onClose' }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('decline number: the reason in plain words, then "Try again" succeeds on the same checkout', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  const checkoutId = await shop.checkoutId();
  await shop.pay('0712 000 006');

  await shop.heading('Payment failed').waitFor({ timeout: 20000 });
  await shop.widget.getByText('There is not enough money in this mobile money account.').waitFor();
  await shop.widget.getByRole('button', { name: 'Try again' }).click();

  await shop.pay('0712 000 001');
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.equal(await shop.checkoutId(), checkoutId);

  const kinds = async () => (await shop.webhooks().allTextContents()).map((t) => t.split(' · ')[0]).sort();
  await eventually(async () => assert.deepEqual(await kinds(), ['payment.failed', 'payment.succeeded']));
  assert.equal(await shop.callbacks().filter({ hasText: 'onFailure' }).count(), 1);
  assert.equal(await shop.callbacks().filter({ hasText: 'onSuccess' }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('invalid phone: inline error, no provider call', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  await shop.pay('0512 000 001');
  const phone = shop.widget.getByRole('textbox', { name: 'Mobile money number' });
  await shop.widget
    .getByRole('alert')
    .getByText('This is not a Kenya mobile number: after +254 it should start with 7 or 1.')
    .waitFor();
  assert.equal(await phone.getAttribute('aria-invalid'), 'true');
  await shop.pay('0712 00');
  await shop.widget.getByRole('alert').getByText('A Kenya mobile number has 9 digits').waitFor();
  assert.equal(await shop.heading('Check your phone').count(), 0);
  assert.deepEqual(await providerRequestsFor('+254512000001'), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the edge refuses an invalid phone even when the widget is bypassed', async () => {
  const checkout = await createCheckout();
  const res = await widgetCall(checkout, 'POST', '/payments', { operator: 'mpesa', phone: '0512 000 002' });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'invalid_field');
  assert.equal(res.body.error.field, 'phone');
  assert.deepEqual(await providerRequestsFor('+254512000002'), []);
  const view = await widgetCall(checkout, 'GET');
  assert.equal(view.body.payment, null);
});

test('a second payment while one is live gets the 409 message; reopening resumes the pending screen', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  await shop.pay('0712 345 678'); // not in the table: waits for the handset
  await shop.heading('Check your phone').waitFor();

  const checkout = {
    id: await shop.checkoutId(),
    client_secret: await page.locator('script[data-checkout]').getAttribute('data-client-secret'),
  };
  // A number no other test uses, so the provider log for it is this test's alone.
  const second = await widgetCall(checkout, 'POST', '/payments', { operator: 'mpesa', phone: '0712 430 501' });
  assert.equal(second.status, 409);
  assert.equal(second.body.error.code, 'payment_in_progress');
  assert.match(second.body.error.message, /already waiting for approval on \+254 ••• ••• 678/);
  assert.deepEqual(await providerRequestsFor('+254712430501'), []);

  // A second tab on the same checkout shows the live payment, not a new form.
  const other = await context.newPage();
  await other.goto(`${EDGE}/pay/${checkout.id}#cs=${encodeURIComponent(checkout.client_secret)}`);
  await other.getByRole('heading', { name: 'Check your phone' }).waitFor();

  // A person approves on the handset page; both screens end in success.
  const handset = await context.newPage();
  await handset.goto(`${SANDBOX}/handset`);
  await handset.getByRole('button', { name: 'Approve payment from +254712345678' }).click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  await other.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the answer to Pay is lost on the way back: the widget follows the payment that started, no second one', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  // The request reaches the edge and the payment starts; the connection drops before the answer.
  await page.route('**/api/checkouts/*/payments', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  });
  await shop.pay('0712 345 679'); // not in the table: waits for the handset
  await shop.heading('Check your phone').waitFor();
  await shop.widget.getByText("We've sent an M-Pesa prompt to +254 ••• ••• 679. Enter your PIN to approve.").waitFor();

  const handset = await context.newPage();
  await handset.goto(`${SANDBOX}/handset`);
  await handset.getByRole('button', { name: 'Approve payment from +254712345679' }).click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  const charges = await (await fetch(`${SANDBOX}/_sandbox/charges?phone=${encodeURIComponent('+254712345679')}`)).json();
  assert.equal(charges.charges, 1);
  assert.equal((await providerRequestsFor('+254712345679')).filter((r) => r.method === 'POST' && r.path === '/v1/payment').length, 1);
  // The browser reports the dropped connection it was made to see; nothing else went wrong.
  assert.deepEqual(errors.filter((e) => !(e.includes('/payments') && e.includes('net::ERR_CONNECTION_RESET'))), []);
  await context.close();
});

test('a provider webhook with a bad signature is refused and changes nothing', async () => {
  const checkout = await createCheckout();
  const started = await widgetCall(checkout, 'POST', '/payments', { operator: 'mpesa', phone: '0712 345 111' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  assert.equal(started.body.status.state, 'pending');
  const prompts = await (await fetch(`${SANDBOX}/handset/api/prompts`)).json();
  const tx = prompts.find((p) => p.payer === '+254712345111');
  assert.ok(tx, 'the sandbox has the live transaction');

  const forged = JSON.stringify({
    eventId: 'forged-1', type: 'transaction.completed', transactionId: tx.transaction_id, status: 'COMPLETED',
  });
  const send = (headers) => fetch(`${EDGE}/webhooks/crisscross`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: forged,
  });
  for (const headers of [
    {},
    { 'X-CrissCross-Signature': 'deadbeef' },
    { 'X-CrissCross-Signature': createHmac('sha256', 'not-the-secret').update(forged).digest('hex') },
  ]) {
    const res = await send(headers);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'invalid_signature');
  }
  const view = await widgetCall(checkout, 'GET');
  assert.equal(view.body.payment.status.state, 'pending');

  // The same body, correctly signed, is accepted as a hint; the edge confirms with the
  // provider, which still says pending, so the state stays pending.
  const good = await send({ 'X-CrissCross-Signature': createHmac('sha256', CRISSCROSS_WEBHOOK_SECRET).update(forged).digest('hex') });
  assert.equal(good.status, 200);
  assert.equal((await widgetCall(checkout, 'GET')).body.payment.status.state, 'pending');
});

test('no checkout is held hostage: after the approval window the customer uses another number, and a late approval of the first still reaches the merchant, naming the second', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  const checkoutId = await shop.checkoutId();
  await shop.pay('0712 430 678'); // not in the table: the prompt waits on the handset
  await shop.heading('Check your phone').waitFor();
  // The tests' approval window is 10 s; the button appears when it ends.
  await shop.widget.getByRole('button', { name: 'Use another number' }).click({ timeout: 20000 });
  await shop.pay('0712 430 001');
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });

  const handset = await context.newPage();
  await handset.goto(`${SANDBOX}/handset`);
  await handset.getByRole('button', { name: 'Approve payment from +254712430678' }).click();
  const events = await eventually(async () => {
    const mine = await eventsOfCheckout(checkoutId);
    if (mine.length < 2) throw new Error(`${mine.length} events so far`);
    return mine;
  }, { timeout: 30000 });
  assert.deepEqual(events.map((e) => e.type), ['payment.succeeded', 'payment.succeeded']);
  const [second, late] = events;
  assert.equal(second.data.phone_masked, '+254 ••• ••• 001');
  assert.equal(second.data.other_succeeded_payment_id, undefined);
  assert.equal(late.data.phone_masked, '+254 ••• ••• 678');
  assert.equal(late.data.other_succeeded_payment_id, second.data.payment_id);
  assert.equal(await shop.callbacks().filter({ hasText: 'onSuccess' }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('CrissCross ends the session before its time: the Pay after the 410 goes out on a renewed session and charges once', async () => {
  const checkout = await createCheckout();
  await widgetCall(checkout, 'GET'); // opens the session
  const reference = checkout.id.replace(/[^A-Za-z0-9]/g, '');
  const ended = await (await fetch(`${SANDBOX}/_sandbox/crisscross/expire-sessions?reference=${reference}`, { method: 'POST' })).json();
  assert.equal(ended.expired, 1);
  const started = await widgetCall(checkout, 'POST', '/payments', { operator: 'mpesa', phone: '0712 440 001' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  assert.equal(started.body.status.state, 'pending');
  const final = await eventually(async () => {
    const { body } = await widgetCall(checkout, 'GET');
    assert.equal(body.payment.status.state, 'succeeded');
    return body.payment;
  }, { timeout: 20000 });
  assert.equal(final.id, started.body.id);
  const charges = await (await fetch(`${SANDBOX}/_sandbox/charges?phone=${encodeURIComponent('+254712440001')}`)).json();
  assert.equal(charges.charges, 1);
});
