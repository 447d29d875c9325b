// The operator predicted from the number's prefix as the customer types it (api/src/numbering.rs),
// and a choice the customer made by hand kept whatever the number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, Shop, providerRequestsFor, eventually } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const checked = (widget, name) => widget.getByRole('radio', { name, checked: true });

test('typing an Airtel number selects Airtel Money, a Safaricom number M-Pesa; the payment goes to the predicted operator', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  const phone = shop.widget.getByRole('textbox', { name: 'Mobile money number' });
  await checked(shop.widget, 'M-Pesa').waitFor();
  await phone.pressSequentially('073');
  await checked(shop.widget, 'Airtel Money').waitFor();
  assert.equal(await shop.widget.getByRole('radio', { name: 'M-Pesa' }).isChecked(), false);
  await phone.fill('0712 470 001');
  await checked(shop.widget, 'M-Pesa').waitFor();
  await phone.fill('0733 470 001');
  await checked(shop.widget, 'Airtel Money').waitFor();
  await shop.widget.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  // Kenyan Airtel Money goes to HoneyCoin, M-Pesa to CrissCross.
  await eventually(async () => assert.ok((await providerRequestsFor('+254733470001', 'honeycoin')).length > 0));
  assert.equal((await providerRequestsFor('+254733470001', 'crisscross')).length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an operator chosen by hand is kept when the number says another', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  const phone = shop.widget.getByRole('textbox', { name: 'Mobile money number' });
  await shop.widget.getByRole('radio', { name: 'Airtel Money' }).check();
  await phone.pressSequentially('0712 471 001');
  assert.equal(await phone.inputValue(), '0712 471 001');
  assert.equal(await shop.widget.getByRole('radio', { name: 'Airtel Money' }).isChecked(), true);
  assert.equal(await shop.widget.getByRole('radio', { name: 'M-Pesa' }).isChecked(), false);
  await shop.widget.getByRole('button', { name: 'Pay KES 1,500.00' }).click();
  await eventually(async () => assert.ok((await providerRequestsFor('+254712471001', 'honeycoin')).length > 0, 'paid with Airtel Money'));
  assert.equal((await providerRequestsFor('+254712471001', 'crisscross')).length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Ghana: a Telecel number selects Telecel Cash, an AirtelTigo one AT Money', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open('?country=GH', 'MTN MoMo');
  const phone = shop.widget.getByRole('textbox', { name: 'Mobile money number' });
  await phone.pressSequentially('020');
  await checked(shop.widget, 'Telecel Cash').waitFor();
  await phone.fill('027 000 0001');
  await checked(shop.widget, 'AT Money').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
