//! The merchant API against its OpenAPI contract: schemathesis (PyPI, in a venv under
//! `target/py`) generates requests from `GET /v1/openapi.json` and sends them to the running
//! edge with the merchant's key. It fails on any server error, any response that breaks its
//! schema and any status code the document does not list.
//!
//! Data is both valid and invalid (`--mode all`): a request the document forbids must still
//! get a documented 4xx, never a 5xx. The run is deterministic (schemathesis's deterministic
//! generation, which keeps no example database and needs no seed; one worker) and bounded
//! (a few examples per operation).
//!
//! `POST /v1/payouts` is left out: a valid generated body is a real payout to a real-looking
//! wallet, each one a provider call, a Durable Object and a webhook to the demo shop, which
//! later end-to-end runs would see. Nothing here starts a payment (the merchant API cannot), so
//! the sandbox's per-phone prompt limits are never touched. Refunds stay in: generated
//! `payment_id`s name no payment, so they are answered 404 and move nothing. Checkouts stay
//! in too: creating one prompts nobody.

use std::path::PathBuf;
use std::process::Command;

use crate::system::{System, MERCHANT_SECRET_KEY};
use crate::{root, run, step, TaskError, TaskResult};

/// The schemathesis release the run uses.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Examples generated per operation and phase: enough to reach every documented answer,
/// few enough that the step takes well under three minutes on two cores.
pub const MAX_EXAMPLES: u32 = 20;

fn venv() -> PathBuf {
    root().join("target/py")
}

fn st() -> PathBuf {
    venv().join("bin/st")
}

/// Debian's `python3-venv` when `python3 -m venv` cannot make a venv with pip, then
/// schemathesis at [`SCHEMATHESIS_VERSION`] from PyPI into `target/py`.
pub fn ensure_schemathesis() -> TaskResult {
    let have = Command::new(st())
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if have.contains(SCHEMATHESIS_VERSION) {
        return Ok(());
    }
    let make_venv = || {
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(venv())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !make_venv() {
        step("apt-get install python3-venv (once)");
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "python3-venv"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        if !make_venv() {
            return Err(TaskError("python3 -m venv target/py failed".into()));
        }
    }
    step(&format!(
        "pip install schemathesis=={SCHEMATHESIS_VERSION} (once)"
    ));
    run(Command::new(venv().join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]))
}

/// Runs schemathesis against the running `system`'s edge.
pub fn check(system: &System) -> TaskResult {
    ensure_schemathesis()?;
    let edge = system.edge_url();
    step("schemathesis: the merchant API against its OpenAPI contract");
    run(Command::new(st())
        .arg("run")
        .arg(format!("{edge}/v1/openapi.json"))
        .args(["--url", &edge])
        .args(["--header", &format!("Authorization: Bearer {MERCHANT_SECRET_KEY}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--mode", "all"])
        .args(["--max-examples", &MAX_EXAMPLES.to_string()])
        .arg("--generation-deterministic")
        .args(["--workers", "1"])
        .args(["--request-timeout", "30"])
        // See the module's doc: a generated payout is a real one.
        .args(["--exclude-operation-id", "createPayout"])
        .env("NO_COLOR", "1")
        // Its crash-reproduction cache goes to target/.schemathesis.
        .current_dir(root().join("target")))
}
