//! The running system: edge and sandbox on 127.0.0.1 under `wrangler dev --local` (or, for
//! benchmarks, straight on workerd), each in its own process group so that stopping it stops
//! workerd too.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::tools::node_bin;
use crate::{root, run, step, TaskError, TaskResult};

/// Sandbox credentials for local runs. They open nothing but the local sandbox.
pub const MERCHANT_SECRET_KEY: &str = "sk_test_duka_demo_0000000000000000";
/// The demo shop's webhook signing secret.
pub const MERCHANT_WEBHOOK_SECRET: &str = "whsec_testDukaDemoWebhookSecret000000000000000";
/// The sandbox CrissCross client secret.
pub const CRISSCROSS_CLIENT_SECRET: &str = "cc_test_client_secret_00000000000";
/// The sandbox CrissCross webhook secret.
pub const CRISSCROSS_WEBHOOK_SECRET: &str = "whsec_test_crisscross_00000000000";

/// The sandbox HoneyCoin api-key.
pub const HONEYCOIN_API_KEY: &str = "HC_test_duka_demo_0000000000000000";
/// The sandbox HoneyCoin webhook secret.
pub const HONEYCOIN_WEBHOOK_SECRET: &str = "hc_whsec_test_duka_demo_000000000";

/// The sandbox Xtopay client secret.
pub const XTOPAY_CLIENT_SECRET: &str = "xt_secret_test_duka_demo_00000000";
/// The sandbox Xtopay webhook secret.
pub const XTOPAY_WEBHOOK_SECRET: &str = "xt_whsec_test_duka_demo_000000000";
/// The sandbox SMS gateway's key (the edge sends it as `Authorization: Bearer`).
pub const SMS_GATEWAY_KEY: &str = "sms_key_test_duka_demo_0000000000";
/// The sandbox Little client secret.
pub const LITTLE_CLIENT_SECRET: &str = "lt_secret_test_duka_demo_00000000";
/// The sandbox Little API key.
pub const LITTLE_API_KEY: &str = "lt_api_key_test_duka_demo_0000000";

/// The sandbox Dollr client secret.
pub const DOLLR_CLIENT_SECRET: &str = "dl_secret_test_duka_demo_00000000";
/// The sandbox Dollr payout passcode.
pub const DOLLR_PAYOUT_PASSCODE: &str = "246810";

/// How long Dollr's …30 number stays PROCESSING and when …40 is approved late, in `test`
/// and `bench` (the sandbox's own defaults, 3 minutes and 1 minute, serve `dev`).
pub const DOLLR_TIMINGS_IN_TESTS: [(&str, &str); 2] = [
    ("DOLLR_LONG_PROCESSING_MS", "20000"),
    ("DOLLR_LATE_APPROVAL_MS", "15000"),
];

/// A PEM file as one `--var` value, its line breaks written `\n`.
fn pem_var(path: &str) -> TaskResult<String> {
    std::fs::read_to_string(root().join(path))
        .map(|pem| pem.trim().replace('\n', "\\n"))
        .map_err(|e| TaskError(format!("{path}: {e}")))
}

/// Seconds before an Xtopay payment without a callback is checked in `test` and `bench`
/// (production and `dev` keep the guide's five minutes).
pub const XTOPAY_STATUS_CHECK_AFTER_S_IN_TESTS: &str = "6";

/// Seconds a live payment holds its checkout in `test` and `bench` (production and `dev`
/// keep each provider's own approval window, minutes).
pub const APPROVAL_WINDOW_S_IN_TESTS: &str = "10";

/// How the system runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `cargo xtask dev`: the workers' logs shown, production timings.
    Dev,
    /// `test` and `bench`: quiet, and Xtopay's five-minute status check shortened.
    Test,
}

/// What `dev` prints: the sandbox's test numbers.
pub const TEST_NUMBERS: &[(&str, &str)] = &[
    ("…01", "approved after about 2 s        (0712 000 001)"),
    ("…05", "declined: wrong PIN"),
    ("…06", "declined: insufficient funds    (0712 000 006)"),
    ("…07", "declined: timed out"),
    ("…08", "declined: cancelled"),
    ("…09", "declined: limit reached"),
    ("…10", "declined: not registered"),
    ("…12", "provider system error, retryable"),
    ("…13", "provider system error, final"),
    (
        "…20",
        "HoneyCoin: asks for a one-time code (see the handset page)",
    ),
    ("…21", "HoneyCoin: finish on the operator's page"),
    ("…30", "approved, no webhook (polling finds it)"),
    ("other", "waits for Approve / Decline on the handset page"),
];

