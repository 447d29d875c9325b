//! Builds the widget (cargo → wasm-bindgen → wasm-opt) and both workers (worker-build), with
//! every tool local: nothing is downloaded.

// A child of this module, kept beside it: `.gitignore` ignores every `build/` directory.
#[path = "dead_code.rs"]
mod dead_code;
#[path = "short_imports.rs"]
mod short_imports;

use std::process::Command;

use crate::tools::{node_bin, wasm_bindgen, worker_build, WIDGET_NIGHTLY};
use crate::{root, run, step, TaskError, TaskResult};

/// The widget and static assets into `target/site`, which the edge serves.
pub fn widget() -> TaskResult {
    let root = root();
    let site = root.join("target/site");
    let out = site.join("widget");
    std::fs::create_dir_all(&out).map_err(|e| TaskError(format!("{}: {e}", out.display())))?;
    step(&format!(
        "building the widget (release, wasm32, {WIDGET_NIGHTLY} with -Zbuild-std)"
    ));
    // On the pinned nightly, with the standard library rebuilt for the widget and panics
    // that abort at once (`-Cpanic=immediate-abort`, which needs `-Zbuild-std`): the
    // prebuilt std keeps every panic's message, source location and the formatting code that
    // prints them, and std's own code is built for size with the widget's. 11.5 KB gzip less
    // (wasm 123.1 → 111.6 KB before the import names are shortened); the widget has no
    // unwrap or expect to panic on, and a release panic already aborted (`panic = "abort"`)
    // without a message (no panic hook outside debug builds). The `--config` rustflags add to
    // `.cargo/config.toml`'s (`--cfg erase_components`). `-Zmerge-functions=disabled` keeps
    // every function under its own name, which `dead_code` relies on: LLVM would otherwise
    // give two identical functions one body under either name, and emptying a wasm-streams
    // one could empty a function the widget runs (924 B gzip; wasm-opt merges identical
    // functions later, after the emptying). `-Zlocation-detail=none`: no file, line or column
    // in `#[track_caller]` locations, which only a panic message would print and
    // immediate-abort prints none (46 B gzip less).
    run(Command::new("cargo")
        .arg(format!("+{WIDGET_NIGHTLY}"))
        .args([
            "build",
            "-p",
            "lipa-widget",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-Zbuild-std=std,panic_abort",
            "--config",
            "target.wasm32-unknown-unknown.rustflags=[\"-Zunstable-options\", \"-Cpanic=immediate-abort\", \"-Zmerge-functions=disabled\", \"-Zlocation-detail=none\"]",
        ])
        .current_dir(&root))?;
    run(Command::new(wasm_bindgen())
        .arg(root.join("target/wasm32-unknown-unknown/release/lipa-widget.wasm"))
        .args([
            "--target",
            "web",
            "--no-typescript",
            // The name section stays for `dead_code`; wasm-opt's --strip-debug drops it.
            "--remove-producers-section",
        ])
        .args(["--out-name", "lipa_widget", "--out-dir"])
        .arg(&out))?;
    let glue = out.join("lipa_widget.js");
    drop_dead_classes(&glue)?;
    drop_init_sync(&glue)?;
    let wasm = out.join("lipa_widget_bg.wasm");
    empty_dead_code(&wasm)?;
    step("wasm-opt -Oz, rereloop, -Oz");
    run(Command::new(node_bin("wasm-opt"))
        .arg(&wasm)
        .args([
            // wasm-streams' `#[wasm_bindgen]` classes: Leptos always links server_fn's browser
            // client, which the widget never calls, and its exports would keep them alive.
            "--remove-exports",
            &format!("--pass-arg=remove-exports@{DEAD_EXPORTS}"),
            // -Oz, then the control flow rebuilt by the relooper (flatten, rereloop) and -Oz
            // again: about 1.1 KB gzip less than -Oz alone, same program.
            "-Oz",
            "--flatten",
            "--rereloop",
            "-Oz",
            // Constants carried through locals, then -Oz once more: 91 B gzip less.
            "--precompute-propagate",
            "-Oz",
            // Repeats the passes while they still shrink the module, and drops the
            // target_features section, which only tools read: 364 B gzip less together.
            "--converge",
            "--strip-target-features",
            "--strip-debug",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-reference-types",
            "--enable-multivalue",
            "--enable-mutable-globals",
            // Rust's wasm keeps its data above 1 MiB and defines (not imports) its memory.
            "--low-memory-unused",
            "--zero-filled-memory",
            "-o",
        ])
        .arg(&wasm))?;
    short_imports::shorten(&wasm, &glue)?;
    run(Command::new(node_bin("esbuild"))
        .arg(&glue)
        .args([
            "--minify",
            "--format=esm",
            "--allow-overwrite",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", glue.display())))?;
    run(Command::new(node_bin("esbuild"))
        .arg(root.join("static/widget/boot.js"))
        .args(["--minify", "--format=esm", "--log-level=warning"])
        .arg(format!("--outfile={}", out.join("boot.js").display())))?;
    // The hosted page's scripts: a classic one (ES5: any browser may read it) that starts the
    // module one only where ES modules and WebAssembly run.
    run(Command::new(node_bin("esbuild"))
        .arg(root.join("static/widget/hosted-widget.js"))
        .args(["--minify", "--format=esm", "--log-level=warning"])
        .arg(format!(
            "--outfile={}",
            out.join("hosted-widget.js").display()
        )))?;
    run(Command::new(node_bin("esbuild"))
        .arg(root.join("static/widget/hosted.js"))
        .args(["--minify", "--target=es5", "--log-level=warning"])
        .arg(format!("--outfile={}", out.join("hosted.js").display())))?;
    for css in ["widget.css", "hosted.css"] {
        run(Command::new(node_bin("esbuild"))
            .arg(root.join("static/widget").join(css))
            .args(["--minify", "--log-level=warning"])
            .arg(format!("--outfile={}", out.join(css).display())))?;
    }
    run(Command::new(node_bin("esbuild"))
        .arg(root.join("static/lipa.js"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", site.join("lipa.js").display())))
}

/// The wasm exports of wasm-streams' `IntoUnderlyingSource`, `IntoUnderlyingByteSource` and
/// `IntoUnderlyingSink` (a wasm-opt wildcard). The widget's wasm never makes one: wasm-bindgen
/// would give the class a `__wrap` for that, and [`drop_dead_classes`] refuses
/// a glue that hands one to JS.
const DEAD_EXPORTS: &str = "*intounderlying*";

/// Takes the JS classes of [`DEAD_EXPORTS`] out of wasm-bindgen's glue: each `export class
/// IntoUnderlying…` through its `Symbol.dispose` line, and its `…Finalization` registry.
fn drop_dead_classes(glue: &std::path::Path) -> TaskResult {
    let error = |e: String| TaskError(format!("{}: {e}", glue.display()));
    let text = std::fs::read_to_string(glue).map_err(|e| error(e.to_string()))?;
    // wasm-bindgen gives a class `__wrap` only when Rust hands one of its objects to JS.
    if text
        .lines()
        .any(|l| l.contains("IntoUnderlying") && l.contains("__wrap"))
    {
        return Err(error(
            "the wasm makes wasm-streams objects; keep their classes".into(),
        ));
    }
    let mut kept = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let class = line.starts_with("export class IntoUnderlying");
        let registry = line.starts_with("const IntoUnderlying") && line.contains("Finalization =");
        if class {
            // The class body ends at the line that gives it `Symbol.dispose`.
            for line in lines.by_ref() {
                if line.starts_with("if (Symbol.dispose) IntoUnderlying") {
                    break;
                }
            }
        } else if registry {
            // `(typeof FinalizationRegistry === 'undefined') ? … : new FinalizationRegistry(…);`
            if !line.ends_with(';') {
                for line in lines.by_ref() {
                    if line.ends_with(';') {
                        break;
                    }
                }
            }
        } else {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    if kept.contains("IntoUnderlying") {
        return Err(error(
            "wasm-bindgen's glue changed shape: IntoUnderlying… left after removal".into(),
        ));
    }
    std::fs::write(glue, kept).map_err(|e| error(e.to_string()))
}

/// Takes wasm-bindgen's `initSync` out of its glue: `boot.js` starts the widget with the
/// default export (`init`, which streams the wasm) and nothing calls `initSync`. Its function,
/// from its line through the `}` that ends it, and its name in the export list; refused when
/// the glue has another shape.
fn drop_init_sync(glue: &std::path::Path) -> TaskResult {
    const EXPORTS: &str = "export { initSync, __wbg_init as default };";
    let error = |e: String| TaskError(format!("{}: {e}", glue.display()));
    let text = std::fs::read_to_string(glue).map_err(|e| error(e.to_string()))?;
    let mut kept = String::with_capacity(text.len());
    let mut lines = text.lines();
    let mut found = (false, false);
    while let Some(line) = lines.next() {
        if line == "function initSync(module) {" {
            found.0 = true;
            if !lines.by_ref().any(|l| l == "}") {
                return Err(error("initSync does not end".into()));
            }
        } else if line == EXPORTS {
            found.1 = true;
            kept.push_str("export { __wbg_init as default };\n");
        } else {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    if found != (true, true) || kept.contains("initSync") {
        return Err(error(
            "wasm-bindgen's glue changed shape: initSync not found as expected".into(),
        ));
    }
    std::fs::write(glue, kept).map_err(|e| error(e.to_string()))
}

/// [`dead_code::empty_dead`] on the widget's wasm, in place.
fn empty_dead_code(wasm: &std::path::Path) -> TaskResult {
    let error = |e: String| TaskError(format!("{}: {e}", wasm.display()));
    let bytes = std::fs::read(wasm).map_err(|e| error(e.to_string()))?;
    let (bytes, _) = dead_code::empty_dead(&bytes).map_err(error)?;
    std::fs::write(wasm, bytes).map_err(|e| error(e.to_string()))
}

/// One worker with worker-build, pointed at the local wasm-bindgen, wasm-opt and esbuild.
pub fn worker(dir: &str) -> TaskResult {
    step(&format!(
        "building the {dir} worker (worker-build --release)"
    ));
    run(Command::new(worker_build())
        .arg("--release")
        .current_dir(root().join(dir))
        .env("WASM_BINDGEN_BIN", wasm_bindgen())
        .env("WASM_OPT_BIN", node_bin("wasm-opt"))
        .env("ESBUILD_BIN", node_bin("esbuild")))
}

/// Everything.
pub fn all() -> TaskResult {
    widget()?;
    worker("edge")?;
    worker("sandbox")
}
