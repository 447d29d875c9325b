// The merchant's look and the dialog's manners: appearance variables applied (and a
// low-contrast pair refused with a console warning), dark mode checked by axe-core, a
// payment made with the keyboard alone, Escape closing the dialog and focus returning to the
// button that opened it, and the WebOTP permission on the frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, openPage, SANDBOX } from './support.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The demo shop's `Lipa.open` integration with an appearance, and the widget's frame. */
async function shopWith(page, appearance) {
  const query = `integration=js&appearance=${encodeURIComponent(JSON.stringify(appearance))}`;
  await page.goto(`${SANDBOX}/shop?${query}`);
  await page.getByRole('button', { name: 'Pay with mobile money' }).click();
  const widget = page.frameLocator('iframe[title="Lipa secure checkout"]');
  await widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  const frame = page.frames().find((f) => f.url().includes('/pay/'));
  return { widget, frame };
}

const style = (frame, selector, property) => frame.evaluate(
  ([s, p]) => getComputedStyle(document.querySelector(s)).getPropertyValue(p), [selector, property]);

test("the merchant's colours, radius and dark theme are applied, and axe finds nothing in the dark", async () => {
  const { context, page, errors } = await openPage(browser);
  const { frame } = await shopWith(page, {
    theme: 'dark',
    variables: { colorPrimary: '#5b21b6', borderRadius: '4px' },
  });
  assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await style(frame, 'button.primary', 'background-color'), 'rgb(91, 33, 182)');
  assert.equal(await style(frame, 'button.primary', 'color'), 'rgb(255, 255, 255)');
  assert.equal(await style(frame, 'button.primary', 'border-top-left-radius'), '4px');
  assert.equal(await style(frame, 'body', 'background-color'), 'rgb(17, 24, 39)');
  await frame.evaluate(`${AXE}; 0`);
  const violations = await frame.evaluate(async () => (await globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  })).violations.map((v) => v.id));
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a colour pair below WCAG AA is refused with a console warning naming it', async () => {
  const { context, page } = await openPage(browser);
  const warnings = [];
  page.on('console', (msg) => { if (msg.type() === 'warning') warnings.push(msg.text()); });
  const { frame } = await shopWith(page, {
    variables: { colorPrimary: '#777777', colorText: '#aaaaaa' },
  });
  // The defaults stay: Lipa's green button and dark text.
  assert.equal(await style(frame, 'button.primary', 'background-color'), 'rgb(10, 125, 69)');
  assert.equal(await style(frame, 'body', 'color'), 'rgb(17, 24, 39)');
  const said = warnings.join('\n');
  assert.match(said, /colorPrimary #777777/);
  assert.match(said, /colorText #aaaaaa on colorBackground #ffffff has a contrast of 2\.3:1/);
  await context.close();
});

test("under theme 'auto' the customer's dark system setting decides", async () => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  const { frame } = await shopWith(page, { theme: 'auto' });
  assert.equal(await style(frame, 'body', 'background-color'), 'rgb(17, 24, 39)');
  await context.close();
});

test('keyboard alone: pay, then Escape closes the dialog and focus returns to the button; the frame allows WebOTP', async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${SANDBOX}/shop?integration=js`);
  const opener = page.getByRole('button', { name: 'Pay with mobile money' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const widget = page.frameLocator('iframe[title="Lipa secure checkout"]');
  const frameElement = page.locator('iframe[title="Lipa secure checkout"]');
  assert.equal(await frameElement.getAttribute('allow'), 'otp-credentials');
  await widget.getByRole('radio', { name: 'M-Pesa' }).waitFor();
  // Into the form: the first operator is chosen already; Tab to the number, type, Enter.
  const phone = widget.getByRole('textbox', { name: 'Mobile money number' });
  for (let i = 0; i < 10 && !(await phone.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await phone.evaluate((el) => el === document.activeElement), 'Tab reaches the number');
  await page.keyboard.type('0712 680 001');
  await page.keyboard.press('Enter');
  await widget.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 20000 });
  await page.keyboard.press('Escape');
  await frameElement.waitFor({ state: 'detached' });
  assert.ok(await opener.evaluate((el) => el === document.activeElement), 'focus is back on the button');
  await page.getByRole('list', { name: 'Callbacks' }).getByText('onClose', { exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