/// The environment variable that sends `cargo xtask dev`'s merchant events to the developer's
/// own server (`--webhook-url` sets it too).
pub const WEBHOOK_URL_VAR: &str = "LIPA_WEBHOOK_URL";

/// Where the edge posts merchant events: in `dev`, the developer's own server when
/// [`WEBHOOK_URL_VAR`] names one, else the demo shop; in `test` and `bench` always the shop
/// (its receiver is what the suite reads).
pub fn merchant_webhook_url(sandbox: &str, mode: Mode) -> String {
    let own = std::env::var(WEBHOOK_URL_VAR).unwrap_or_default();
    if mode == Mode::Dev && !own.trim().is_empty() {
        own.trim().to_string()
    } else {
        format!("{sandbox}/shop/webhooks")
    }
}

/// What serves the workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// `wrangler dev --local`: what developers run (`dev`, `test`), with its proxy worker in
    /// front of each worker and its inspector attached.
    WranglerDev,
    /// workerd through Miniflare with the same bindings and code and none of the dev tooling
    /// (`xtask/js/serve-worker.mjs`): what `bench` measures.
    Workerd,
}

/// Edge and sandbox, stopped when dropped.
pub struct System {
    edge_port: u16,
    sandbox_port: u16,
    runner: Runner,
    /// Each running server by what it serves (`sandbox`, `edge`, `d1`, `own-edge`, `own-d1`):
    /// its process group's leader.
    children: Vec<(&'static str, Child)>,
    /// Where the edge's D1 database answers, when it runs apart ([`Runner::Workerd`]).
    d1_url: Option<String>,
    /// The edge's `--var`s, for a second edge that differs only in its webhook URL.
    edge_vars: Vec<(&'static str, String)>,
    state: PathBuf,
}

fn free_port() -> TaskResult<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| TaskError(format!("no free port: {e}")))
}

/// `GET path` on 127.0.0.1:`port`; the status code and body, if anything answered.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Some((status, body))
}

/// Where `bench`, `cost` and `profile` keep the system's state and logs: in memory (a tmpfs,
/// `/dev/shm`) where the machine has one, else `target/bench-state`. SQLite still runs every
/// statement and commit of the Durable Objects and D1; what is left out is the kernel's flush
/// of each commit to this machine's disk (1–1.7 ms of CPU per request on the project's VM,
/// where every flush is a trip through its virtual disk). Cloudflare makes a commit durable by
/// replicating it, not on the Worker's thread.
pub fn bench_state() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        return root().join("target/bench-state");
    }
    // One directory per checkout of the project, so two worktrees never share one.
    let name: String = root()
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    shm.join(format!("lipa-bench{name}"))
}

