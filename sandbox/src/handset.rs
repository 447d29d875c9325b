//! `/handset`: a phone's prompt screen for numbers outside the test table, and the text
//! messages the sandbox's SMS gateway received (Lipa's phone-verification codes).

use worker::Response;

use crate::sim::numbers::TABLE;

/// The handset page; it lists waiting prompts with Approve and Decline buttons.
pub fn page() -> worker::Result<Response> {
    let rows: String = TABLE
        .iter()
        .map(|(n, what)| format!("<tr><td>{n}</td><td>{what}</td></tr>"))
        .collect();
    Response::from_html(format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox handset</title><link rel="icon" href="data:,">
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}
li{{margin:.5rem 0;padding:.75rem;border:1px solid #ccc;border-radius:8px}} button{{margin-right:.5rem}}</style>
</head>
<body>
<h1>Sandbox handset</h1>
<p>Prompts sent to numbers outside the test table wait here for you.</p>
<h2>Waiting prompts</h2>
<ul id="prompts" aria-label="Waiting prompts"></ul>
<h2>Text messages</h2>
<ul id="sms" aria-label="Text messages"></ul>
<h2>Test numbers (last digits)</h2>
<table><thead><tr><th>Suffix</th><th>Behaviour</th></tr></thead><tbody>{rows}</tbody></table>
<script>
async function answer(p, approve) {{
  await fetch('/handset/api/answer', {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
    body: JSON.stringify({{provider: p.provider, transaction_id: p.transaction_id, approve}})}});
  load();
}}
async function load() {{
  const prompts = await (await fetch('/handset/api/prompts')).json();
  const ul = document.getElementById('prompts');
  ul.replaceChildren(...prompts.map((p) => {{
    const li = document.createElement('li');
    if (p.otp) {{
      const sms = document.createElement('p');
      sms.textContent = 'SMS to ' + p.payer + ': your HoneyCoin code is ' + p.otp;
      li.append(sms);
      return li;
    }}
    const text = document.createElement('p');
    text.textContent = p.provider.toUpperCase() + ' prompt to ' + p.payer + ': pay ' + p.currency + ' ' + (p.amount / 100).toFixed(2) + '?';
    const yes = document.createElement('button');
    yes.textContent = 'Approve'; yes.setAttribute('aria-label', 'Approve payment from ' + p.payer);
    yes.onclick = () => answer(p, true);
    const no = document.createElement('button');
    no.textContent = 'Decline'; no.setAttribute('aria-label', 'Decline payment from ' + p.payer);
    no.onclick = () => answer(p, false);
    li.append(text, yes, no);
    return li;
  }}));
  if (!prompts.length) ul.innerHTML = '<li>No prompts are waiting.</li>';
  const messages = await (await fetch('/handset/api/sms')).json();
  const box = document.getElementById('sms');
  box.replaceChildren(...messages.slice(0, 20).map((m) => {{
    const li = document.createElement('li');
    li.textContent = 'SMS to ' + m.to + ': ' + m.message;
    return li;
  }}));
  if (!messages.length) box.innerHTML = '<li>No text messages yet.</li>';
}}
load(); setInterval(load, 1500);
</script>
</body></html>"#
    ))
}

/// The operator's page a redirect step sends the customer to (`/honeycoin/redirect/{id}`,
/// `/little/stepup/{id}`). Approve or Decline answers the charge at `provider`, then the page
/// tells the customer to go back.
pub fn operator_page(
    id: &str,
    provider: &str,
    info: Option<(String, bool)>,
) -> worker::Result<Response> {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let body = match info {
        None => "<h1>Unknown payment</h1>".to_string(),
        Some((_, false)) => "<h1>This payment is finished</h1><p>You can close this window and return to the shop.</p>".to_string(),
        Some((amount, true)) => format!(
            r#"<h1>Approve payment</h1><p>Pay {amount} to the merchant?</p>
<button type="button" id="approve">Approve payment</button> <button type="button" id="decline">Decline payment</button>
<p id="done" role="status"></p>
<script>
async function answer(approve) {{
  const res = await fetch('/handset/api/answer', {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
    body: JSON.stringify({{provider: '{provider}', transaction_id: '{id}', approve}})}});
  document.getElementById('done').textContent = !res.ok
    ? 'This payment could not be answered: ' + ((await res.json()).error || res.status)
    : approve
    ? 'Payment approved. You can close this window and return to the shop.'
    : 'Payment declined. You can close this window and return to the shop.';
  document.querySelectorAll('button').forEach((b) => b.disabled = true);
}}
document.getElementById('approve').onclick = () => answer(true);
document.getElementById('decline').onclick = () => answer(false);
</script>"#
        ),
    };
    Response::from_html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Operator payment page (sandbox)</title><link rel="icon" href="data:,">
<style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem}}</style></head>
<body><p>Mobile money operator · sandbox</p>{body}</body></html>"#
    ))
}
