//! What `cargo xtask deploy` checks before anything is uploaded. Every check is a pure
//! function over the deployment file (and, for a real deploy, what wrangler reports of the
//! account), so each refusal has its own test. The lists of settings are lipa-providers'
//! tables and the value checks are the parsers the edge itself runs (`ROUTES`,
//! `PROMPT_LIMITS`, every provider's `configure`).

use std::collections::{BTreeMap, BTreeSet};

use lipa_providers::limits::PromptLimits;
use lipa_providers::registry::{all_sections, Registry};
use lipa_providers::routing::{RoutingTable, DEFAULT_ROUTES};
use lipa_providers::settings::{Kind, Need, Section, Setting, Settings};
use lipa_providers::{ProviderId, Secret};

use super::file::DeployFile;
use crate::d1::{Database, DATABASES};

/// One reason not to deploy: the setting, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The setting (or `[d1] database_id`, `[worker] name`).
    pub setting: String,
    /// What is wrong.
    pub problem: String,
    /// What to do.
    pub fix: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}\n    fix: {}",
            self.setting, self.problem, self.fix
        )
    }
}

fn refusal(setting: &str, problem: impl Into<String>, fix: impl Into<String>) -> Refusal {
    Refusal {
        setting: setting.to_string(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// What the file checks found: refusals stop a deploy; notes are printed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Findings {
    /// Reasons not to deploy.
    pub refusals: Vec<Refusal>,
    /// Worth knowing, not wrong (or, in a dry run, what a real deploy would refuse).
    pub notes: Vec<String>,
}

/// Whether placeholders (`<…>`, the template's unfilled values) are refused or noted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--dry-run`: a placeholder is noted (the template itself is checked this way).
    DryRun,
    /// A real deploy: a placeholder is refused.
    Deploy,
}

/// A value the template leaves for the merchant to fill in: `<…>`.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('<') && v.ends_with('>')
}

/// The setting called `name` in any section, and its section.
fn lookup(name: &str) -> Option<(Section, &'static Setting)> {
    all_sections().find_map(|section| {
        section
            .settings
            .iter()
            .find(|s| s.name == name)
            .map(|s| (section, s))
    })
}

/// The sections this file turns on: the edge's, and each provider whose switch is set.
pub fn enabled_sections(file: &DeployFile) -> Vec<Section> {
    all_sections()
        .filter(|section| match section.switch() {
            None => true,
            Some(switch) => file.var(switch.name).is_some(),
        })
        .collect()
}

/// The secrets the file's sections need (required ones), in table order.
pub fn required_secrets(file: &DeployFile) -> Vec<&'static str> {
    enabled_sections(file)
        .iter()
        .flat_map(|s| s.settings.iter())
        .filter(|s| s.kind == Kind::Secret && s.need == Need::Required)
        .map(|s| s.name)
        // The SMS gateway's key goes with its URL.
        .chain(
            file.var("SMS_GATEWAY_URL")
                .is_some()
                .then_some("SMS_GATEWAY_KEY"),
        )
        .collect()
}

/// The settings that are URLs Lipa calls or gives out: they must be https.
fn url_settings(file: &DeployFile) -> Vec<&'static str> {
    let mut names = vec![
        "MERCHANT_WEBHOOK_URL",
        "LITTLE_CALLBACK_URL",
        "SMS_GATEWAY_URL",
    ];
    names.extend(
        enabled_sections(file)
            .iter()
            .filter_map(|s| s.switch())
            .map(|s| s.name),
    );
    names
}

/// The host of an `https://` URL, `None` when it is not one.
fn https_host(url: &str) -> Option<&str> {
    let rest = url.trim().strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    (!host.is_empty()).then_some(host)
}

/// Whether `host` is this machine (the demo's URLs are).
fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h.starts_with("127.")
        || h == "0.0.0.0"
        || h == "[::1]"
}

