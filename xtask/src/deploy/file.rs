//! A merchant's deployment file (`edge/lipa.toml`, from `edge/lipa.example.toml`): the Worker's
//! name, the D1 database's id and the plain settings. Secrets are never in it. From it and
//! `edge/wrangler.toml` (the bindings, which belong to the code) `deploy` writes the
//! configuration wrangler uploads.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::d1::Database;
use crate::{TaskError, TaskResult};

/// The file, as read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployFile {
    /// `[worker]`.
    pub worker: WorkerSection,
    /// `[d1]`.
    #[serde(default)]
    pub d1: D1Section,
    /// `[vars]`: every plain setting, by name.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

/// `[worker]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSection {
    /// The Worker's name in the Cloudflare account.
    pub name: String,
    /// A custom domain (a zone in the same account) the Worker answers on, if any; without
    /// one it answers on `https://<name>.<account>.workers.dev`.
    #[serde(default)]
    pub domain: Option<String>,
    /// Payment prompts one client address may trigger per minute: the limit of the edge's
    /// `IP_PROMPT_LIMIT` rate-limiting binding; edge/wrangler.toml's when not given. A merchant
    /// expecting a sale raises it: many customers share one carrier-grade NAT address.
    #[serde(default)]
    pub prompts_per_ip_per_minute: Option<u32>,
    /// Verification codes sent by SMS one client address may ask for per minute
    /// (`IP_CODE_LIMIT`); edge/wrangler.toml's when not given.
    #[serde(default)]
    pub codes_per_ip_per_minute: Option<u32>,
}

/// One of the edge's rate-limiting bindings and the `[worker]` key that sets its limit.
struct RateLimit {
    /// The key's name, for messages.
    key: &'static str,
    /// The binding's name in edge/wrangler.toml.
    binding: &'static str,
    /// The key's value in a deployment file.
    given: fn(&WorkerSection) -> Option<u32>,
}

/// The edge's rate-limiting bindings.
const RATE_LIMITS: [RateLimit; 2] = [
    RateLimit {
        key: "prompts_per_ip_per_minute",
        binding: "IP_PROMPT_LIMIT",
        given: |w| w.prompts_per_ip_per_minute,
    },
    RateLimit {
        key: "codes_per_ip_per_minute",
        binding: "IP_CODE_LIMIT",
        given: |w| w.codes_per_ip_per_minute,
    },
];

/// A rate-limiting binding's `namespace_id` for the Worker `worker`: bindings with one id
/// share their counts across an account, so each deployment and binding gets its own, derived
/// from both names (FNV-1a, 32 bits, brought into 1..=2^31 - 1: Cloudflare asks for a positive
/// integer and documents no wider range).
fn namespace_id(worker: &str, binding: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in worker.bytes().chain([b'/']).chain(binding.bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    (hash % 0x7fff_ffff + 1).to_string()
}

/// `[d1]`: the id of each of the edge's D1 databases ([`crate::d1::DATABASES`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct D1Section {
    /// The id `wrangler d1 create lipa` printed (the payments index).
    #[serde(default)]
    pub database_id: String,
    /// The id `wrangler d1 create lipa_events` printed (the merchant's event log).
    #[serde(default)]
    pub events_database_id: String,
}

impl D1Section {
    /// The id the file gives `db`, trimmed; empty when unset, and for a database this section
    /// has no key for (which the preflight then refuses as not set, rather than give it
    /// another database's id).
    pub fn id_of(&self, db: &Database) -> &str {
        match db.id_key {
            "database_id" => self.database_id.trim(),
            "events_database_id" => self.events_database_id.trim(),
            _ => "",
        }
    }
}

impl DeployFile {
    /// Parses a file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> TaskResult<DeployFile> {
        toml::from_str(text).map_err(|e| TaskError(format!("{origin}: {e}")))
    }

    /// Reads and parses `path`.
    pub fn read(path: &Path) -> TaskResult<DeployFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            TaskError(format!(
                "{}: {e}. Copy edge/lipa.example.toml to edge/lipa.toml, fill it in, and \
                 pass it with --config (edge/lipa.toml is the default)",
                path.display()
            ))
        })?;
        DeployFile::parse(&text, &path.display().to_string())
    }

    /// A plain setting, `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// The wrangler configuration to upload: `base` (edge/wrangler.toml's text, whose relative
