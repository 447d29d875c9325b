//! One test per refusal: each builds a deployment file that is ready but for one thing, and
//! checks the refusal names the setting and says how to fix it.

use super::*;

/// A file ready to deploy (CrissCross only, custom domain).
const READY: &str = r#"
[worker]
name = "duka-pay"
domain = "pay.duka.co.ke"
[d1]
database_id = "0f6b1c2e-8d3a-4b5c-9e7f-1a2b3c4d5e6f"
events_database_id = "7a1d3c5e-2b4f-4a6c-8e0d-9f1b3d5a7c9e"
[vars]
MERCHANT_NAME = "Duka"
MERCHANT_WEBHOOK_URL = "https://duka.co.ke/lipa/webhooks"
ROUTES = "KE=crisscross"
CRISSCROSS_BASE_URL = "https://api.crisscross.money"
CRISSCROSS_MERCHANT_ID = "m_8f3k2"
"#;

fn parse(text: &str) -> DeployFile {
    DeployFile::parse(text, "test").unwrap()
}

/// [`READY`] with `var` set to `value` (`None`: removed).
fn with(var: &str, value: Option<&str>) -> DeployFile {
    let mut f = parse(READY);
    match value {
        Some(v) => f.vars.insert(var.to_string(), v.to_string()),
        None => f.vars.remove(var),
    };
    f
}

fn refusals(f: &DeployFile) -> Vec<Refusal> {
    check_file(f, Mode::Deploy, &["Duka Demo Shop", "m_demo"]).refusals
}

/// The one refusal `f` gets, which must name `setting`, say `problem` and tell `fix`.
fn refused_once(f: &DeployFile, setting: &str, problem: &str, fix: &str) {
    let r = refusals(f);
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0].setting, setting, "{r:#?}");
    assert!(
        r[0].problem.contains(problem),
        "{:?} lacks {problem:?}",
        r[0].problem
    );
    assert!(r[0].fix.contains(fix), "{:?} lacks {fix:?}", r[0].fix);
}

#[test]
fn a_ready_file_passes() {
    assert_eq!(refusals(&parse(READY)), []);
}

#[test]
fn refuses_a_worker_name_cloudflare_refuses() {
    let mut f = parse(READY);
    f.worker.name = "Duka Pay".into();
    refused_once(&f, "[worker] name", "cannot name a Worker", "lowercase");
}

#[test]
fn refuses_a_missing_d1_id() {
    let mut f = parse(READY);
    f.d1.database_id = String::new();
    refused_once(
        &f,
        "[d1] database_id",
        "is not set",
        "wrangler d1 create lipa",
    );
}

#[test]
fn refuses_a_missing_event_log_id_and_one_that_is_the_payments_database() {
    let mut f = parse(READY);
    f.d1.events_database_id = String::new();
    refused_once(
        &f,
        "[d1] events_database_id",
        "is not set",
        "wrangler d1 create lipa_events",
    );
    f.d1.events_database_id = f.d1.database_id.to_uppercase();
    refused_once(
        &f,
        "[d1] events_database_id",
        "is the same database as database_id",
        "wrangler d1 create lipa_events",
    );
}

#[test]
fn refuses_a_d1_id_that_is_not_one() {
    let mut f = parse(READY);
    f.d1.database_id = "lipa".into();
    refused_once(
        &f,
        "[d1] database_id",
        "is not a D1 database id",
        "wrangler d1 create",
    );
}

#[test]
fn refuses_placeholders_in_a_deploy_and_notes_them_in_a_dry_run() {
    let mut f = with(
        "CRISSCROSS_MERCHANT_ID",
        Some("<your CrissCross merchant id>"),
    );
    f.d1.database_id = "<the database_id>".into();
    let r = refusals(&f);
    let named: Vec<&str> = r.iter().map(|r| r.setting.as_str()).collect();
    assert_eq!(
        named,
        ["[d1] database_id", "CRISSCROSS_MERCHANT_ID"],
        "{r:#?}"
    );
    assert!(r.iter().all(|r| r.problem.contains("placeholder")));
    assert!(
        r[1].fix.contains("merchant id"),
        "the fix says what the setting is"
    );
    let dry = check_file(&f, Mode::DryRun, &[]);
    assert_eq!(dry.refusals, []);
    assert_eq!(
        dry.notes
            .iter()
            .filter(|n| n.contains("placeholder"))
            .count(),
        2
    );
}