/// Whether `id` has the shape of a D1 database id (a UUID).
fn is_uuid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `name` can name a Worker (lowercase letters, digits and dashes, at most 63).
fn is_worker_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The file's vars as the edge would read them, every secret present: the parsers the edge
/// runs then find any value they would refuse.
struct FileSettings<'a>(&'a DeployFile);

impl Settings for FileSettings<'_> {
    fn text(&self, name: &str) -> Option<String> {
        self.0.var(name).map(str::to_string)
    }

    fn secret(&self, _name: &str) -> Option<Secret> {
        Some(Secret::new("checked with wrangler secret list"))
    }
}

/// Every check that needs no account: names, required settings, URL schemes, placeholders,
/// the demo's values, and every value the edge parses.
pub fn check_file(file: &DeployFile, mode: Mode, demo_values: &[&str]) -> Findings {
    let mut out = Findings::default();
    let placeholder = |out: &mut Findings, setting: &str, fix: &str| match mode {
        Mode::Deploy => out.refusals.push(refusal(
            setting,
            "still holds the template's placeholder",
            fix,
        )),
        Mode::DryRun => out.notes.push(format!(
            "{setting} is still the template's placeholder: a deploy refuses it"
        )),
    };

    if !is_worker_name(&file.worker.name) {
        out.refusals.push(refusal(
            "[worker] name",
            format!("{:?} cannot name a Worker", file.worker.name),
            "use lowercase letters, digits and dashes (at most 63), e.g. \"lipa-edge\"",
        ));
    }
    for db in DATABASES {
        let id = file.d1.id_of(&db);
        let setting = db.setting();
        let d1_fix = format!(
            "run `npx wrangler d1 create {}` and put the database_id it prints under [d1] as {}",
            db.name, db.id_key
        );
        if id.is_empty() {
            out.refusals.push(refusal(&setting, "is not set", d1_fix));
        } else if is_placeholder(id) {
            placeholder(&mut out, &setting, &d1_fix);
        } else if !is_uuid(id) {
            out.refusals.push(refusal(
                &setting,
                format!("{id:?} is not a D1 database id"),
                d1_fix,
            ));
        }
    }
    if !file.d1.database_id.trim().is_empty()
        && file
            .d1
            .database_id
            .trim()
            .eq_ignore_ascii_case(file.d1.events_database_id.trim())
    {
        out.refusals.push(refusal(
            "[d1] events_database_id",
            "is the same database as database_id",
            "the event log has a database of its own: `npx wrangler d1 create lipa_events`",
        ));
    }

    for (name, value) in &file.vars {
        match lookup(name) {
            None => out.refusals.push(refusal(
                name,
                "is not a Lipa setting",
                "check its spelling against edge/lipa.example.toml, or remove it",
            )),
            Some((_, s)) if s.kind == Kind::Secret => out.refusals.push(refusal(
                name,
                "is a secret and must not be in a file",
                format!(
                    "remove it from [vars] and run `npx wrangler secret put {name} --name {}`",
                    file.worker.name
                ),
            )),
            Some((_, s)) => {
                if is_placeholder(value) {
                    placeholder(&mut out, name, &format!("set it: {}", s.meaning));
                } else if demo_values.contains(&value.trim()) {
                    out.refusals.push(refusal(
                        name,
                        format!("{value:?} is the demo's value"),
                        format!("set your own: {}", s.meaning),
                    ));
                }
            }
        }
    }

    for section in enabled_sections(file) {
        for s in section.settings {
            if s.kind == Kind::Var && s.need == Need::Required && file.var(s.name).is_none() {
                let whose = section
                    .provider
                    .map_or("the edge".to_string(), |p| p.brand().to_string());
                out.refusals.push(refusal(
                    s.name,
                    format!("is not set, and {whose} needs it"),
                    format!("add it under [vars]: {}", s.meaning),
                ));
            }
        }
    }

    for name in url_settings(file) {
        let Some(value) = file.var(name) else {
            continue;
        };
        if is_placeholder(value) {
            continue;
        }
        match https_host(value) {
            Some(host) if !is_loopback(host) => {}
            _ => out.refusals.push(refusal(
                name,
                format!("{value:?} is not a public https URL"),
                "use the https:// address of the real service",
            )),
        }
    }
    if let Some(callback) = file
        .var("LITTLE_CALLBACK_URL")
        .filter(|v| !is_placeholder(v))
    {
        let fix = match &file.worker.domain {
            Some(d) => format!("set it to https://{d}/webhooks/little"),
            None => "set it to https://<your Worker's host>/webhooks/little".to_string(),
        };
        if !callback.trim_end_matches('/').ends_with("/webhooks/little") {
            out.refusals.push(refusal(
                "LITTLE_CALLBACK_URL",
                "is not this edge's /webhooks/little",
                fix,
            ));
        } else if let (Some(domain), Some(host)) = (&file.worker.domain, https_host(callback)) {
            if !host.eq_ignore_ascii_case(domain) {
                out.refusals.push(refusal(
                    "LITTLE_CALLBACK_URL",
                    format!("points at {host}, but this Worker answers on {domain}"),
                    fix,
                ));
            }
        }
    }

    // The edge's own parsers, on the file's values.
    let refused: BTreeSet<String> = out.refusals.iter().map(|r| r.setting.clone()).collect();
    let routes_text = file.var("ROUTES").unwrap_or(DEFAULT_ROUTES);
    match RoutingTable::parse(routes_text) {
        Err(e) => out.refusals.push(refusal(
            "ROUTES",
            e,
            "write COUNTRY[/operator]=provider entries, comma-separated (README, Routing)",
        )),
        Ok(routes) => {
            let enabled: Vec<ProviderId> = enabled_sections(file)
                .iter()
                .filter_map(|s| s.provider)
                .collect();
            if let Err(e) = routes.check_configured(|p| enabled.contains(&p)) {
                out.refusals.push(refusal(
                    "ROUTES",
                    e,
                    "configure that provider's section, or route its countries elsewhere",
                ));
            }
            for p in &enabled {
                if !routes.providers().any(|r| r == *p) {
                    out.notes.push(format!(
                        "{} is configured but no route sends payments to it",
                        p.brand()
                    ));
                }
            }
            if routes.any_verify_phone() && file.var("SMS_GATEWAY_URL").is_none() {
                out.refusals.push(refusal(
                    "SMS_GATEWAY_URL",
                    "ROUTES verifies guests' phones (verify_phone, on for Xtopay) but no SMS \
                     gateway is set to send the codes",
                    "set SMS_GATEWAY_URL (and the secret SMS_GATEWAY_KEY), or add \
                     ;verify_phone=off to those routes if your checkouts always lock the number",
                ));
            }
            if file.var("ROUTES").is_none() {
                out.notes.push(format!(
                    "ROUTES is not set: the edge uses {DEFAULT_ROUTES:?}"
                ));
            }
        }
    }
    if let Some(limits) = file.var("PROMPT_LIMITS") {
        if let Err(e) = PromptLimits::parse(limits) {
            out.refusals.push(refusal(
                "PROMPT_LIMITS",
                e,
                "write phone/checkout per seconds[, locked L], e.g. \"5/5 per 600, locked 20\"",
            ));
        }
    }
    if let Err(e) = Registry::from_settings(&FileSettings(file)) {
        if !refused.contains(&e.name) {
            out.refusals
                .push(refusal(&e.name, e.problem, "see edge/lipa.example.toml"));
        }
    }
    for name in ["APPROVAL_WINDOW_S", "XTOPAY_STATUS_CHECK_AFTER_S"] {
        if file.var(name).is_some() {
            out.notes.push(format!(
                "{name} is set: tests shorten it; production normally leaves it unset"
            ));
        }
    }
    if file.var("XTOPAY_BASE_URL").is_some() {
        out.notes.push(
            "Xtopay only accepts calls from allowlisted IPs, and a Worker has no fixed \
             outbound IP: see README, \"Xtopay's IP allowlist\""
                .into(),
        );
    }
    out
}

