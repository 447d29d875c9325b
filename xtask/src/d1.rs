//! The edge's D1 databases, as `edge/wrangler.toml` binds them: each has its own migrations,
//! applied locally by the system's start and remotely by `deploy`, and its own id in a
//! deployment file.

/// One D1 database of the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Database {
    /// Its `database_name` in `edge/wrangler.toml` (what `wrangler d1 create` names it).
    pub name: &'static str,
    /// Its migrations, under `edge/`.
    pub migrations_dir: &'static str,
    /// The deployment file's key for its id, under `[d1]`.
    pub id_key: &'static str,
}

/// Every D1 database the edge binds: the payments index, and the merchant's event log apart
/// from it (a database runs one query at a time; see BENCHMARKS.md).
pub const DATABASES: [Database; 2] = [
    Database {
        name: "lipa",
        migrations_dir: "migrations",
        id_key: "database_id",
    },
    Database {
        name: "lipa_events",
        migrations_dir: "migrations-events",
        id_key: "events_database_id",
    },
];

impl Database {
    /// How a refusal names its id's setting: `[d1] database_id`.
    pub fn setting(&self) -> String {
        format!("[d1] {}", self.id_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_database_is_the_one_wrangler_toml_binds() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../edge/wrangler.toml"),
        )
        .unwrap();
        let config: toml::Table = toml::from_str(&text).unwrap();
        let bound: Vec<(&str, &str)> = config["d1_databases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["database_name"].as_str().unwrap(),
                    d["migrations_dir"].as_str().unwrap(),
                )
            })
            .collect();
        let known: Vec<(&str, &str)> = DATABASES
            .iter()
            .map(|d| (d.name, d.migrations_dir))
            .collect();
        assert_eq!(bound, known);
    }
}
