//! Installs what the build needs, from the registries only, and skips what is there.

use std::path::PathBuf;
use std::process::Command;

use crate::{root, run, step, TaskError, TaskResult};

/// The version Cargo.lock resolves for `package`.
pub fn locked_version(package: &str) -> TaskResult<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| TaskError(format!("Cargo.lock: {e}")))?;
    let needle = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err(TaskError(format!("{package} is not in Cargo.lock")))
}

fn output_of(cmd: &str, args: &[&str]) -> Option<String> {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin").join(name)
}

/// `node_modules/.bin/<name>`.
pub fn node_bin(name: &str) -> PathBuf {
    root().join("node_modules/.bin").join(name)
}

/// The wasm-bindgen CLI at the locked version.
pub fn wasm_bindgen() -> PathBuf {
    cargo_bin("wasm-bindgen")
}

/// worker-build.
pub fn worker_build() -> PathBuf {
    cargo_bin("worker-build")
}

fn ensure_cargo_tool(crate_name: &str, bin: &str, version: &str) -> TaskResult {
    let have = output_of(&cargo_bin(bin).to_string_lossy(), &["--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w == version) {
        return Ok(());
    }
    step(&format!(
        "installing {crate_name} {version} (a few minutes, once)"
    ));
    // Without --locked: the crates mirror lags behind some versions in the tool's lockfile.
    run(Command::new("cargo").args(["install", crate_name, "--version", &format!("={version}")]))
}

/// The nightly toolchain of the widget's release build ([`crate::build::widget`]), pinned so
/// that the bundle does not change under a new nightly. Clippy, the tests and the workers stay
/// on stable.
pub const WIDGET_NIGHTLY: &str = "nightly-2026-05-19";

/// [`WIDGET_NIGHTLY`] with the standard library's source (`-Zbuild-std` builds it), installed
/// from static.rust-lang.org when missing.
pub fn ensure_widget_toolchain() -> TaskResult {
    let sysroot = output_of(
        "rustc",
        &[&format!("+{WIDGET_NIGHTLY}"), "--print", "sysroot"],
    );
    let has_source = sysroot.is_some_and(|s| {
        PathBuf::from(s.trim())
            .join("lib/rustlib/src/rust/library/std")
            .is_dir()
    });
    if has_source {
        return Ok(());
    }
    step(&format!(
        "rustup toolchain install {WIDGET_NIGHTLY} with rust-src (the widget's build, once)"
    ));
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        WIDGET_NIGHTLY,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
}

/// The wasm target, wasm-bindgen-cli, worker-build, the widget's nightly and the npm tools.
pub fn ensure_build_tools() -> TaskResult {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step("rustup target add wasm32-unknown-unknown");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    ensure_cargo_tool(
        "wasm-bindgen-cli",
        "wasm-bindgen",
        &locked_version("wasm-bindgen")?,
    )?;
    ensure_cargo_tool("worker-build", "worker-build", &locked_version("worker")?)?;
    ensure_widget_toolchain()?;
    let root = root();
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (
        installed.metadata(),
        root.join("package-lock.json").metadata(),
    ) {
        (Ok(i), Ok(l)) => match (i.modified(), l.modified()) {
            (Ok(i), Ok(l)) => i >= l,
            _ => false,
        },
        _ => false,
    };
    if !fresh || !node_bin("wrangler").exists() {
        step("npm ci (wrangler, binaryen's wasm-opt, esbuild, playwright-core)");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root))?;
    }
    Ok(())
}

/// PyPI's `standardwebhooks`, pinned: the end-to-end suite proves it accepts Lipa's real
/// deliveries (as npm's `standardwebhooks`, in package.json, does).
pub const PYPI_STANDARDWEBHOOKS: &str = "standardwebhooks==1.1.0";

/// A Python virtual environment under `target/py` holding [`PYPI_STANDARDWEBHOOKS`] (from
/// PyPI, once); returns its `python`.
pub fn ensure_python_webhooks() -> TaskResult<PathBuf> {
    let venv = crate::root().join("target/py");
    let python = venv.join("bin/python");
    let installed = output_of(
        &python.to_string_lossy(),
        &["-m", "pip", "show", "standardwebhooks"],
    )
    .is_some_and(|o| {
        let version = PYPI_STANDARDWEBHOOKS
            .rsplit("==")
            .next()
            .unwrap_or_default();
        o.lines().any(|l| l == format!("Version: {version}"))
    });
    if installed {
        return Ok(python);
    }
    step(&format!(
        "python3 -m venv target/py; pip install {PYPI_STANDARDWEBHOOKS} (once)"
    ));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PYPI_STANDARDWEBHOOKS,
    ]))?;
    Ok(python)
}

/// Debian's PHP command line, which runs the README's PHP webhook-verification snippet in the
/// end-to-end suite (as python3 runs the Python one).
pub fn ensure_php() -> TaskResult {
    if PathBuf::from("/usr/bin/php").exists() {
        return Ok(());
    }
    step("apt-get install php-cli (once)");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "php-cli"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Debian's Chromium for the end-to-end suite.
pub fn ensure_browser() -> TaskResult {
    ensure_debian_package("/usr/bin/chromium", "chromium")
}

/// Linux's `perf` (Debian's linux-perf), with which `bench` and `profile` split the edge's CPU
/// by what workerd was doing.
pub fn ensure_perf() -> TaskResult {
    ensure_debian_package("/usr/bin/perf", "linux-perf")
}

/// Installs Debian's `package` unless `binary` exists.
fn ensure_debian_package(binary: &str, package: &str) -> TaskResult {
    if PathBuf::from(binary).exists() {
        return Ok(());
    }
    step(&format!("apt-get install {package} (once)"));
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", package])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