impl System {
    /// Starts on fixed ports.
    pub fn start(
        edge_port: u16,
        sandbox_port: u16,
        state: &Path,
        mode: Mode,
        runner: Runner,
    ) -> TaskResult<System> {
        // `dev` shows the workers' logs; `test` and `bench` keep them in files beside the
        // state (edge.log, sandbox.log), so a failure can be read after the run.
        let log_level = "log";
        let log_file = |name: &str| (mode == Mode::Test).then(|| state.join(format!("{name}.log")));
        let mut system = System {
            edge_port,
            sandbox_port,
            runner,
            children: Vec::new(),
            d1_url: None,
            edge_vars: Vec::new(),
            state: state.to_path_buf(),
        };
        std::fs::create_dir_all(state)
            .map_err(|e| TaskError(format!("{}: {e}", state.display())))?;
        step("applying D1 migrations (local)");
        apply_migrations(&state.join("edge"), Stdio::inherit)?;
        // Sandbox credentials, known to both sides as they would be to Lipa and a provider.
        let shared = [
            ("MERCHANT_SECRET_KEY", MERCHANT_SECRET_KEY),
            ("MERCHANT_WEBHOOK_SECRET", MERCHANT_WEBHOOK_SECRET),
            ("CRISSCROSS_CLIENT_SECRET", CRISSCROSS_CLIENT_SECRET),
            ("CRISSCROSS_WEBHOOK_SECRET", CRISSCROSS_WEBHOOK_SECRET),
            ("HONEYCOIN_API_KEY", HONEYCOIN_API_KEY),
            ("HONEYCOIN_WEBHOOK_SECRET", HONEYCOIN_WEBHOOK_SECRET),
            ("XTOPAY_CLIENT_SECRET", XTOPAY_CLIENT_SECRET),
            ("XTOPAY_WEBHOOK_SECRET", XTOPAY_WEBHOOK_SECRET),
            ("LITTLE_CLIENT_SECRET", LITTLE_CLIENT_SECRET),
            ("LITTLE_API_KEY", LITTLE_API_KEY),
            ("DOLLR_CLIENT_SECRET", DOLLR_CLIENT_SECRET),
            ("DOLLR_PAYOUT_PASSCODE", DOLLR_PAYOUT_PASSCODE),
            ("SMS_GATEWAY_KEY", SMS_GATEWAY_KEY),
        ]
        .map(|(k, v)| (k, v.to_string()));
        let sandbox = system.sandbox_url();
        let mut edge_vars = shared.to_vec();
        edge_vars.extend(
            crate::demo::EDGE_VARS
                .iter()
                .map(|(k, v)| (*k, v.to_string())),
        );
        edge_vars.extend([
            ("MERCHANT_WEBHOOK_URL", merchant_webhook_url(&sandbox, mode)),
            ("CRISSCROSS_BASE_URL", format!("{sandbox}/crisscross")),
            (
                "HONEYCOIN_BASE_URL",
                format!("{sandbox}/honeycoin/api/sandbox/b2b"),
            ),
            ("XTOPAY_BASE_URL", format!("{sandbox}/xtopay")),
            ("LITTLE_BASE_URL", format!("{sandbox}/little")),
            ("DOLLR_BASE_URL", format!("{sandbox}/dollr")),
            ("SMS_GATEWAY_URL", format!("{sandbox}/sms/send")),
            (
                "LITTLE_CALLBACK_URL",
                format!("{}/webhooks/little", system.edge_url()),
            ),
            (
                "LITTLE_PUBLIC_KEY",
                pem_var("sandbox/keys/little_sandbox_public.pem")?,
            ),
        ]);
        if mode == Mode::Test {
            edge_vars.push((
                "XTOPAY_STATUS_CHECK_AFTER_S",
                XTOPAY_STATUS_CHECK_AFTER_S_IN_TESTS.to_string(),
            ));
            edge_vars.push(("APPROVAL_WINDOW_S", APPROVAL_WINDOW_S_IN_TESTS.to_string()));
            edge_vars.extend(crate::demo::ROTATION_IN_TESTS.map(|(k, v)| (k, v.to_string())));
        }
        let mut sandbox_vars = shared.to_vec();
        sandbox_vars.push(("EDGE_URL", system.edge_url()));
        if mode == Mode::Test {
            sandbox_vars.extend(DOLLR_TIMINGS_IN_TESTS.map(|(k, v)| (k, v.to_string())));
        }
        sandbox_vars.push((
            "LITTLE_PRIVATE_KEY",
            pem_var("sandbox/keys/little_sandbox_private.pem")?,
        ));
        step(&format!("starting the sandbox on 127.0.0.1:{sandbox_port}"));
        let sandbox = serve(
            runner,
            "sandbox",
            sandbox_port,
            state,
            &sandbox_vars,
            log_level,
            log_file("sandbox"),
            None,
        )?;
        system.children.push(("sandbox", sandbox));
        let d1 = system.start_d1("d1", state, log_file("d1"))?;
        system.d1_url.clone_from(&d1);
        step(&format!("starting the edge on 127.0.0.1:{edge_port}"));
        let edge = serve(
            runner,
            "edge",
            edge_port,
            state,
            &edge_vars,
            log_level,
            log_file("edge"),
            d1.as_deref(),
        )?;
        system.children.push(("edge", edge));
        system.edge_vars = edge_vars;
        system.wait_ready(edge_port)?;
        system.wait_ready(sandbox_port)?;
        Ok(system)
    }

    /// Starts a second edge on a free port, with state of its own, that posts its merchant
    /// events to `webhook_url` (a developer's own receiver) and is otherwise configured as the
    /// first; stopped with the system. Its origin.
    pub fn start_own_edge(&mut self, webhook_url: &str) -> TaskResult<String> {
        let port = free_port()?;
        let state = self.state.join("own-edge");
        std::fs::create_dir_all(&state)
            .map_err(|e| TaskError(format!("{}: {e}", state.display())))?;
        apply_migrations(&state.join("edge"), Stdio::null)?;
        let mut vars = self.edge_vars.clone();
        for (name, value) in &mut vars {
            match *name {
                "MERCHANT_WEBHOOK_URL" => *value = webhook_url.to_string(),
                "LITTLE_CALLBACK_URL" => {
                    *value = format!("http://127.0.0.1:{port}/webhooks/little")
                }
                _ => {}
            }
        }
        step(&format!(
            "starting a second edge on 127.0.0.1:{port} (merchant events to {webhook_url})"
        ));
        let d1 = self.start_d1("own-d1", &state, Some(self.state.join("own-d1.log")))?;
        let log = Some(self.state.join("own-edge.log"));
        let edge = serve(
            self.runner,
            "edge",
            port,
            &state,
            &vars,
            "log",
            log,
            d1.as_deref(),
        )?;
        self.children.push(("own-edge", edge));
        self.wait_ready(port)?;
        Ok(format!("http://127.0.0.1:{port}"))
    }

