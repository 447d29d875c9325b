// The edge's CPU per request type, each measured in isolation: the edge's process group's
// thread run time (see cpu.mjs) read just before a request is sent and just after its answer
// arrives, one request at a time, nothing else running. The alarm is read between two
// requests: a checkout's creation sets it to fire at once (it prepares the checkout with its
// provider, here CrissCross's session), and nothing else reaches the edge in that gap.
import { createHmac } from 'node:crypto';
import { EDGE, MERCHANT_KEY, CRISSCROSS_WEBHOOK_SECRET } from '../e2e/support.mjs';
import { edgeMeter } from './cpu.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A request; a connection lost on the way (see load.mjs's `send`) is status 599. */
async function call(method, url, headers, body) {
  try {
    const res = await fetch(url, { method, headers, body });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    return { status: 599, text: `connection lost: ${e.cause?.code ?? e.message}` };
  }
}

/** A round whose connection was lost is left out whole: its readings span more than one request. */
class Lost extends Error {}

/**
 * `samples` rounds of one checkout's life: creation, the alarm that prepares it, the widget's
 * read, Pay (on a number that waits for the customer, so the payment stays live), and a signed
 * CrissCross webhook about it (verified, then the payment is read from the provider and
 * stored). Returns each type's CPU milliseconds, one entry per request, and how many rounds
 * were left out for a lost connection.
 */
export async function requestCosts(samples) {
  const meter = edgeMeter();
  const costs = { 'POST /v1/checkouts': [], 'alarm (prepares the checkout)': [], 'GET /api/checkouts/{id}': [], 'POST /api/checkouts/{id}/payments': [], 'POST /webhooks/crisscross': [] };
  const ms = (a, b) => (b - a) / 1e6;
  const run = Date.now() % 100000;
  let lost = 0;
  for (let i = 0; i < samples; i++) {
    const one = {};
    try {
      const key = `cost-${run}-${i}`;
      let t = meter();
      const created = await call('POST', `${EDGE}/v1/checkouts`, { Authorization: `Bearer ${MERCHANT_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
        JSON.stringify({ amount: 150000, currency: 'KES', country: 'KE', reference: key }));
      let u = meter();
      if (created.status === 599) throw new Lost();
      if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.text}`);
      one['POST /v1/checkouts'] = ms(t, u);
      const checkout = JSON.parse(created.text);
      // The creation's alarm runs now; nothing else reaches the edge meanwhile.
      await sleep(400);
      t = meter();
      one['alarm (prepares the checkout)'] = ms(u, t);
      const auth = { Authorization: `Bearer ${checkout.client_secret}`, 'Content-Type': 'application/json' };
      const read = await call('GET', `${EDGE}/api/checkouts/${checkout.id}`, auth);
      u = meter();
      if (read.status === 599) throw new Lost();
      if (read.status !== 200) throw new Error(`read answered ${read.status}: ${read.text}`);
      if (!JSON.parse(read.text).operators?.some((o) => o.id === 'mpesa' || o === 'mpesa')) {
        // Not a failure of the measurement, but then the alarm did not prepare it: say so.
        process.stderr.write(`cost: checkout ${i} shows no M-Pesa\n`);
      }
      one['GET /api/checkouts/{id}'] = ms(t, u);
      const phone = `0714${String(i).padStart(4, '0')}77`;
      t = meter();
      const started = await call('POST', `${EDGE}/api/checkouts/${checkout.id}/payments`, auth, JSON.stringify({ operator: 'mpesa', phone }));
      u = meter();
      if (started.status === 599) throw new Lost();
      if (started.status !== 201) throw new Error(`start answered ${started.status}: ${started.text}`);
      one['POST /api/checkouts/{id}/payments'] = ms(t, u);
      const body = JSON.stringify({
        eventId: `cost-${run}-${i}`, type: 'transaction.updated', transactionId: `cost-unknown-${run}-${i}`, merchantReference: checkout.id.replace('_', ''), status: 'PENDING',
      });
      const signature = createHmac('sha256', CRISSCROSS_WEBHOOK_SECRET).update(body).digest('hex');
      t = meter();
      const hook = await call('POST', `${EDGE}/webhooks/crisscross`, { 'Content-Type': 'application/json', 'X-CrissCross-Signature': signature }, body);
      u = meter();
      if (hook.status === 599) throw new Lost();
      if (hook.status >= 300) throw new Error(`webhook answered ${hook.status}: ${hook.text}`);
      one['POST /webhooks/crisscross'] = ms(t, u);
    } catch (e) {
      if (!(e instanceof Lost)) throw e;
      lost += 1;
      continue;
    }
    for (const [type, value] of Object.entries(one)) costs[type].push(value);
  }
  return { costs, lost };
}