/// Every required secret of the file's sections that the account's Worker does not have.
pub fn check_secrets(file: &DeployFile, present: &BTreeSet<String>) -> Vec<Refusal> {
    required_secrets(file)
        .into_iter()
        .filter(|name| !present.contains(*name))
        .map(|name| {
            let meaning = lookup(name).map_or("", |(_, s)| s.meaning);
            refusal(
                name,
                format!(
                    "is not set as a secret of the Worker {} ({meaning})",
                    file.worker.name
                ),
                format!("npx wrangler secret put {name} --name {}", file.worker.name),
            )
        })
        .collect()
}

/// A D1 database as `wrangler d1 list --json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct D1Database {
    /// Its id.
    pub uuid: String,
    /// Its name.
    pub name: String,
}

/// Whether each of the file's databases is in the account.
pub fn check_d1(file: &DeployFile, listed: &[D1Database]) -> Vec<Refusal> {
    let names: Vec<String> = listed
        .iter()
        .map(|d| format!("{} ({})", d.name, d.uuid))
        .collect();
    DATABASES
        .iter()
        .filter(|db| !listed.iter().any(|d| d.uuid == file.d1.id_of(db)))
        .map(|db| {
            refusal(
                &db.setting(),
                format!(
                    "no D1 database {} in this account (it has: {})",
                    file.d1.id_of(db),
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                ),
                format!(
                    "run `npx wrangler d1 create {}` and put the id it prints under [d1] as {}, \
                     or log in to the account that has it",
                    db.name, db.id_key
                ),
            )
        })
        .collect()
}