#[test]
fn refuses_an_unknown_setting() {
    let f = with("CRISSCROS_MERCHANT_ID", Some("m_8f3k2"));
    refused_once(
        &f,
        "CRISSCROS_MERCHANT_ID",
        "is not a Lipa setting",
        "spelling",
    );
}

#[test]
fn refuses_a_secret_written_in_the_file() {
    let f = with("CRISSCROSS_CLIENT_SECRET", Some("cc_live_abc"));
    refused_once(
        &f,
        "CRISSCROSS_CLIENT_SECRET",
        "is a secret",
        "npx wrangler secret put CRISSCROSS_CLIENT_SECRET --name duka-pay",
    );
}

#[test]
fn refuses_the_demos_values() {
    let f = with("CRISSCROSS_MERCHANT_ID", Some("m_demo"));
    refused_once(
        &f,
        "CRISSCROSS_MERCHANT_ID",
        "is the demo's value",
        "your own",
    );
}

#[test]
fn refuses_a_missing_required_setting_of_the_edge() {
    let f = with("MERCHANT_WEBHOOK_URL", None);
    refused_once(
        &f,
        "MERCHANT_WEBHOOK_URL",
        "the edge needs it",
        "add it under [vars]",
    );
}

#[test]
fn refuses_a_missing_required_setting_of_a_configured_provider() {
    let f = with("CRISSCROSS_MERCHANT_ID", None);
    refused_once(
        &f,
        "CRISSCROSS_MERCHANT_ID",
        "CrissCross needs it",
        "merchant id",
    );
    // A provider that is not configured needs nothing.
    assert_eq!(refusals(&with("HONEYCOIN_PUBLIC_KEY", None)), []);
}

#[test]
fn refuses_a_url_that_is_not_public_https() {
    for url in [
        "http://duka.co.ke/lipa/webhooks",
        "https://127.0.0.1:8788/shop/webhooks",
        "https://localhost/hooks",
        "duka.co.ke/hooks",
    ] {
        let f = with("MERCHANT_WEBHOOK_URL", Some(url));
        refused_once(
            &f,
            "MERCHANT_WEBHOOK_URL",
            "not a public https URL",
            "https://",
        );
    }
    let f = with(
        "CRISSCROSS_BASE_URL",
        Some("http://127.0.0.1:8788/crisscross"),
    );
    refused_once(
        &f,
        "CRISSCROSS_BASE_URL",
        "not a public https URL",
        "https://",
    );
}

#[test]
fn refuses_a_little_callback_that_is_not_this_edges() {
    let little = |callback: &str| {
        let mut f = parse(READY);
        for (k, v) in [
            ("LITTLE_BASE_URL", "https://pay.little.africa"),
            ("LITTLE_TOKEN_ID", "tok_1"),
            ("LITTLE_CLIENT_ID", "lt_1"),
            ("LITTLE_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----"),
            ("LITTLE_CALLBACK_URL", callback),
        ] {
            f.vars.insert(k.into(), v.into());
        }
        f
    };
    assert_eq!(
        refusals(&little("https://pay.duka.co.ke/webhooks/little")),
        []
    );
    refused_once(
        &little("https://pay.duka.co.ke/little"),
        "LITTLE_CALLBACK_URL",
        "is not this edge's /webhooks/little",
        "https://pay.duka.co.ke/webhooks/little",
    );
    refused_once(
        &little("https://old.duka.co.ke/webhooks/little"),
        "LITTLE_CALLBACK_URL",
        "this Worker answers on pay.duka.co.ke",
        "https://pay.duka.co.ke/webhooks/little",
    );
}

#[test]
fn refuses_routes_the_edge_would_refuse() {
    let f = with("ROUTES", Some("KE=crisscross, UG=stripe"));
    refused_once(
        &f,
        "ROUTES",
        "unknown provider \"stripe\"",
        "COUNTRY[/operator]=provider",
    );
}

#[test]
fn refuses_routes_to_a_provider_that_is_not_configured() {
    let f = with("ROUTES", Some("KE=crisscross, GH=xtopay;verify_phone=off"));
    refused_once(
        &f,
        "ROUTES",
        "sends payments to xtopay but XTOPAY_BASE_URL is not set",
        "configure that provider",
    );
}

