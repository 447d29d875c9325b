//! `cargo xtask deploy [--dry-run] [--config <file>] [--apply-migrations]`: one merchant's
//! Lipa to their own Cloudflare account, from their deployment file (`edge/lipa.toml`, made
//! from `edge/lipa.example.toml`).
//!
//! 1. The file is checked ([`preflight::check_file`]): every setting known and in its place
//!    (no secret in a file), every required setting of the edge and of each configured
//!    provider set, URLs https, no placeholder and no demo value left, and `ROUTES`,
//!    `PROMPT_LIMITS` and each provider's section read by the parsers the edge runs.
//! 2. The widget and the edge are built exactly as `dev` builds them (release, wasm-opt).
//! 3. A real deploy then checks the account: every required secret set (`wrangler secret
//!    list`), each D1 database there ([`crate::d1::DATABASES`]), its migrations applied
//!    (applied with `--apply-migrations`, else refused).
//! 4. `wrangler deploy`, then `GET /health` on the deployed URL, and the webhook URL of each
//!    provider printed for its dashboard.
//!
//! `--dry-run` does everything that needs no account: the file checks, the build, and
//! `wrangler deploy --dry-run` into `target/deploy/bundle`. `cargo xtask test` runs it on the
//! production template ([`check_template`]).

pub mod file;
pub mod preflight;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::d1::{Database, DATABASES};
use file::DeployFile;
use preflight::{Findings, Mode, Refusal};

use crate::tools::node_bin;
use crate::{build, demo, root, step, tools, TaskError, TaskResult};

/// The production template, checked by `cargo xtask test`.
pub const TEMPLATE: &str = "edge/lipa.example.toml";

/// The deployment file used when `--config` is not given.
pub const DEFAULT_FILE: &str = "edge/lipa.toml";

/// What the command was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--config <file>`.
    pub file: PathBuf,
    /// `--apply-migrations`.
    pub apply_migrations: bool,
}

/// Reads the command line after `deploy`.
pub fn parse_args(args: &[String]) -> TaskResult<Options> {
    let mut options = Options {
        dry_run: false,
        file: root().join(DEFAULT_FILE),
        apply_migrations: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dry-run" => options.dry_run = true,
            "--apply-migrations" => options.apply_migrations = true,
            "--config" => {
                let path = args
                    .next()
                    .ok_or_else(|| TaskError("--config needs a file".into()))?;
                options.file = PathBuf::from(path);
            }
            other => {
                return Err(TaskError(format!(
                    "unknown option {other:?}: cargo xtask deploy [--dry-run] [--config <file>] \
                     [--apply-migrations]"
                )))
            }
        }
    }
    if options.file.is_relative() && !options.file.exists() {
        // Relative to the workspace when not found where the command was run.
        let in_root = root().join(&options.file);
        if in_root.exists() {
            options.file = in_root;
        }
    }
    Ok(options)
}

/// Fails with every refusal, each naming its setting and its fix.
fn refuse(what: &str, refusals: &[Refusal]) -> TaskResult {
    if refusals.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = refusals.iter().map(|r| format!("  - {r}")).collect();
    Err(TaskError(format!(
        "{what}: nothing was uploaded.\n{}",
        list.join("\n")
    )))
}

fn print_notes(findings: &Findings) {
    for note in &findings.notes {
        println!("  note: {note}");
    }
}

/// wrangler, for account commands: the merchant's own login (`npx wrangler login`) or
/// `CLOUDFLARE_API_TOKEN`, run from the workspace.
fn wrangler() -> Command {
    let mut cmd = Command::new(node_bin("wrangler"));
    cmd.current_dir(root())
        .env("WRANGLER_SEND_METRICS", "false");
    cmd
}

/// Runs `cmd`, capturing its output, which is also printed; fails naming `what`.
fn captured(cmd: &mut Command, what: &str) -> TaskResult<Output> {
    let output = cmd
        .stdin(Stdio::inherit())
        .output()
        .map_err(|e| TaskError(format!("could not start {what}: {e}")))?;
    print!("{}", String::from_utf8_lossy(&output.stdout));
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        Ok(output)
    } else {
        Err(TaskError(format!("{what} failed with {}", output.status)))
    }
}