/// The migrations `wrangler d1 migrations list --remote` reports as not applied, of those in
/// `edge/migrations`; `None` when the output says neither.
pub fn pending_migrations(output: &str, migrations: &[String]) -> Option<Vec<String>> {
    if output.contains("No migrations to apply") {
        return Some(Vec::new());
    }
    let pending: Vec<String> = migrations
        .iter()
        .filter(|m| output.contains(m.as_str()))
        .cloned()
        .collect();
    (!pending.is_empty()).then_some(pending)
}

/// `db`'s pending migrations are refused unless the merchant asked for them to be applied.
pub fn check_migrations(db: &Database, pending: &[String], apply: bool) -> Vec<Refusal> {
    if pending.is_empty() || apply {
        return Vec::new();
    }
    vec![refusal(
        &db.setting(),
        format!(
            "the database {} lacks migrations {}",
            db.name,
            pending.join(", ")
        ),
        "run again with --apply-migrations (wrangler d1 migrations apply --remote)",
    )]
}

/// After a deploy: Little must be told the URL this Worker answers on.
pub fn check_callback(file: &DeployFile, deployed_origin: &str) -> Vec<Refusal> {
    let expected = format!("{}/webhooks/little", deployed_origin.trim_end_matches('/'));
    match file.var("LITTLE_CALLBACK_URL") {
        Some(url)
            if file.var("LITTLE_BASE_URL").is_some() && url.trim_end_matches('/') != expected =>
        {
            vec![refusal(
                "LITTLE_CALLBACK_URL",
                format!("is {url}, but this deployment answers at {expected}"),
                format!("set LITTLE_CALLBACK_URL = \"{expected}\" and deploy again"),
            )]
        }
        _ => Vec::new(),
    }
}

/// Demo values found in a deployment's configuration text (the upload config, wrangler's
/// list of bindings): each as `marker` in context.
pub fn demo_values_in(text: &str, markers: &[&str]) -> Vec<String> {
    let mut found = BTreeMap::new();
    for line in text.lines() {
        for m in markers {
            if line.contains(m) {
                found
                    .entry(m.to_string())
                    .or_insert_with(|| line.trim().to_string());
            }
        }
    }
    found
        .into_iter()
        .map(|(m, line)| format!("{m:?} in {line:?}"))
        .collect()
}

#[cfg(test)]
mod tests;
