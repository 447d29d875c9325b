// Spam protection: prompts per phone number are limited; prompts and codes per client address
// are limited apart; a number the merchant locked is shown read-only and paid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, Shop, createCheckout, widgetCall, providerRequestsFor, smsTo } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the sixth prompt to one number in ten minutes is refused before any provider call', async () => {
  const phone = '0712 987 606'; // …06: declined, so nothing is charged
  for (let i = 0; i < 5; i++) {
    const c = await createCheckout();
    const res = await widgetCall(c, 'POST', '/payments', { operator: 'mpesa', phone });
    assert.equal(res.status, 201, `prompt ${i + 1}: ${JSON.stringify(res.body)}`);
  }
  const sixth = await widgetCall(await createCheckout(), 'POST', '/payments', { operator: 'mpesa', phone });
  assert.equal(sixth.status, 429);
  assert.equal(sixth.body.error.code, 'too_many_prompts');
  assert.match(sixth.body.error.message, /Too many payment prompts for this phone number\. Try again in \d+ minute/);
  const calls = (await providerRequestsFor('+254712987606', 'crisscross')).filter((r) => r.path === '/v1/payment');
  assert.equal(calls.length, 5);
});

/** A widget call to a new checkout from a given address, as Cloudflare's edge says it (`CF-Connecting-IP`). */
async function callFrom(ip, path, body, checkout = {}) {
  return widgetCall(await createCheckout(checkout), 'POST', path, body, { 'CF-Connecting-IP': ip });
}

/**
 * The per-address bindings count in fixed minutes of the wall clock (Cloudflare's, and
 * Miniflare's here): waits, when the minute has less than `needMs` left, for the next one to
 * begin, and answers the minute the calls then fall in.
 */
async function freshMinute(needMs) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 200));
  return Math.floor(Date.now() / 60_000);
}

test('one address gets ten prompts a minute, each to a fresh number; the eleventh is refused before any provider call, and another address is not held back', async () => {
  const minute = await freshMinute(20_000);
  const ip = '198.51.100.10';
  const phone = (k) => `0713 5${String(k).padStart(2, '0')} 606`; // …06: declined, nothing charged
  for (let k = 0; k < 10; k++) {
    const res = await callFrom(ip, '/payments', { operator: 'mpesa', phone: phone(k) });
    assert.equal(res.status, 201, `prompt ${k + 1}: ${JSON.stringify(res.body)}`);
  }
  const eleventh = await callFrom(ip, '/payments', { operator: 'mpesa', phone: phone(10) });
  assert.equal(Math.floor(Date.now() / 60_000), minute, 'the eleven prompts took more than 20 s');
  assert.equal(eleventh.status, 429, JSON.stringify(eleventh.body));
  assert.equal(eleventh.body.error.code, 'too_many_prompts');
  assert.match(eleventh.body.error.message, /Too many payment prompts for this device\. Try again in 1 minute/);
  assert.deepEqual(await providerRequestsFor('+254713510606'), [], 'the refused number heard nothing');
  // Another address is not held back, and the number refused there can still be paid.
  const other = await callFrom('198.51.100.11', '/payments', { operator: 'mpesa', phone: phone(10) });
  assert.equal(other.status, 201, JSON.stringify(other.body));
});

test('one address gets five codes by SMS a minute, counted apart from its prompts; the sixth is refused and sends nothing', async () => {
  const minute = await freshMinute(20_000);
  const ip = '198.51.100.20';
  const ghana = { amount: 5000, currency: 'GHS', country: 'GH' };
  // Ghana numbers verify.test.mjs never draws (its middle digits are 100–999).
  const phone = (k) => `0247 0${String(k).padStart(2, '0')} 001`;
  for (let k = 0; k < 5; k++) {
    const res = await callFrom(ip, '/verify', { operator: 'mtn_momo', phone: phone(k) }, ghana);
    assert.equal(res.status, 200, `code ${k + 1}: ${JSON.stringify(res.body)}`);
  }
  const sixth = await callFrom(ip, '/verify', { operator: 'mtn_momo', phone: phone(5) }, ghana);
  assert.equal(Math.floor(Date.now() / 60_000), minute, 'the six codes took more than 20 s');
  assert.equal(sixth.status, 429, JSON.stringify(sixth.body));
  assert.equal(sixth.body.error.code, 'too_many_prompts');
  assert.match(sixth.body.error.message, /Too many codes for this device\. Try again in 1 minute/);
  assert.deepEqual(await smsTo('+233247005001'), [], 'no text went to the sixth number');
  // The address's prompts are counted apart: a Pay from it still goes out.
  const pay = await callFrom(ip, '/payments', { operator: 'mpesa', phone: '0713 520 606' });
  assert.equal(pay.status, 201, JSON.stringify(pay.body));
});

test('a locked number is shown read-only and paid', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open('?phone=0712%20456%20001');
  const phone = shop.widget.getByRole('textbox', { name: 'Mobile money number' });
  assert.equal(await phone.inputValue(), '0712456001');
  assert.equal(await phone.getAttribute('readonly'), '');
  await shop.widget.getByText('Number given by the shop').waitFor();
  await shop.widget.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});
