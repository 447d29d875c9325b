// Spam protection: prompts per phone number are limited; a number the merchant locked is
// shown read-only and paid without the per-phone limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, Shop, createCheckout, widgetCall, providerRequestsFor } from './support.mjs';

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