    /// Under [`Runner::Workerd`], the edge's D1 database in a process of its own
    /// (`xtask/js/serve-d1.mjs`, on a free port, state under `state`), as on Cloudflare, where
    /// D1 is a service the Worker calls: the edge's measured CPU is then the edge's. Its URL,
    /// once it answers; `None` under `wrangler dev`, which serves D1 itself.
    fn start_d1(
        &mut self,
        name: &'static str,
        state: &Path,
        log_file: Option<PathBuf>,
    ) -> TaskResult<Option<String>> {
        if self.runner != Runner::Workerd {
            return Ok(None);
        }
        let port = free_port()?;
        step(&format!("starting the edge's D1 on 127.0.0.1:{port}"));
        let mut cmd = Command::new("node");
        cmd.current_dir(root())
            .arg("xtask/js/serve-d1.mjs")
            .arg("edge")
            .arg(port.to_string())
            .arg(state.join("edge"));
        self.children
            .push((name, spawn_in_group(cmd, "edge's D1", log_file)?));
        self.wait_ready(port)?;
        Ok(Some(format!("http://127.0.0.1:{port}")))
    }

    /// Starts on free loopback ports with fresh state (`test`, `bench`).
    pub fn start_on_free_ports(state: &Path, runner: Runner) -> TaskResult<System> {
        // A port found free can be taken before wrangler binds it (workerd opens ports of its
        // own meanwhile): a start that fails is tried again on other ports, up to three times.
        let mut failed = TaskError("the system did not start".into());
        for _ in 0..3 {
            let _ = std::fs::remove_dir_all(state);
            let edge = free_port()?;
            let mut sandbox = free_port()?;
            while sandbox == edge {
                sandbox = free_port()?;
            }
            match System::start(edge, sandbox, state, Mode::Test, runner) {
                Ok(system) => return Ok(system),
                Err(e) => {
                    eprintln!("the system did not start ({e}); trying other ports");
                    failed = e;
                }
            }
        }
        Err(failed)
    }