/// paths are relative to `edge_dir`) with the file's Worker name, custom domain, vars and each
/// D1 database's id in `database_ids` (`(database_name, id)`), every path made absolute so the
/// result can be written anywhere.
pub fn wrangler_config(
    base: &str,
    edge_dir: &Path,
    file: &DeployFile,
    database_ids: &[(&str, &str)],
) -> TaskResult<String> {
    let mut config: toml::Table =
        toml::from_str(base).map_err(|e| TaskError(format!("edge/wrangler.toml: {e}")))?;
    // Real paths where they exist: wrangler resolves paths relative to its config file and
    // a symlinked `target` would mislead it.
    let absolute = |v: &toml::Value| -> Option<toml::Value> {
        v.as_str().map(|p| {
            let joined = edge_dir.join(p);
            let real = std::fs::canonicalize(&joined).unwrap_or(joined);
            toml::Value::String(real.to_string_lossy().into_owned())
        })
    };
    config.insert("name".into(), file.worker.name.clone().into());
    if let Some(main) = config.get("main").and_then(absolute) {
        config.insert("main".into(), main);
    }
    if let Some(assets) = config.get_mut("assets").and_then(toml::Value::as_table_mut) {
        if let Some(dir) = assets.get("directory").and_then(absolute) {
            assets.insert("directory".into(), dir);
        }
    }
    let databases = config
        .get_mut("d1_databases")
        .and_then(toml::Value::as_array_mut)
        .ok_or_else(|| TaskError("edge/wrangler.toml has no [[d1_databases]]".into()))?;
    for db in databases.iter_mut().filter_map(toml::Value::as_table_mut) {
        if let Some(dir) = db.get("migrations_dir").and_then(absolute) {
            db.insert("migrations_dir".into(), dir);
        }
        let name = db.get("database_name").and_then(toml::Value::as_str);
        if let Some((_, id)) = database_ids.iter().find(|(n, _)| Some(*n) == name) {
            db.insert("database_id".into(), (*id).into());
        }
    }
    let limits = config
        .get_mut("ratelimits")
        .and_then(toml::Value::as_array_mut)
        .ok_or_else(|| TaskError("edge/wrangler.toml has no [[ratelimits]]".into()))?;
    for RateLimit {
        key,
        binding,
        given,
    } in RATE_LIMITS
    {
        let given = given(&file.worker);
        let limiter = limits
            .iter_mut()
            .filter_map(toml::Value::as_table_mut)
            .find(|r| r.get("name").and_then(toml::Value::as_str) == Some(binding))
            .ok_or_else(|| {
                TaskError(format!("edge/wrangler.toml has no {binding} rate limiter"))
            })?;
        limiter.insert(
            "namespace_id".into(),
            namespace_id(&file.worker.name, binding).into(),
        );
        if let Some(limit) = given {
            if limit == 0 {
                return Err(TaskError(format!("[worker] {key} must be at least 1")));
            }
            limiter
                .get_mut("simple")
                .and_then(toml::Value::as_table_mut)
                .ok_or_else(|| TaskError(format!("edge/wrangler.toml: {binding} has no simple")))?
                .insert("limit".into(), i64::from(limit).into());
        }
    }
    if let Some(domain) = &file.worker.domain {
        let mut route = toml::Table::new();
        route.insert("pattern".into(), domain.clone().into());
        route.insert("custom_domain".into(), true.into());
        config.insert("routes".into(), toml::Value::Array(vec![route.into()]));
    }
    let vars: toml::Table = file
        .vars
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), toml::Value::String(v.trim().to_string())))
        .collect();
    config.insert("vars".into(), vars.into());
    let text = toml::to_string(&config).map_err(|e| TaskError(format!("wrangler config: {e}")))?;
    Ok(format!(
        "# Written by `cargo xtask deploy` from edge/wrangler.toml and the deployment file; \
         do not edit.\n{text}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
name = "lipa-edge"
main = "build/index.js"
[assets]
directory = "../target/site"
binding = "ASSETS"
[[d1_databases]]
binding = "DB"
database_name = "lipa"
migrations_dir = "migrations"
[[d1_databases]]
binding = "EVENTS"
database_name = "lipa_events"
migrations_dir = "migrations-events"
[[ratelimits]]
name = "IP_PROMPT_LIMIT"
namespace_id = "1001"
simple = { limit = 10, period = 60 }
[[ratelimits]]
name = "IP_CODE_LIMIT"
namespace_id = "1002"
simple = { limit = 5, period = 60 }
"#;

    fn file(extra: &str) -> DeployFile {
        DeployFile::parse(
            &format!(
                "[worker]\nname = \"shop-pay\"\n{extra}\n[d1]\ndatabase_id = \"0f6b1c2e-8d3a-4b5c-9e7f-1a2b3c4d5e6f\"\n\
                 [vars]\nMERCHANT_NAME = \"Duka\"\nEMPTY = \"\"\n"
            ),
            "test",
        )
        .unwrap()
    }

    #[test]
    fn the_upload_config_carries_the_files_values_and_absolute_paths() {
        let f = file("domain = \"pay.duka.co.ke\"");
        let ids = [
            ("lipa", f.d1.database_id.as_str()),
            ("lipa_events", "00000000-0000-4000-8000-00000000e7e7"),
        ];
        let text = wrangler_config(BASE, Path::new("/src/edge"), &f, &ids).unwrap();
        let t: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(t["name"].as_str(), Some("shop-pay"));
        assert_eq!(t["main"].as_str(), Some("/src/edge/build/index.js"));
        assert_eq!(
            t["assets"]["directory"].as_str(),
            Some("/src/edge/../target/site")
        );
        let db = &t["d1_databases"][0];
        assert_eq!(db["migrations_dir"].as_str(), Some("/src/edge/migrations"));
        assert_eq!(
            db["database_id"].as_str(),
            Some("0f6b1c2e-8d3a-4b5c-9e7f-1a2b3c4d5e6f")
        );
        let events = &t["d1_databases"][1];
        assert_eq!(
            events["migrations_dir"].as_str(),
            Some("/src/edge/migrations-events")
        );
        assert_eq!(
            events["database_id"].as_str(),
            Some("00000000-0000-4000-8000-00000000e7e7"),
            "each database gets its own id"
        );
        assert_eq!(t["routes"][0]["pattern"].as_str(), Some("pay.duka.co.ke"));
        assert_eq!(t["routes"][0]["custom_domain"].as_bool(), Some(true));
        let vars = t["vars"].as_table().unwrap();
        assert_eq!(vars.len(), 1, "empty values are left out: {vars:?}");
        assert_eq!(vars["MERCHANT_NAME"].as_str(), Some("Duka"));
    }

    #[test]
    fn the_per_address_limits_are_the_files_or_the_bases_with_ids_of_the_deployments_own() {
        let ids = [("lipa", "1"), ("lipa_events", "2")];
        let limiters = |f: &DeployFile| -> TaskResult<Vec<(String, i64, i64, String)>> {
            let text = wrangler_config(BASE, Path::new("/src/edge"), f, &ids)?;
            let t: toml::Table = toml::from_str(&text).unwrap();
            Ok(t["ratelimits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["name"].as_str().unwrap().to_string(),
                        r["simple"]["limit"].as_integer().unwrap(),
                        r["simple"]["period"].as_integer().unwrap(),
                        r["namespace_id"].as_str().unwrap().to_string(),
                    )
                })
                .collect())
        };
        let base = limiters(&file("")).unwrap();
        assert_eq!(
            base.iter()
                .map(|l| (l.0.as_str(), l.1, l.2))
                .collect::<Vec<_>>(),
            [("IP_PROMPT_LIMIT", 10, 60), ("IP_CODE_LIMIT", 5, 60)]
        );
        let raised = limiters(&file("prompts_per_ip_per_minute = 400")).unwrap();
        assert_eq!((raised[0].1, raised[1].1), (400, 5), "codes keep their own");
        let codes = limiters(&file("codes_per_ip_per_minute = 3")).unwrap();
        assert_eq!((codes[0].1, codes[1].1), (10, 3));
        for zero in [
            "prompts_per_ip_per_minute = 0",
            "codes_per_ip_per_minute = 0",
        ] {
            let e = limiters(&file(zero)).unwrap_err();
            assert!(e.0.contains(zero.split(' ').next().unwrap()), "{e}");
        }
        // Each binding of each deployment counts apart from every other in the account.
        let (prompts, codes) = (&base[0].3, &base[1].3);
        assert_ne!(prompts, codes);
        assert_ne!(prompts, "1001", "not local development's");
        assert_eq!(prompts, &namespace_id("shop-pay", "IP_PROMPT_LIMIT"));
        assert_ne!(
            prompts,
            &namespace_id("shop-pay-staging", "IP_PROMPT_LIMIT")
        );
        assert!(prompts.parse::<i32>().is_ok_and(|n| n > 0), "{prompts}");
    }

    #[test]
    fn each_database_reads_its_own_id() {
        let section = D1Section {
            database_id: " 1 ".into(),
            events_database_id: "2".into(),
        };
        let ids: Vec<&str> = crate::d1::DATABASES
            .iter()
            .map(|db| section.id_of(db))
            .collect();
        assert_eq!(ids, ["1", "2"]);
        let unknown = Database {
            name: "other",
            migrations_dir: "migrations-other",
            id_key: "other_database_id",
        };
        assert_eq!(section.id_of(&unknown), "", "never another database's id");
    }

    #[test]
    fn an_unknown_section_or_key_is_refused_by_name() {
        let e = DeployFile::parse(
            "[worker]\nname = \"x\"\n[secrets]\nA = \"b\"\n",
            "lipa.toml",
        )
        .unwrap_err();
        assert!(e.0.contains("secrets"), "{e}");
        let e = DeployFile::parse("[vars]\nA = \"b\"\n", "lipa.toml").unwrap_err();
        assert!(e.0.contains("worker"), "{e}");
    }
}