#[test]
fn refuses_prompt_limits_the_edge_would_refuse() {
    let f = with("PROMPT_LIMITS", Some("5 per minute"));
    refused_once(
        &f,
        "PROMPT_LIMITS",
        "expected e.g.",
        "5/5 per 600, locked 20",
    );
}

#[test]
fn refuses_a_value_a_providers_configure_refuses() {
    let mut f = parse(READY);
    for (k, v) in [
        ("DOLLR_BASE_URL", "https://api.heydollr.app"),
        ("DOLLR_CLIENT_ID", "dl_1"),
        ("DOLLR_FEE_BEARER", "SHOP"),
    ] {
        f.vars.insert(k.into(), v.into());
    }
    refused_once(
        &f,
        "DOLLR_FEE_BEARER",
        "use CUSTOMER or MERCHANT",
        "lipa.example.toml",
    );
}

#[test]
fn refuses_a_missing_secret_naming_the_command_that_sets_it() {
    let f = parse(READY);
    let all: BTreeSet<String> = required_secrets(&f).iter().map(|s| s.to_string()).collect();
    assert_eq!(
        all,
        [
            "MERCHANT_SECRET_KEY",
            "MERCHANT_WEBHOOK_SECRET",
            "CRISSCROSS_CLIENT_SECRET",
            "CRISSCROSS_WEBHOOK_SECRET"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(check_secrets(&f, &all), []);
    let mut present = all.clone();
    present.remove("CRISSCROSS_WEBHOOK_SECRET");
    let r = check_secrets(&f, &present);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].setting, "CRISSCROSS_WEBHOOK_SECRET");
    assert!(r[0].problem.contains("signing secret"), "{}", r[0].problem);
    assert_eq!(
        r[0].fix,
        "npx wrangler secret put CRISSCROSS_WEBHOOK_SECRET --name duka-pay"
    );
}

#[test]
fn refuses_a_d1_database_the_account_does_not_have() {
    let f = parse(READY);
    let db = |uuid: &str| D1Database {
        uuid: uuid.into(),
        name: "lipa".into(),
    };
    let events = D1Database {
        uuid: "7a1d3c5e-2b4f-4a6c-8e0d-9f1b3d5a7c9e".into(),
        name: "lipa_events".into(),
    };
    assert_eq!(
        check_d1(
            &f,
            &[db("0f6b1c2e-8d3a-4b5c-9e7f-1a2b3c4d5e6f"), events.clone()]
        ),
        []
    );
    let r = check_d1(&f, &[db("11111111-2222-4333-8444-555555555555"), events]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].setting, "[d1] database_id");
    assert!(r[0].problem.contains("lipa (11111111-"), "{}", r[0].problem);
    assert!(r[0].fix.contains("wrangler d1 create lipa`"));
    let r = check_d1(&f, &[db("0f6b1c2e-8d3a-4b5c-9e7f-1a2b3c4d5e6f")]);
    assert_eq!(r.len(), 1, "the event log's database is missing: {r:#?}");
    assert_eq!(r[0].setting, "[d1] events_database_id");
    assert!(r[0].fix.contains("wrangler d1 create lipa_events"));
}

#[test]
fn refuses_pending_migrations_unless_asked_to_apply_them() {
    let files = ["0001_a.sql", "0002_b.sql"].map(String::from);
    assert_eq!(
        pending_migrations("✅ No migrations to apply!", &files),
        Some(vec![])
    );
    let listed = "Migrations to be applied:\n│ 0002_b.sql │\n";
    let pending = pending_migrations(listed, &files).unwrap();
    assert_eq!(pending, ["0002_b.sql"]);
    assert_eq!(pending_migrations("✘ [ERROR] not authorized", &files), None);
    let [payments, events] = DATABASES;
    let r = check_migrations(&events, &pending, false);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].setting, "[d1] events_database_id");
    assert!(r[0]
        .problem
        .contains("lipa_events lacks migrations 0002_b.sql"));
    assert!(r[0].fix.contains("--apply-migrations"));
    assert_eq!(check_migrations(&payments, &pending, true), []);
    assert_eq!(check_migrations(&payments, &[], false), []);
}

