//! Fills a run store with many finished runs, for measuring `telaio runs list` on a big store.
//!
//! `cargo run --release -p telaio-store --example fill_store -- /tmp/big/runs.db 100000`

use std::collections::BTreeMap;

use serde_json::json;
use telaio_run::{DocumentIdentity, JOURNAL_FORMAT, JournalHeader, RunOptions};
use telaio_store::{Lease, RunId, RunStatus, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a store path");
    let runs: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let mut store = Store::open(path.as_ref()).expect("a store");
    let entry = r#"{"entry":"waited","millis":1000}"#;
    for i in 0..runs {
        let started = 1_700_000_000_000 + i * 1_000;
        let header = JournalHeader {
            format: JOURNAL_FORMAT.to_owned(),
            telaio: "fill".to_owned(),
            run_id: None,
            started_at_ms: started,
            document: DocumentIdentity {
                url: "file:///work/seed.arazzo.yaml".to_owned(),
                path: Some("/work/seed.arazzo.yaml".into()),
                sources: BTreeMap::new(),
                sha256: "ab".repeat(32),
                parts: Default::default(),
            },
            workflow_id: ["face-liveness-session", "other"][usize::from(i % 7 == 0)].to_owned(),
            inputs: json!({"clientRequestToken": format!("t-{i}")}),
            options: RunOptions::default(),
            plan: Default::default(),
            show_sensitive: false,
            mock: false,
            loading: Default::default(),
            driver: None,
            origin: None,
        };
        let id = RunId::new();
        let lease = Lease {
            owner: "fill:0".to_owned(),
            until_ms: started,
        };
        store.begin(&id, &header, &lease).expect("begin");
        for seq in 1..=3 {
            store
                .append(&id, &lease, seq, started, entry)
                .expect("append");
        }
        let status = [RunStatus::Succeeded, RunStatus::Failed][usize::from(i % 5 == 0)];
        store
            .finish(
                &id,
                &lease,
                status,
                started + 900,
                &json!({"status": status.as_str()}),
            )
            .expect("finish");
    }
    println!("{runs} runs in {path}");
}