    fn wait_ready(&mut self, port: u16) -> TaskResult {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            match http_get(port, "/health") {
                Some((200, _)) => return Ok(()),
                // The edge answers 500 with the reason when its configuration is wrong.
                Some((500, body)) if body.contains("misconfigured") => {
                    return Err(TaskError(format!(
                        "the worker on port {port} refused its configuration: {body}"
                    )));
                }
                _ => {}
            }
            if let Some(code) = self
                .children
                .iter_mut()
                .find_map(|(_, c)| c.try_wait().ok().flatten())
            {
                return Err(TaskError(format!(
                    "a wrangler process exited early ({code})"
                )));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(TaskError(format!(
            "nothing answered on 127.0.0.1:{port} within 90 s"
        )))
    }

    /// The edge's origin.
    pub fn edge_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.edge_port)
    }

    /// The sandbox's origin.
    pub fn sandbox_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.sandbox_port)
    }

    /// Gives a test or bench process the system's addresses and sandbox secrets.
    pub fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("EDGE_URL", self.edge_url())
            .env("SANDBOX_URL", self.sandbox_url())
            .env("MERCHANT_SECRET_KEY", MERCHANT_SECRET_KEY)
            .envs(crate::demo::ROTATION_IN_TESTS)
            .env("MERCHANT_WEBHOOK_SECRET", MERCHANT_WEBHOOK_SECRET)
            .env("CRISSCROSS_WEBHOOK_SECRET", CRISSCROSS_WEBHOOK_SECRET)
            .env("HONEYCOIN_WEBHOOK_SECRET", HONEYCOIN_WEBHOOK_SECRET)
            .env("XTOPAY_WEBHOOK_SECRET", XTOPAY_WEBHOOK_SECRET)
            .env("LIPA_PROCESS_GROUPS", self.process_groups())
            .env("LIPA_STATE_DIR", &self.state)
            .envs(self.d1_url.as_ref().map(|url| ("LIPA_D1_URL", url)))
    }

    /// `name=pgid` for each server (its process group: its runner and workerd),
    /// comma-separated, so that a benchmark can read their CPU time from `/proc`.
    fn process_groups(&self) -> String {
        self.children
            .iter()
            .map(|(name, child)| format!("{name}={}", child.id()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Runs until Ctrl-C (or until a server dies), then stops everything.
    pub fn wait_for_interrupt(mut self) -> TaskResult {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .map_err(|e| TaskError(format!("cannot catch Ctrl-C: {e}")))?;
        while !stop.load(Ordering::SeqCst) {
            if let Some(code) = self
                .children
                .iter_mut()
                .find_map(|(_, c)| c.try_wait().ok().flatten())
            {
                return Err(TaskError(format!("a wrangler process exited ({code})")));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        println!("\nstopping…");
        Ok(())
    }
}

impl Drop for System {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        }
        std::thread::sleep(Duration::from_millis(300));
        for (_, child) in &mut self.children {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
            let _ = child.wait();
        }
    }
}

/// Applies every D1 database's migrations ([`crate::d1::DATABASES`]) to the local state under
/// `persist` (`wrangler d1 migrations apply --local --persist-to`), wrangler's output to
/// `stdout()`.
fn apply_migrations(persist: &Path, stdout: fn() -> Stdio) -> TaskResult {
    for db in crate::d1::DATABASES {
        run(wrangler(&root().join("edge"))
            .args([
                "d1",
                "migrations",
                "apply",
                db.name,
                "--local",
                "--persist-to",
            ])
            .arg(persist)
            .stdout(stdout()))?;
    }
    Ok(())
}

fn wrangler(dir: &PathBuf) -> Command {
    let mut cmd = Command::new(node_bin("wrangler"));
    cmd.current_dir(dir)
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CI", "true");
    cmd
}

/// Starts the worker in `dir` on `port` with `runner`, in a process group of its own.
#[allow(clippy::too_many_arguments)]
fn serve(
    runner: Runner,
    dir: &str,
    port: u16,
    state: &Path,
    vars: &[(&str, String)],
    log_level: &str,
    log_file: Option<PathBuf>,
    d1: Option<&str>,
) -> TaskResult<Child> {
    let cmd = match runner {
        Runner::WranglerDev => wrangler_dev(dir, port, state, vars, log_level)?,
        Runner::Workerd => workerd(dir, port, state, vars, d1)?,
    };
    spawn_in_group(cmd, &format!("{dir} worker"), log_file)
}

/// Spawns `cmd` as the leader of a process group of its own (so that its CPU can be read and
/// it can be stopped with its children), its output to `log_file` when one is given.
fn spawn_in_group(mut cmd: Command, what: &str, log_file: Option<PathBuf>) -> TaskResult<Child> {
    cmd.stdin(Stdio::null()).process_group(0);
    if let Some(path) = log_file {
        let file = std::fs::File::create(&path)
            .map_err(|e| TaskError(format!("{}: {e}", path.display())))?;
        let err = file
            .try_clone()
            .map_err(|e| TaskError(format!("{}: {e}", path.display())))?;
        cmd.stdout(Stdio::from(file)).stderr(Stdio::from(err));
    }
    cmd.spawn()
        .map_err(|e| TaskError(format!("could not start the {what}: {e}")))
}

/// `node xtask/js/serve-worker.mjs`: workerd through Miniflare, the variables passed in a
/// file beside the state (they hold the sandbox's secrets; the state directory is ignored by
/// git).
fn workerd(
    dir: &str,
    port: u16,
    state: &Path,
    vars: &[(&str, String)],
    d1: Option<&str>,
) -> TaskResult<Command> {
    let vars: serde_json::Map<String, serde_json::Value> = vars
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
        .collect();
    let file = state.join(format!("{dir}-{port}.vars.json"));
    std::fs::write(&file, serde_json::Value::Object(vars).to_string())
        .map_err(|e| TaskError(format!("{}: {e}", file.display())))?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root())
        .arg("xtask/js/serve-worker.mjs")
        .arg(dir)
        .arg(port.to_string())
        .arg(state.join(dir))
        .arg(file)
        .args(d1);
    Ok(cmd)
}

/// `wrangler dev --local`, its inspector on a free port.
fn wrangler_dev(
    dir: &str,
    port: u16,
    state: &Path,
    vars: &[(&str, String)],
    log_level: &str,
) -> TaskResult<Command> {
    let inspector = free_port()?;
    let mut cmd = wrangler(&root().join(dir));
    cmd.args([
        "dev",
        "--local",
        "--ip",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ])
    .args([
        "--inspector-port",
        &inspector.to_string(),
        "--show-interactive-dev-session=false",
    ])
    .args(["--log-level", log_level, "--persist-to"])
    .arg(state.join(dir));
    for (k, v) in vars {
        cmd.arg("--var").arg(format!("{k}:{v}"));
    }
    Ok(cmd)
}
