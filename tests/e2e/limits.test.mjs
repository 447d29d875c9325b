// Spam protection: prompts per phone number are limited; a number the merchant locked is
// shown read-only and paid without the per-phone limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, Shop, createCheckout, widgetCall, providerRequestsFor, EDGE } from './support.mjs';

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

/** Pay from a given address, as Cloudflare's edge would say it (`CF-Connecting-IP`). */
async function payFrom(ip, phone) {
  const c = await createCheckout();
  const res = await fetch(`${EDGE}/api/checkouts/${c.id}/payments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${c.client_secret}`, 'Content-Type': 'application/json', 'CF-Connecting-IP': ip },
    body: JSON.stringify({ operator: 'mpesa', phone }),
  });
  return { status: res.status, body: await res.json() };
}

test('one address gets at most ten prompts a minute, each to a fresh number, and another address is not held back', async () => {
  // The IP_LIMIT binding counts in fixed minutes: prompts sent across the turn of a minute may
  // count in two of them, so the refusal comes after the 10th and by the 21st at the latest.
  const ip = '198.51.100.10';
  let refused;
  const numbers = [];
  for (let k = 0; k < 21 && !refused; k++) {
    const phone = `0713 5${String(k).padStart(2, '0')} 606`; // …06: declined, nothing charged
    const res = await payFrom(ip, phone);
    if (res.status === 429) refused = { k, phone, res };
    else {
      assert.equal(res.status, 201, `prompt ${k + 1}: ${JSON.stringify(res.body)}`);
      numbers.push(phone);
    }
  }
  assert.ok(refused, 'the address was never refused');
  assert.ok(refused.k >= 10, `refused after only ${refused.k} prompts`);
  assert.equal(refused.res.body.error.code, 'too_many_prompts');
  assert.match(refused.res.body.error.message, /Too many payment prompts for this device\. Try again in 1 minute/);
  const e164 = `+254${refused.phone.replace(/\s/g, '').slice(1)}`;
  assert.deepEqual(await providerRequestsFor(e164), [], 'the refused number heard nothing');
  // Another address is not held back, and the number refused there can still be paid.
  const other = await payFrom('198.51.100.11', refused.phone);
  assert.equal(other.status, 201, JSON.stringify(other.body));
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
