// The trimmed fault-and-load run (the full one is `cargo xtask bench`): 105 checkouts over the
// five providers with the misbehaving numbers and a one-time-code step mixed in, forged and replayed webhooks, and a
// tenth of the merchant deliveries failing; any broken invariant fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../load/load.mjs';

test('fault-and-load: no double charge, every checkout final, one event per payment, forgeries refused', { timeout: 300000 }, async () => {
  const report = await runLoad({ n: 105, concurrency: 12, finalWithinMs: 120000 });
  console.log(JSON.stringify({ ...report, broken: report.broken.length }, null, 2));
  if (report.broken.length) console.log(`broken:\n${report.broken.slice(0, 40).join('\n')}`);
  assert.deepEqual(report.broken, []);
  assert.ok(report.forged >= 8);
  // Every HoneyCoin Uganda …20 checkout (the mix's 12th of 22 entries: 5 of 105) went through
  // the one-time-code step, three of them sending the code twice at once.
  assert.equal(report.concurrentOtps, 6);
  assert.equal(report.latencies['POST /api/checkouts/{id}/otp']?.count, 5 + report.concurrentOtps / 2);
  // Two thirds of the checkouts pressed Pay twice at once; one of each pair was refused.
  assert.equal(report.concurrentPays, 2 * 70);
  assert.equal(report.doubleCharges, 0);
});
