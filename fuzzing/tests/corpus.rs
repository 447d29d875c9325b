//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`), the regression inputs
//! (`fuzz/regressions/<target>/`: every crash found, kept by name and never minimized away)
//! and the seeds through the targets' bodies on the stable toolchain, so CI re-checks in
//! seconds every input the fuzzer kept.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use lipa_fuzzing::{seeds, Target, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files in `dir`, sorted; none when it cannot be read (the tests then say what is
/// missing).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `input` through `target`, returning the panic's message if it panicked.
fn replay(target: &Target, input: &[u8]) -> Option<String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input)))
        .err()
        .map(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
}

#[test]
fn every_target_is_a_cargo_fuzz_target_with_a_corpus() {
    let on_disk: BTreeSet<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let listed: BTreeSet<String> = TARGETS.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(on_disk, listed, "fuzz/fuzz_targets/ and TARGETS differ");
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for t in TARGETS {
        let source =
            std::fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{}.rs", t.name)))
                .unwrap();
        assert!(
            source.contains(&format!("lipa_fuzzing::run(\"{}\", data)", t.name)),
            "fuzz_targets/{}.rs does not run its own body",
            t.name
        );
        assert!(
            manifest.contains(&format!("name = \"{}\"", t.name)),
            "fuzz/Cargo.toml has no [[bin]] {}",
            t.name
        );
        assert!(
            !files(&fuzz_dir().join("corpus").join(t.name)).is_empty(),
            "fuzz/corpus/{} is empty",
            t.name
        );
        assert!(
            !seeds::for_target(t.name).is_empty(),
            "{} has no seeds",
            t.name
        );
    }
}

#[test]
fn the_corpus_replays_without_a_panic() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for t in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(t.name));
        let regressions = files(&fuzz_dir().join("regressions").join(t.name));
        for file in corpus.into_iter().chain(regressions) {
            let input = std::fs::read(&file).unwrap();
            replayed += 1;
            if let Some(message) = replay(t, &input) {
                failures.push(format!("{}: {message}", file.display()));
            }
        }
    }
    assert!(replayed >= TARGETS.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seeds_replay_without_a_panic() {
    for t in TARGETS {
        for (i, seed) in seeds::for_target(t.name).iter().enumerate() {
            assert_eq!(replay(t, seed), None, "{} seed {i}", t.name);
        }
    }
}

#[test]
fn regressions_belong_to_targets() {
    for dir in files_or_dirs(&fuzz_dir().join("regressions")) {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        assert!(
            name.as_deref().and_then(lipa_fuzzing::target).is_some(),
            "{} is no target's",
            dir.display()
        );
    }
}

fn files_or_dirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect()
}
