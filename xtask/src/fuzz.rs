//! `cargo xtask fuzz [--runs N] [target…]`: runs every cargo-fuzz target (or the named ones)
//! for `N` executions (1,000,000 by default) in one libFuzzer job, on the committed corpus
//! (`fuzz/corpus/<target>/`) plus the seeds from `lipa_fuzzing::seeds`, then minimizes the
//! corpus with `cargo fuzz cmin` (after every run, so the repository keeps a small set of
//! inputs that together reach what the whole corpus reached) and prints, per target, executions, time and panics.
//!
//! Needs the nightly toolchain; installs cargo-fuzz when it is missing. Targets are built
//! optimized with debug assertions and overflow checks and without a sanitizer: the code under
//! test forbids `unsafe`, so what the fuzzer looks for is panics, and a sanitizer would
//! halve the executions per second. Logs are kept in `fuzz/target/logs/<target>/`, a crash's
//! input in `fuzz/artifacts/<target>/`: once the bug is fixed, copy it to
//! `fuzz/regressions/<target>/` under a name that says what it was, where the replay test
//! keeps running it and every later run starts from it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{root, run, step, TaskError, TaskResult};

/// Executions per target unless `--runs` says otherwise.
pub const DEFAULT_RUNS: u64 = 1_000_000;

/// The longest input libFuzzer makes: provider answers and request bodies are small.
const MAX_LEN: u32 = 4096;

/// What one target's run measured.
#[derive(Debug)]
struct Outcome {
    name: &'static str,
    executions: Option<u64>,
    seconds: f64,
    panics: u32,
    failed: Option<String>,
    corpus_files: usize,
    corpus_bytes: u64,
}

