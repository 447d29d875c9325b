//! `cargo xtask dev | test | e2e | bench | fuzz`: installs what is missing, builds, runs.
//!
//! - `dev`: tools, build, D1 migrations, then edge on 127.0.0.1:8787 and sandbox on
//!   127.0.0.1:8788 until Ctrl-C; `--webhook-url URL` (or `LIPA_WEBHOOK_URL`) sends the
//!   edge's merchant events to the developer's own server instead of the demo shop.
//! - `test`: fmt, clippy (native and wasm32), native tests, then the whole system on free
//!   loopback ports and the end-to-end suite in headless Chromium.
//!   Then schemathesis checks the merchant API against its OpenAPI contract on the same
//!   running system ([`contract`]).
//! - `contract`: build, start the system, and only the schemathesis run.
//! - `e2e [name…]`: build, then only the end-to-end files whose names contain a `name`
//!   (all of them without one), for iterating on one provider. A file that reads
//!   `OWN_EDGE_URL` also gets a second edge whose events go to its receiver on
//!   `OWN_WEBHOOK_PORT`.
//! - `bench`: the system on free ports, then sizes and latencies, printed and written to
//!   BENCHMARKS.md.
//! - `profile [rounds]`: the bench's system, and the edge's CPU per request type split by
//!   where Linux's `perf` finds workerd spending it: the edge's own code, storage (SQLite),
//!   the V8 and binding runtime, the kernel, and the garbage-collection pauses on its request
//!   thread by length (`tests/bench/profile.mjs`); printed, not written.
//! - `cost [rounds]`: the bench's system, and only its table of the edge's CPU per request type
//!   (`tests/bench/cost.mjs`, 50 rounds by default), for trying a change without the whole
//!   bench; printed, not written.
//! - `throughput [n]`: the bench's system, and only its throughput run (`n` approving
//!   checkouts, 1200 by default; `LIPA_THROUGHPUT_CONCURRENCY` in flight, 192 by default) with
//!   the machine's CPU split and each route's time to final; printed, not written.
//! - `fuzz [--runs N] [target…]`: every cargo-fuzz target (nightly) for a million executions
//!   in one job, on the committed corpus, which it then minimizes ([`fuzz`]).
//! - `deploy [--dry-run] [--config <file>] [--apply-migrations]`: a merchant's Lipa to their
//!   Cloudflare account, every setting and secret checked before anything is uploaded
//!   ([`deploy`]).

