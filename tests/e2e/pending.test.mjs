// Help on the "check your phone" screen: "I've approved" asks the provider at once, the
// prompt's validity counts down, "Send the prompt again" after the approval window sends a
// new prompt to the same number, and where an operator publishes a USSD approval menu the
// screen links to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, Shop, SANDBOX, eventually } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function prompts(e164) {
  const all = await (await fetch(`${SANDBOX}/handset/api/prompts`)).json();
  return all.filter((p) => p.payer === e164);
}

test("\"I've approved\" before approving: the provider is asked and says not yet; the approval then ends in success", async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  await shop.pay('0712 440 678'); // not in the table: the prompt waits on the handset
  await shop.heading('Check your phone').waitFor();
  await shop.widget.getByText(/^The prompt stays valid for \d:\d\d$/).waitFor();
  await shop.widget.getByRole('button', { name: "I've approved" }).click();
  // The edge read the payment from CrissCross and it is still waiting on the handset.
  await shop.widget.getByRole('status').getByText('Your operator has not confirmed it yet. We keep checking.').waitFor();
  const handset = await context.newPage();
  await handset.goto(`${SANDBOX}/handset`);
  await handset.getByRole('button', { name: 'Approve payment from +254712440678' }).click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('after the approval window, "Send the prompt again" sends a second prompt to the same number, and approving it pays', async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open();
  await shop.pay('0712 450 678');
  await shop.heading('Check your phone').waitFor();
  // The tests' approval window is 10 s; the button appears when it ends.
  await shop.widget.getByRole('button', { name: 'Send the prompt again' }).click({ timeout: 20000 });
  await eventually(async () => assert.equal((await prompts('+254712450678')).length, 2));
  await shop.heading('Check your phone').waitFor();
  const handset = await context.newPage();
  await handset.goto(`${SANDBOX}/handset`);
  await handset.getByRole('button', { name: 'Approve payment from +254712450678' }).last().click();
  await shop.heading('Payment successful').waitFor({ timeout: 20000 });
  assert.equal(await shop.callbacks().filter({ hasText: 'onSuccess' }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Ghana's MTN MoMo: the pending screen links to the operator's published approval menu", async () => {
  const { context, page, errors } = await openPage(browser);
  const shop = await new Shop(page).open('?country=GH', 'MTN MoMo');
  const since = Date.now();
  await shop.pay('024 046 0678', 'MTN MoMo', 'GHS 50.00');
  await shop.confirmNumber('+233240460678', since);
  await shop.heading('Check your phone').waitFor();
  const menu = shop.widget.getByRole('link', { name: '*170#' });
  assert.equal(await menu.getAttribute('href'), 'tel:*170%23');
  await shop.widget.getByText(/open 10 My Wallet → 2 My Approvals to approve/).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