/// Runs the fuzz targets named in `args` (all of them without a name).
pub fn fuzz(args: &[String]) -> TaskResult {
    let (runs, names) = parse_args(args)?;
    let targets: Vec<&'static lipa_fuzzing::Target> = if names.is_empty() {
        lipa_fuzzing::TARGETS.iter().collect()
    } else {
        names
            .iter()
            .map(|n| {
                lipa_fuzzing::target(n).ok_or_else(|| {
                    TaskError(format!(
                        "no fuzz target {n:?}; there are: {}",
                        lipa_fuzzing::TARGETS
                            .iter()
                            .map(|t| t.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
            })
            .collect::<TaskResult<_>>()?
    };
    ensure_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    step("cargo +nightly fuzz build (optimized, debug assertions, no sanitizer)");
    run(&mut cargo_fuzz("build", &fuzz_dir))?;
    let mut outcomes = Vec::new();
    for target in targets {
        step(&format!(
            "fuzzing {} for {} executions: {}",
            target.name,
            thousands(runs),
            target.about
        ));
        let outcome = fuzz_one(target, runs, &fuzz_dir)?;
        println!(
            "    {} executions in {:.1} s, {} panic(s), corpus {} files ({} KB)",
            outcome.executions.map_or("?".into(), thousands),
            outcome.seconds,
            outcome.panics,
            outcome.corpus_files,
            outcome.corpus_bytes.div_ceil(1024)
        );
        outcomes.push(outcome);
    }
    report(&outcomes);
    let bad: Vec<String> = outcomes
        .iter()
        .filter(|o| o.panics > 0 || o.failed.is_some())
        .map(|o| format!("{}: {}", o.name, o.failed.as_deref().unwrap_or("panicked")))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(TaskError(format!(
            "fuzzing found problems (inputs in fuzz/artifacts/):\n  {}",
            bad.join("\n  ")
        )))
    }
}

fn parse_args(args: &[String]) -> TaskResult<(u64, Vec<String>)> {
    let mut runs = DEFAULT_RUNS;
    let mut names = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args
                .next()
                .and_then(|n| n.replace('_', "").parse().ok())
                .ok_or_else(|| TaskError("--runs takes a number of executions".into()))?;
        } else {
            names.push(arg.clone());
        }
    }
    Ok((runs, names))
}

/// `cargo +nightly fuzz <subcommand> --fuzz-dir fuzz -s none -a`, built in `fuzz/target`
/// whatever `CARGO_TARGET_DIR` says (the stable workspace's build stays apart).
fn cargo_fuzz(subcommand: &str, fuzz_dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(["+nightly", "fuzz", subcommand, "--fuzz-dir"])
        .arg(fuzz_dir)
        .args(["--sanitizer", "none", "--debug-assertions"])
        .env_remove("CARGO_TARGET_DIR");
    cmd
}

/// The nightly toolchain and cargo-fuzz, installed when missing.
fn ensure_cargo_fuzz() -> TaskResult {
    let works = |args: &[&str]| {
        Command::new("cargo")
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&["+nightly", "--version"]) {
        step("rustup toolchain install nightly (cargo-fuzz needs it)");
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    if !works(&["+nightly", "fuzz", "--version"]) {
        step("cargo install cargo-fuzz --locked (a minute or two, once)");
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

fn fuzz_one(
    target: &'static lipa_fuzzing::Target,
    runs: u64,
    fuzz_dir: &Path,
) -> TaskResult<Outcome> {
    let corpus = fuzz_dir.join("corpus").join(target.name);
    let seeds = fuzz_dir.join("target/seeds").join(target.name);
    let logs = fuzz_dir.join("target/logs").join(target.name);
    let io = |what: &Path, e: std::io::Error| TaskError(format!("{}: {e}", what.display()));
    for dir in [&corpus, &logs] {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    // Seeds are rewritten each run and handed to libFuzzer beside the corpus, never copied
    // into it: the committed corpus holds only what the fuzzer kept.
    let _ = std::fs::remove_dir_all(&seeds);
    std::fs::create_dir_all(&seeds).map_err(|e| io(&seeds, e))?;
    for (i, seed) in lipa_fuzzing::seeds::for_target(target.name)
        .iter()
        .enumerate()
    {
        let path = seeds.join(format!("seed-{i:02}"));
        std::fs::write(&path, seed).map_err(|e| io(&path, e))?;
    }
    // Crashes found before, fixed since: kept by name beside the corpus, never minimized.
    let regressions = fuzz_dir.join("regressions").join(target.name);
    let started = Instant::now();
    // One job and one worker: libFuzzer runs the job as a child process writing to
    // fuzz-0.log in the working directory, and copies the log out when it ends.
    let output = cargo_fuzz("run", fuzz_dir)
        .arg(target.name)
        .arg(&corpus)
        .arg(&seeds)
        .args(regressions.is_dir().then_some(&regressions))
        .arg("--")
        .arg(format!("-runs={runs}"))
        .args(["-jobs=1", "-workers=1", "-print_final_stats=1"])
        .arg(format!("-max_len={MAX_LEN}"))
        .current_dir(&logs)
        .output()
        .map_err(|e| TaskError(format!("could not start cargo fuzz: {e}")))?;
    let seconds = started.elapsed().as_secs_f64();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let log = logs.join("run.log");
    std::fs::write(&log, &text).map_err(|e| io(&log, e))?;
    let executions = stat(&text, "stat::number_of_executed_units:").or_else(|| done_runs(&text));
    let panicked = text.contains("panicked at") || text.contains("deadly signal");
    let mut failed = None;
    if panicked {
        for line in text.lines().filter(|l| {
            l.contains("panicked at") || l.contains("Test unit written to") || l.contains("Base64:")
        }) {
            println!("    {line}");
        }
    } else if !output.status.success() {
        failed = Some(format!(
            "libFuzzer failed ({}); see {}",
            output.status,
            log.display()
        ));
    } else {
        // A greedy set cover over edges (not hit counts) keeps the committed corpus to a few
        // hundred small files per target.
        let mut cmin = cargo_fuzz("cmin", fuzz_dir);
        cmin.arg(target.name)
            .arg(&corpus)
            .arg("--")
            .args(["-set_cover_merge=1", "-use_counters=0"])
            .arg(format!("-max_len={MAX_LEN}"))
            .current_dir(&logs);
        let out = cmin
            .output()
            .map_err(|e| TaskError(format!("could not start cargo fuzz cmin: {e}")))?;
        if !out.status.success() {
            failed = Some(format!(
                "cargo fuzz cmin failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let (corpus_files, corpus_bytes) = size_of(&corpus);
    Ok(Outcome {
        name: target.name,
        executions,
        seconds,
        panics: u32::from(panicked),
        failed,
        corpus_files,
        corpus_bytes,
    })
}

/// The number after `key` in libFuzzer's final stats.
fn stat(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(key))
        .filter_map(|v| v.trim().parse().ok())
        .next_back()
}

/// `Done N runs in S second(s)`.
fn done_runs(text: &str) -> Option<u64> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Done "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .next_back()
}

fn size_of(dir: &Path) -> (usize, u64) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    let bytes = files
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();
    (files.len(), bytes)
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn report(outcomes: &[Outcome]) {
    println!(
        "\n{:<22} {:>12} {:>9} {:>8} {:>7} {:>9}",
        "target", "executions", "seconds", "exec/s", "panics", "corpus"
    );
    let mut total = (0, 0.0, 0, 0, 0);
    for o in outcomes {
        let executions = o.executions.unwrap_or(0);
        println!(
            "{:<22} {:>12} {:>9.1} {:>8.0} {:>7} {:>6} KB{}",
            o.name,
            thousands(executions),
            o.seconds,
            executions as f64 / o.seconds.max(0.001),
            o.panics,
            o.corpus_bytes.div_ceil(1024),
            o.failed
                .as_ref()
                .map_or(String::new(), |f| format!("  FAILED: {f}"))
        );
        total.0 += executions;
        total.1 += o.seconds;
        total.2 += o.panics;
        total.3 += o.corpus_bytes;
        total.4 += o.corpus_files;
    }
    println!(
        "{:<22} {:>12} {:>9.1} {:>8} {:>7} {:>6} KB ({} files)",
        "total",
        thousands(total.0),
        total.1,
        "",
        total.2,
        total.3.div_ceil(1024),
        total.4
    );
}