#[test]
fn refuses_a_little_callback_that_is_not_where_the_deploy_landed() {
    let mut f = parse(READY);
    f.vars
        .insert("LITTLE_BASE_URL".into(), "https://pay.little.africa".into());
    f.vars.insert(
        "LITTLE_CALLBACK_URL".into(),
        "https://duka-pay.old.workers.dev/webhooks/little".into(),
    );
    let r = check_callback(&f, "https://duka-pay.duka.workers.dev");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].setting, "LITTLE_CALLBACK_URL");
    assert!(r[0]
        .fix
        .contains("\"https://duka-pay.duka.workers.dev/webhooks/little\""));
    assert_eq!(check_callback(&f, "https://duka-pay.old.workers.dev/"), []);
}

#[test]
fn finds_the_demos_values_in_a_bundles_configuration() {
    let markers = crate::demo::markers();
    let clean = "[vars]\nMERCHANT_NAME = \"Duka\"\nCRISSCROSS_BASE_URL = \"https://api.crisscross.money\"\n";
    assert_eq!(demo_values_in(clean, &markers), Vec::<String>::new());
    let demo = "env.CRISSCROSS_BASE_URL (\"http://127.0.0.1:8788/crisscross\")\n\
                env.HONEYCOIN_PUBLIC_KEY (\"pk_sandbox_duka_demo\")\n\
                database_id = \"00000000-0000-4000-8000-000000000001\"\n";
    let found = demo_values_in(demo, &markers);
    assert_eq!(found.len(), 4, "{found:#?}");
}

/// The production template, as `cargo xtask test` checks it.
fn template() -> DeployFile {
    DeployFile::parse(
        include_str!("../../../../edge/lipa.example.toml"),
        "template",
    )
    .unwrap()
}

#[test]
fn the_template_passes_a_dry_run_and_lists_every_setting_with_its_meaning() {
    let t = template();
    let dry = check_file(&t, Mode::DryRun, &crate::demo::values());
    assert_eq!(
        dry.refusals,
        [],
        "the template must pass `deploy --dry-run`"
    );
    let text = include_str!("../../../../edge/lipa.example.toml");
    for section in all_sections() {
        for s in section.settings {
            let listed = match s.kind {
                Kind::Var => text.contains(&format!("{} = ", s.name)),
                Kind::Secret => text.contains(&format!("# secret {}", s.name)),
            };
            assert!(listed, "{} is not in the template", s.name);
        }
    }
    assert_eq!(
        enabled_sections(&t).len(),
        1 + lipa_providers::registry::SECTIONS.len(),
        "the template shows every provider's section"
    );
}

#[test]
fn the_template_without_any_required_setting_fails_the_dry_run() {
    for section in all_sections() {
        for s in section
            .settings
            .iter()
            .filter(|s| s.kind == Kind::Var && s.need == Need::Required)
        {
            let mut t = template();
            t.vars.remove(s.name);
            let r = check_file(&t, Mode::DryRun, &[]).refusals;
            assert!(
                r.iter().any(|r| r.setting == s.name),
                "without {} the dry run passes: {r:#?}",
                s.name
            );
        }
    }
}

#[test]
fn a_route_that_verifies_phones_without_an_sms_gateway_is_refused() {
    let mut t = template();
    t.vars.remove("SMS_GATEWAY_URL");
    let r = check_file(&t, Mode::DryRun, &[]).refusals;
    assert!(r.iter().any(|r| r.setting == "SMS_GATEWAY_URL"), "{r:#?}");
    t.vars.insert(
        "ROUTES".into(),
        "GH=xtopay;verify_phone=off, KE=crisscross, UG=honeycoin, CI=crisscross, \
         RW=dollr, LR=dollr"
            .into(),
    );
    let r = check_file(&t, Mode::DryRun, &[]).refusals;
    assert!(!r.iter().any(|r| r.setting == "SMS_GATEWAY_URL"), "{r:#?}");
    assert!(required_secrets(&template()).contains(&"SMS_GATEWAY_KEY"));
}

#[test]
fn the_readme_documents_every_setting() {
    let readme = include_str!("../../../../README.md");
    for s in all_sections().flat_map(|s| s.settings.iter()) {
        assert!(
            readme.contains(&format!("`{}`", s.name)),
            "README lacks {}",
            s.name
        );
    }
}
