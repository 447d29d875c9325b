//! The request log every simulated provider keeps: the proof of what the edge called.

use serde::{Deserialize, Serialize};

/// Entries kept per provider.
const KEPT: usize = 1000;

/// One request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When, Unix ms.
    pub at_ms: i64,
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// The payer's number (E.164 with `+`) the request was about, when known.
    pub phone: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// The last [`KEPT`] requests, oldest first, and how many were ever answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredLog")]
pub struct RequestLog {
    kept: Vec<LogEntry>,
    total: u64,
}

/// A log as stored: a sandbox state from before the count (a bare list) still loads.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredLog {
    Counted { kept: Vec<LogEntry>, total: u64 },
    Bare(Vec<LogEntry>),
}

impl From<StoredLog> for RequestLog {
    fn from(stored: StoredLog) -> RequestLog {
        match stored {
            StoredLog::Counted { kept, total } => RequestLog { kept, total },
            StoredLog::Bare(kept) => RequestLog {
                total: kept.len() as u64,
                kept,
            },
        }
    }
}

impl RequestLog {
    /// Records the answer `status` to `req`, about `phone` when known.
    pub fn note(
        &mut self,
        req: &crate::sim::SimRequest,
        status: u16,
        phone: Option<String>,
        at_ms: i64,
    ) {
        self.record(LogEntry {
            at_ms,
            method: req.method.clone(),
            path: req.path.clone(),
            phone,
            status,
        });
    }

    /// Records a request, forgetting the oldest beyond [`KEPT`].
    pub fn record(&mut self, entry: LogEntry) {
        self.total += 1;
        self.kept.push(entry);
        if self.kept.len() > KEPT {
            self.kept.remove(0);
        }
    }

    /// How many requests were ever recorded, the forgotten ones too.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The requests, optionally only those about `phone`.
    pub fn matching(&self, phone: Option<&str>) -> Vec<LogEntry> {
        self.kept
            .iter()
            .filter(|e| phone.is_none_or(|p| e.phone.as_deref() == Some(p)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: i64, phone: &str) -> LogEntry {
        LogEntry {
            at_ms: i,
            method: "GET".into(),
            path: "/".into(),
            phone: Some(phone.into()),
            status: 200,
        }
    }

    #[test]
    fn keeps_the_newest_and_filters_by_phone() {
        let mut log = RequestLog::default();
        for i in 0..(KEPT as i64 + 5) {
            log.record(entry(i, if i % 2 == 0 { "+1" } else { "+2" }));
        }
        let all = log.matching(None);
        assert_eq!(all.len(), KEPT);
        assert_eq!(all[0].at_ms, 5);
        assert_eq!(log.total(), KEPT as u64 + 5);
        assert!(log
            .matching(Some("+1"))
            .iter()
            .all(|e| e.phone.as_deref() == Some("+1")));
    }

    #[test]
    fn a_stored_log_loads_with_its_count_and_without() {
        let mut log = RequestLog::default();
        log.record(entry(1, "+1"));
        log.record(entry(2, "+2"));
        let again: RequestLog =
            serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        assert_eq!(again, log);
        let bare = serde_json::to_string(&log.matching(None)).unwrap();
        let old: RequestLog = serde_json::from_str(&bare).unwrap();
        assert_eq!(old.total(), 2);
        assert_eq!(old.matching(Some("+2")).len(), 1);
    }
}