mod build;
mod contract;
mod d1;
mod demo;
mod deploy;
mod fuzz;
mod system;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// A failed step, with what to do about it.
#[derive(Debug)]
pub struct TaskError(pub String);

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every step returns.
pub type TaskResult<T = ()> = Result<T, TaskError>;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Prints a step's title, so long steps say what they are doing.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs a command in `dir`, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> TaskResult {
    let status = cmd
        .status()
        .map_err(|e| TaskError(format!("could not start {cmd:?}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(TaskError(format!("{cmd:?} failed with {status}")))
    }
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "dev" => dev(&std::env::args().skip(2).collect::<Vec<_>>()),
        "build" => tools::ensure_build_tools().and_then(|()| build::all()),
        "test" => test(),
        "e2e" => e2e(&std::env::args().skip(2).collect::<Vec<_>>()),
        "contract" => contract_only(),
        "bench" => bench(),
        "profile" => profile(std::env::args().nth(2)),
        "cost" => cost(std::env::args().nth(2)),
        "throughput" => throughput(std::env::args().nth(2)),
        "fuzz" => fuzz::fuzz(&std::env::args().skip(2).collect::<Vec<_>>()),
        "deploy" => deploy::deploy(&std::env::args().skip(2).collect::<Vec<_>>()),
        _ => {
            eprintln!(
                "usage: cargo xtask <dev [--webhook-url URL]|build|test|e2e [name…]|contract|bench|\
                 profile [rounds]|cost [rounds]|throughput [n]|fuzz [--runs N] [target…]|deploy [--dry-run] [--config <file>] [--apply-migrations]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask {task} failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `dev`'s options: `--webhook-url URL` (or `--webhook-url=URL`) sends the edge's merchant
/// events to the developer's own server, as [`system::WEBHOOK_URL_VAR`] does.
fn dev_webhook_url(args: &[String]) -> TaskResult<Option<String>> {
    let mut url = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--webhook-url") {
            Some("") => args.next().cloned(),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        match value {
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => url = Some(v),
            _ => {
                return Err(TaskError(format!(
                    "cargo xtask dev takes only --webhook-url http(s)://…, not {arg:?}"
                )))
            }
        }
    }
    Ok(url.or_else(|| {
        std::env::var(system::WEBHOOK_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())
    }))
}

fn dev(args: &[String]) -> TaskResult {
    let webhook_url = dev_webhook_url(args)?;
    if let Some(url) = &webhook_url {
        // Read by the system's start (dev mode only), as if the developer had exported it.
        std::env::set_var(system::WEBHOOK_URL_VAR, url);
    }
    tools::ensure_build_tools()?;
    build::all()?;
    let state = root().join("target/dev-state");
    let system = system::System::start(
        8787,
        8788,
        &state,
        system::Mode::Dev,
        system::Runner::WranglerDev,
    )?;
    println!("\nLipa is running on 127.0.0.1:");
    println!("  demo shop     {}/shop", system.sandbox_url());
    println!(
        "  shop (Lipa.open example) {}/shop?integration=js",
        system.sandbox_url()
    );
    println!("  handset       {}/handset", system.sandbox_url());
    println!("  edge          {}", system.edge_url());
    match &webhook_url {
        Some(url) => println!("  merchant events → {url} (your server)"),
        None => println!(
            "  merchant events → the demo shop (--webhook-url URL or {} to send them to your server)",
            system::WEBHOOK_URL_VAR
        ),
    }
    println!("\nYour server's keys (sandbox-only: they open nothing but this local sandbox):");
    println!("  secret key      {}", system::MERCHANT_SECRET_KEY);
    println!("  webhook secret  {}", system::MERCHANT_WEBHOOK_SECRET);
    println!("\nSandbox test numbers (Kenya, e.g. 0712 000 001; the last two digits decide):");
    for (suffix, what) in system::TEST_NUMBERS {
        println!("  {suffix:<6} {what}");
    }
    println!(
        "  One number gets at most 5 prompts per 10 minutes: any prefix works, so vary the\n  digits before the last two (0712 345 601, 0799 100 201, …) for fresh numbers."
    );
    println!("\nPress Ctrl-C to stop everything.");
    system.wait_for_interrupt()
}

fn test() -> TaskResult {
    let root = root();
    step("cargo fmt --check");
    run(Command::new("cargo")
        .args(["fmt", "--all", "--check"])
        .current_dir(&root))?;
    tools::ensure_build_tools()?;
    step("cargo clippy (native)");
    run(Command::new("cargo")
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&root))?;
    step("cargo clippy (wasm32: edge, sandbox, widget)");
    run(Command::new("cargo")
        .args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "lipa-edge",
            "-p",
            "lipa-sandbox",
            "-p",
            "lipa-widget",
            "-p",
            "lipa-api",
            "-p",
            "lipa-providers",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&root))?;
    step("cargo test (native)");
    run(Command::new("cargo")
        .args(["test", "--workspace"])
        .current_dir(&root))?;
    // No account, no network: a change that would break a merchant's deploy fails here.
    deploy::check_template()?;
    e2e_then(&[], true)
}

/// Builds, starts the system and runs only the schemathesis contract check.
fn contract_only() -> TaskResult {
    tools::ensure_build_tools()?;
    contract::ensure_schemathesis()?;
    build::all()?;
    let system = system::System::start_on_free_ports(
        &root().join("target/test-state"),
        system::Runner::WranglerDev,
    )?;
    contract::check(&system)
}

fn e2e(names: &[String]) -> TaskResult {
    e2e_then(names, false)
}

/// The end-to-end files named (all without a name), then, when `contract` and they passed,
/// the schemathesis check against the same running system.
fn e2e_then(names: &[String], contract: bool) -> TaskResult {
    let root = root();
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_php()?;
    if contract {
        contract::ensure_schemathesis()?;
    }
    // After schemathesis, whose install recreates the venv both use.
    let python_webhooks = tools::ensure_python_webhooks()?;
    build::all()?;
    let state = root.join("target/test-state");
    let mut system = system::System::start_on_free_ports(&state, system::Runner::WranglerDev)?;
    let mut files: Vec<String> = std::fs::read_dir(root.join("tests/e2e"))
        .map_err(|e| TaskError(format!("tests/e2e: {e}")))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            names.is_empty() || names.iter().any(|n| name.contains(n.as_str()))
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut node = Command::new("node");
    node.env("LIPA_PYTHON_WEBHOOKS", &python_webhooks);
    // Files that read OWN_EDGE_URL get a second edge whose merchant events go to their own
    // receiver on OWN_WEBHOOK_PORT, as `cargo xtask dev --webhook-url` would send them.
    let wants_own_edge = files
        .iter()
        .any(|f| std::fs::read_to_string(f).is_ok_and(|text| text.contains("OWN_EDGE_URL")));
    if wants_own_edge {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| TaskError(format!("no free port: {e}")))?;
        let own = system.start_own_edge(&format!("http://127.0.0.1:{port}/hooks"))?;
        node.env("OWN_EDGE_URL", own)
            .env("OWN_WEBHOOK_PORT", port.to_string());
    }
    step("end-to-end suite (headless Chromium)");
    let result = run(system
        .env(&mut node)
        .args(["--test", "--test-concurrency=1"])
        .args(&files)
        .current_dir(&root));
    let result = match result {
        Ok(()) if contract => contract::check(&system),
        other => other,
    };
    drop(system);
    if result.is_err() {
        for name in ["edge", "sandbox"] {
            let path = state.join(format!("{name}.log"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            eprintln!(
                "\n==> the last lines of {} ({} lines in all):",
                path.display(),
                lines.len()
            );
            for line in &lines[lines.len().saturating_sub(40)..] {
                eprintln!("{line}");
            }
        }
    }
    result
}

/// `profile [rounds]`: see the module's documentation.
fn profile(rounds: Option<String>) -> TaskResult {
    tools::ensure_perf()?;
    rounds_on_bench_system(
        "profiling the edge (perf)",
        "tests/bench/profile.mjs",
        ("LIPA_PROFILE_ROUNDS", rounds.unwrap_or_else(|| "40".into())),
    )
}

/// `cost [rounds]`: see the module's documentation.
fn cost(rounds: Option<String>) -> TaskResult {
    rounds_on_bench_system(
        "the edge's CPU per request type",
        "tests/bench/cost.mjs",
        ("LIPA_COST_SAMPLES", rounds.unwrap_or_else(|| "50".into())),
    )
}

/// `throughput [n]`: see the module's documentation.
fn throughput(n: Option<String>) -> TaskResult {
    rounds_on_bench_system(
        "throughput",
        "tests/bench/throughput.mjs",
        ("LIPA_THROUGHPUT_N", n.unwrap_or_else(|| "1200".into())),
    )
}

/// Builds, starts the bench's system and runs one of its scripts with `rounds` set.
fn rounds_on_bench_system(what: &str, script: &str, rounds: (&str, String)) -> TaskResult {
    let root = root();
    tools::ensure_build_tools()?;
    build::all()?;
    let state = system::bench_state();
    let system = system::System::start_on_free_ports(&state, system::Runner::Workerd)?;
    step(what);
    let mut cmd = Command::new("node");
    system
        .env(&mut cmd)
        .arg(script)
        .env(rounds.0, rounds.1)
        .current_dir(&root);
    run(&mut cmd)
}

fn bench() -> TaskResult {
    let root = root();
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    // Without perf the bench still runs; its CPU split then says "Not measured".
    if let Err(e) = tools::ensure_perf() {
        eprintln!("no perf ({e}): the bench runs without the CPU split");
    }
    build::all()?;
    let state = system::bench_state();
    let system = system::System::start_on_free_ports(&state, system::Runner::Workerd)?;
    step("benchmarks");
    let output = system
        .env(&mut Command::new("node"))
        .arg("tests/bench/bench.mjs")
        .current_dir(&root)
        .output()
        .map_err(|e| TaskError(format!("node tests/bench/bench.mjs: {e}")))?;
    drop(system);
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        return Err(TaskError("the benchmark script failed".into()));
    }
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{report}");
    std::fs::write(root.join("BENCHMARKS.md"), report)
        .map_err(|e| TaskError(format!("BENCHMARKS.md: {e}")))
}