/// Runs `cmd`, capturing its output, which is printed only when it fails.
fn quiet(cmd: &mut Command, what: &str) -> TaskResult<Output> {
    let output = cmd
        .stdin(Stdio::inherit())
        .output()
        .map_err(|e| TaskError(format!("could not start {what}: {e}")))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(TaskError(format!(
            "{what} failed with {}:\n{}",
            output.status,
            text_of(&output)
        )))
    }
}

fn text_of(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The migrations of `db` (in `edge/<its migrations_dir>`), by file name.
fn migration_files(db: &Database) -> TaskResult<Vec<String>> {
    let dir = root().join("edge").join(db.migrations_dir);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| TaskError(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    Ok(names)
}

/// `target/deploy`, created, as a real path (wrangler resolves paths relative to its config
/// file and would be misled by a symlinked `target`).
fn deploy_dir() -> TaskResult<PathBuf> {
    let dir = root().join("target/deploy");
    std::fs::create_dir_all(&dir).map_err(|e| TaskError(format!("{}: {e}", dir.display())))?;
    std::fs::canonicalize(&dir).map_err(|e| TaskError(format!("{}: {e}", dir.display())))
}

/// Writes the configuration wrangler uploads (`target/deploy/wrangler.toml`).
fn write_wrangler_config(file: &DeployFile) -> TaskResult<PathBuf> {
    let edge = root().join("edge");
    let base = std::fs::read_to_string(edge.join("wrangler.toml"))
        .map_err(|e| TaskError(format!("edge/wrangler.toml: {e}")))?;
    let ids: Vec<(&str, &str)> = DATABASES
        .iter()
        .map(|db| (db.name, file.d1.id_of(db)))
        .filter(|(_, id)| !id.is_empty() && !preflight::is_placeholder(id))
        .collect();
    let text = file::wrangler_config(&base, &edge, file, &ids)?;
    let path = deploy_dir()?.join("wrangler.toml");
    std::fs::write(&path, text).map_err(|e| TaskError(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// The webhook URLs to register, before the Worker's address is known.
fn print_webhook_urls_from_file(file: &DeployFile) {
    let host = file
        .worker
        .domain
        .clone()
        .unwrap_or_else(|| format!("{}.<your account>.workers.dev", file.worker.name));
    println!("\nWebhook URLs to register in each provider's dashboard:");
    for section in preflight::enabled_sections(file) {
        if let Some(p) = section
            .provider
            .filter(|p| *p != lipa_providers::ProviderId::Dollr)
        {
            println!("  {:<11} https://{host}/webhooks/{}", p.brand(), p.name());
        }
    }
}

/// `cargo xtask deploy …`.
pub fn deploy(args: &[String]) -> TaskResult {
    let options = parse_args(args)?;
    let mode = if options.dry_run {
        Mode::DryRun
    } else {
        Mode::Deploy
    };
    step(&format!("checking {}", options.file.display()));
    let file = DeployFile::read(&options.file)?;
    let findings = preflight::check_file(&file, mode, &demo::values());
    print_notes(&findings);
    refuse(
        &format!("{} is not ready to deploy", options.file.display()),
        &findings.refusals,
    )?;
    println!("  the file is complete for: {}", configured_list(&file));

    let config = write_wrangler_config(&file)?;
    let config_arg = config.to_string_lossy().into_owned();
    // Read-only account checks first, so a missing secret fails before a minute of build.
    let pending = if options.dry_run {
        Vec::new()
    } else {
        check_account(&file, &config_arg, options.apply_migrations)?
    };

    tools::ensure_build_tools()?;
    build::widget()?;
    build::worker("edge")?;

    if options.dry_run {
        step("wrangler deploy --dry-run (no account needed)");
        let outdir = deploy_dir()?.join("bundle");
        let _ = std::fs::remove_dir_all(&outdir);
        captured(
            wrangler()
                .env("CI", "true")
                .args(["deploy", "--dry-run", "--outdir"])
                .arg(&outdir)
                .args(["-c", &config_arg]),
            "wrangler deploy --dry-run",
        )?;
        print_webhook_urls_from_file(&file);
        println!(
            "\nDry run complete: the bundle is in {} and its configuration in {}.",
            outdir.display(),
            config.display()
        );
        return Ok(());
    }

    for (db, migrations) in pending.iter().filter(|(_, m)| !m.is_empty()) {
        step(&format!(
            "applying {} migration(s) to D1 {} (remote)",
            migrations.len(),
            db.name
        ));
        captured(
            wrangler().env("CI", "true").args([
                "d1",
                "migrations",
                "apply",
                db.name,
                "--remote",
                "-c",
                &config_arg,
            ]),
            &format!("wrangler d1 migrations apply {} --remote", db.name),
        )?;
    }

    step("wrangler deploy");
    let deployed = captured(
        wrangler().args(["deploy", "-c", &config_arg]),
        "wrangler deploy",
    )?;
    let origin = match &file.worker.domain {
        Some(domain) => format!("https://{domain}"),
        None => deployed_url(&text_of(&deployed)).ok_or_else(|| {
            TaskError("deployed, but wrangler printed no https://…workers.dev URL".into())
        })?,
    };
    step(&format!("GET {origin}/health"));
    let health = wait_for_health(&origin)?;
    println!("{health}");
    print_webhook_urls(&health);
    refuse("deployed, but", &preflight::check_callback(&file, &origin))?;
    println!("\nLipa is live at {origin}");
    Ok(())
}

/// The read-only account checks of a real deploy: every required secret set, each D1
/// database there, its migrations applied (or `apply` asked). Answers each database's
/// migrations to apply.
fn check_account(
    file: &DeployFile,
    config_arg: &str,
    apply: bool,
) -> TaskResult<Vec<(Database, Vec<String>)>> {
    step("checking the account: secrets, D1 database, migrations");
    let mut refusals = Vec::new();
    let secrets = wrangler()
        .args([
            "secret",
            "list",
            "--format",
            "json",
            "--name",
            &file.worker.name,
        ])
        .args(["-c", config_arg])
        .output()
        .map_err(|e| TaskError(format!("wrangler secret list: {e}")))?;
    let present: BTreeSet<String> = if secrets.status.success() {
        serde_json::from_slice::<Vec<serde_json::Value>>(&secrets.stdout)
            .map_err(|e| {
                TaskError(format!(
                    "wrangler secret list answered {e}: {}",
                    text_of(&secrets)
                ))
            })?
            .iter()
            .filter_map(|s| s.get("name").and_then(|n| n.as_str()).map(str::to_string))
            .collect()
    } else {
        let text = text_of(&secrets);
        if !text.contains("10007")
            && !text.to_ascii_lowercase().contains("not found")
            && !text.contains("does not exist")
        {
            return Err(TaskError(format!(
                "wrangler secret list failed (are you logged in? `npx wrangler login` or \
                 CLOUDFLARE_API_TOKEN):\n{text}"
            )));
        }
        // No Worker of that name yet: it has no secrets.
        BTreeSet::new()
    };
    refusals.extend(preflight::check_secrets(file, &present));
    for name in ["MERCHANT_SECRET_KEY_NEXT", "MERCHANT_WEBHOOK_SECRET_NEXT"] {
        if present.contains(name) {
            println!(
                "  note: {name} is set: a rotation is in progress (README, \"Rotating keys \
                 without downtime\")"
            );
        }
    }
    let d1 = quiet(
        wrangler().args(["d1", "list", "--json"]),
        "wrangler d1 list",
    )?;
    let listed: Vec<preflight::D1Database> = serde_json::from_slice(&d1.stdout)
        .map_err(|e| TaskError(format!("wrangler d1 list --json answered {e}")))?;
    let d1_refusals = preflight::check_d1(file, &listed);
    refusals.extend(d1_refusals);
    refuse("the account is not ready", &refusals)?;
    let mut pending = Vec::new();
    for db in DATABASES {
        let migrations = migration_files(&db)?;
        let list = captured(
            wrangler().env("CI", "true").args([
                "d1",
                "migrations",
                "list",
                db.name,
                "--remote",
                "-c",
                config_arg,
            ]),
            &format!("wrangler d1 migrations list {} --remote", db.name),
        )?;
        let missing =
            preflight::pending_migrations(&text_of(&list), &migrations).ok_or_else(|| {
                TaskError(format!(
                    "could not read which migrations the database {} has (above)",
                    db.name
                ))
            })?;
        refuse(
            &format!("the database {} is not ready", db.name),
            &preflight::check_migrations(&db, &missing, apply),
        )?;
        pending.push((db, missing));
    }
    Ok(pending)
}

fn configured_list(file: &DeployFile) -> String {
    let providers: Vec<&str> = preflight::enabled_sections(file)
        .iter()
        .filter_map(|s| s.provider)
        .map(|p| p.brand())
        .collect();
    if providers.is_empty() {
        "no provider".into()
    } else {
        providers.join(", ")
    }
}

/// The `https://…workers.dev` URL in wrangler's deploy output.
pub fn deployed_url(output: &str) -> Option<String> {
    output
        .split_whitespace()
        .find(|w| w.starts_with("https://") && w.contains(".workers.dev"))
        .map(|w| w.trim_end_matches(['/', ',', '.']).to_string())
}

/// `GET {origin}/health` (with node's fetch: no TLS client in xtask) until it answers 200 or
/// two minutes pass (a new workers.dev host or custom domain takes a moment).
fn wait_for_health(origin: &str) -> TaskResult<serde_json::Value> {
    let url = format!("{origin}/health");
    let script = "fetch(process.argv[1]).then(async r => { console.log(r.status); \
                  console.log(await r.text()); }, e => { console.log(0); console.log(String(e)); })";
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = Command::new("node")
            .args(["-e", script, &url])
            .output()
            .map_err(|e| TaskError(format!("node: {e}")))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (status, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        match status.trim() {
            "200" => {
                return serde_json::from_str(body.trim()).map_err(|e| {
                    TaskError(format!("{url} answered 200 but not JSON ({e}): {body}"))
                })
            }
            // The edge read its configuration and refused it: say why, at once.
            "500" if body.contains("misconfigured") => {
                return Err(TaskError(format!(
                    "deployed, but the edge refuses its configuration: {}",
                    body.trim()
                )))
            }
            _ if Instant::now() > deadline => {
                return Err(TaskError(format!(
                    "deployed, but {url} did not answer 200 within 2 minutes: {} {}",
                    status.trim(),
                    body.trim()
                )))
            }
            _ => std::thread::sleep(Duration::from_secs(3)),
        }
    }
}

/// Prints the webhook URLs `/health` lists.
fn print_webhook_urls(health: &serde_json::Value) {
    let Some(hooks) = health.get("webhooks").and_then(|w| w.as_array()) else {
        return;
    };
    println!("\nWebhook URLs to register in each provider's dashboard:");
    for h in hooks {
        let brand = h.get("brand").and_then(|v| v.as_str()).unwrap_or_default();
        let url = h.get("url").and_then(|v| v.as_str()).unwrap_or_default();
        println!("  {brand:<11} {url}");
        if let Some(callback) = h.get("callback_url").and_then(|v| v.as_str()) {
            println!("  {:<11} (sent with each payment as {callback})", "");
        }
    }
}

/// `cargo xtask test`'s deploy step: `cargo xtask deploy --dry-run` on the production
/// template (no account, no network), which must pass, and whose upload configuration and
/// printed bindings must carry none of the demo's values.
pub fn check_template() -> TaskResult {
    step(&format!("cargo xtask deploy --dry-run --config {TEMPLATE}"));
    let exe = std::env::current_exe().map_err(|e| TaskError(format!("xtask: {e}")))?;
    let output = Command::new(exe)
        .args(["deploy", "--dry-run", "--config"])
        .arg(root().join(TEMPLATE))
        .current_dir(root())
        .output()
        .map_err(|e| TaskError(format!("xtask deploy: {e}")))?;
    let printed = text_of(&output);
    print!("{}", String::from_utf8_lossy(&output.stdout));
    if !output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        return Err(TaskError(format!(
            "the production template does not pass `deploy --dry-run` ({})",
            output.status
        )));
    }
    let config_path = deploy_dir()?.join("wrangler.toml");
    let config = std::fs::read_to_string(&config_path)
        .map_err(|e| TaskError(format!("{}: {e}", config_path.display())))?;
    verify_bundle_configuration(&config, &printed, &deploy_dir()?.join("bundle"))
}

/// The dry run's configuration (the upload config and the bindings wrangler printed) holds
/// the template's settings and none of the demo's values, and the bundle was written.
pub fn verify_bundle_configuration(config: &str, printed: &str, bundle: &Path) -> TaskResult {
    let parsed: toml::Table =
        toml::from_str(config).map_err(|e| TaskError(format!("upload config: {e}")))?;
    let vars = parsed
        .get("vars")
        .and_then(|v| v.as_table())
        .ok_or_else(|| TaskError("the upload config has no [vars]".into()))?;
    if !vars.contains_key("MERCHANT_WEBHOOK_URL") || !vars.contains_key("ROUTES") {
        return Err(TaskError(format!(
            "the upload config does not carry the deployment file's settings: {vars:?}"
        )));
    }
    let mut found = preflight::demo_values_in(config, &demo::markers());
    found.extend(preflight::demo_values_in(printed, &demo::markers()));
    if !found.is_empty() {
        return Err(TaskError(format!(
            "the demo's values are in the deploy bundle's configuration: {}",
            found.join("; ")
        )));
    }
    let has_bundle = std::fs::read_dir(bundle)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        })
        .unwrap_or(false);
    if !has_bundle {
        return Err(TaskError(format!(
            "no wasm in the dry run's bundle {}",
            bundle.display()
        )));
    }
    println!("  the bundle's configuration carries the template's settings and none of the demo's values");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_workers_dev_url_from_wranglers_output() {
        let out = "Uploaded lipa-edge (4.20 sec)\nDeployed lipa-edge triggers (0.31 sec)\n  \
                   https://lipa-edge.duka.workers.dev\nCurrent Version ID: 1f2e";
        assert_eq!(
            deployed_url(out).as_deref(),
            Some("https://lipa-edge.duka.workers.dev")
        );
        assert_eq!(
            deployed_url("Uploaded lipa-edge\n  pay.duka.co.ke (custom domain)"),
            None
        );
    }

    #[test]
    fn options_are_read_and_unknown_ones_refused() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let o = args(&["--dry-run", "--config", "/tmp/shop.toml"]).unwrap();
        assert!(o.dry_run && !o.apply_migrations);
        assert_eq!(o.file, PathBuf::from("/tmp/shop.toml"));
        assert!(args(&["--apply-migrations"]).unwrap().apply_migrations);
        assert!(args(&["--config"]).is_err());
        assert!(args(&["--force"]).unwrap_err().0.contains("--force"));
    }

    #[test]
    fn the_bundle_check_fails_on_a_demo_value_and_passes_a_clean_configuration() {
        let bundle = std::env::temp_dir().join(format!("lipa-bundle-test-{}", std::process::id()));
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::write(bundle.join("index_bg.wasm"), b"\0asm").unwrap();
        let clean = "[vars]\nMERCHANT_WEBHOOK_URL = \"https://duka.co.ke/hooks\"\nROUTES = \"KE=crisscross\"\n";
        assert!(
            verify_bundle_configuration(clean, "env.ROUTES (\"KE=crisscross\")", &bundle).is_ok()
        );
        let printed = "env.CRISSCROSS_BASE_URL (\"http://127.0.0.1:8788/crisscross\")";
        let e = verify_bundle_configuration(clean, printed, &bundle).unwrap_err();
        assert!(e.0.contains("127.0.0.1"), "{e}");
        let demo = format!("{clean}MERCHANT_NAME = \"Duka Demo Shop\"\n");
        assert!(verify_bundle_configuration(&demo, "", &bundle).is_err());
        assert!(
            verify_bundle_configuration("[vars]\n", "", &bundle).is_err(),
            "no settings at all"
        );
        std::fs::remove_dir_all(&bundle).unwrap();
        assert!(
            verify_bundle_configuration(clean, "", &bundle).is_err(),
            "no bundle"
        );
    }
}
