//! The store against real SQLite files: runs recorded and read back, found by a prefix of
//! their id, pruned, leased; a store from elsewhere (newer, foreign, corrupt) refused with a
//! message naming the file.

use std::collections::BTreeMap;

use serde_json::json;
use telaio_run::{DocumentIdentity, Entry, JOURNAL_FORMAT, JournalHeader, RunOptions};
use telaio_store::{Holder, Lease, ListFilter, RunId, RunStatus, Store, StoreError};

fn header(workflow: &str, started_at_ms: u64) -> JournalHeader {
    JournalHeader {
        format: JOURNAL_FORMAT.to_owned(),
        telaio: "test".to_owned(),
        run_id: None,
        started_at_ms,
        document: DocumentIdentity {
            url: "file:///work/seed.arazzo.yaml".to_owned(),
            path: Some("/work/seed.arazzo.yaml".into()),
            sources: BTreeMap::new(),
            sha256: "ab".repeat(32),
            parts: Default::default(),
        },
        workflow_id: workflow.to_owned(),
        inputs: json!({"clientRequestToken": "abc"}),
        options: RunOptions::default(),
        plan: telaio_plan::PlanOptions::default(),
        show_sensitive: false,
        mock: false,
        loading: Default::default(),
        driver: None,
        origin: None,
    }
}

/// Records a new run.
fn begin(store: &mut Store, header: &JournalHeader, lease: &Lease) -> RunId {
    let id = RunId::new();
    store.begin(&id, header, lease).unwrap();
    id
}

fn lease(now: u64) -> Lease {
    Lease::this_process("test-host", now, 60_000)
}

#[test]
fn a_run_is_recorded_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deeper/telaio/runs.db");
    let mut store = Store::open(&path).unwrap();
    let run = begin(&mut store, &header("poll", 1_000), &lease(1_000));
    let entry = Entry::Waited { millis: 250 };
    let text = serde_json::to_string(&entry).unwrap();
    store.append(&run, &lease(1_000), 1, 1_100, &text).unwrap();
    store.append(&run, &lease(1_000), 2, 1_200, &text).unwrap();
    assert_eq!(store.last_entry_at(&run).unwrap(), Some(1_200));
    // Entries are numbered once: a second entry 2 is refused, not silently added.
    assert!(store.append(&run, &lease(1_000), 2, 0, &text).is_err());
    let record = store.find(run.as_str()).unwrap();
    assert_eq!(record.summary.status, RunStatus::Running);
    assert_eq!(record.entries, 2);
    assert_eq!(record.header.workflow_id, "poll");
    assert_eq!(record.summary.document, "/work/seed.arazzo.yaml");
    assert_eq!(store.entries(&run).unwrap(), [entry.clone(), entry]);
    store
        .finish(
            &run,
            &lease(0),
            RunStatus::Succeeded,
            2_000,
            &json!({"status": "succeeded"}),
        )
        .unwrap();
    let record = store.find(&run.as_str()[..13]).unwrap();
    assert_eq!(record.summary.status, RunStatus::Succeeded);
    assert_eq!(record.summary.ended_at_ms, Some(2_000));
    assert_eq!(record.summary.lease_owner, None);
    assert_eq!(record.result, Some(json!({"status": "succeeded"})));
    // The store and its folder are the owner's only: they hold responses.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }
}

#[test]
fn runs_are_listed_newest_first_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.db")).unwrap();
    let mut ids = Vec::new();
    for (i, workflow) in ["a", "b", "a", "a"].iter().enumerate() {
        let started = 1_000 * (i as u64 + 1);
        let run = begin(&mut store, &header(workflow, started), &lease(started));
        ids.push(run);
    }
    store
        .finish(&ids[2], &lease(0), RunStatus::Failed, 3_500, &json!({}))
        .unwrap();
    let all = store.list(&ListFilter::default()).unwrap();
    let listed: Vec<_> = all.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        listed,
        [
            ids[3].clone(),
            ids[2].clone(),
            ids[1].clone(),
            ids[0].clone()
        ]
    );
    let failed = store
        .list(&ListFilter {
            status: Some(RunStatus::Failed),
            ..ListFilter::default()
        })
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, ids[2]);
    let recent_a = store
        .list(&ListFilter {
            workflow: Some("a".into()),
            since_ms: Some(2_000),
            limit: 1,
            ..ListFilter::default()
        })
        .unwrap();
    assert_eq!(recent_a.len(), 1);
    assert_eq!(recent_a[0].id, ids[3]);
}

#[test]
fn a_prefix_names_one_run_or_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.db")).unwrap();
    let one = begin(&mut store, &header("a", 1), &lease(1));
    let two = begin(&mut store, &header("a", 2), &lease(2));
    assert_eq!(store.find(two.as_str()).unwrap().summary.id, two);
    // UUID v7 ids made in the same millisecond share their first 12 digits or so.
    let common: usize = one
        .as_str()
        .chars()
        .zip(two.as_str().chars())
        .take_while(|(a, b)| a == b)
        .count();
    match store.find(&one.as_str()[..common]) {
        Err(StoreError::Ambiguous { count, .. }) => assert_eq!(count, 2),
        other => panic!("{other:?}"),
    }
    for bad in ["", "zz", "%", "0000"] {
        assert!(
            matches!(store.find(bad), Err(StoreError::NoSuchRun(_))),
            "{bad}"
        );
    }
}

#[test]
fn prune_deletes_ended_runs_and_their_entries_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.db")).unwrap();
    let old = begin(&mut store, &header("a", 1_000), &lease(1_000));
    store
        .append(&old, &lease(1_000), 1, 0, r#"{"type":"waited","millis":1}"#)
        .unwrap();
    store
        .finish(&old, &lease(0), RunStatus::Succeeded, 1_500, &json!({}))
        .unwrap();
    let going = begin(&mut store, &header("a", 1_000), &lease(1_000));
    // An interrupted run may go on: it is kept, however old.
    let stopped = begin(&mut store, &header("a", 1_000), &lease(1_000));
    store
        .finish(
            &stopped,
            &lease(0),
            RunStatus::Interrupted,
            1_500,
            &json!({}),
        )
        .unwrap();
    let recent = begin(&mut store, &header("a", 5_000), &lease(5_000));
    store
        .finish(&recent, &lease(0), RunStatus::Failed, 6_000, &json!({}))
        .unwrap();
    assert_eq!(store.prune(5_000).unwrap(), 1);
    assert!(matches!(
        store.find(old.as_str()),
        Err(StoreError::NoSuchRun(_))
    ));
    assert!(store.entries_json(&old).unwrap().is_empty());
    assert!(store.find(going.as_str()).is_ok());
    assert!(store.find(stopped.as_str()).is_ok());
    assert!(store.find(recent.as_str()).is_ok());
}

#[test]
fn a_lease_keeps_a_run_to_one_process_until_it_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("runs.db")).unwrap();
    let run = begin(&mut store, &header("a", 1_000), &lease(1_000));
    let other = Lease {
        owner: "elsewhere:1".to_owned(),
        until_ms: 200_000,
    };
    // Held until 61 s by a holder that cannot be known: not before then, unless it is gone.
    assert_eq!(
        store
            .take_lease(&run, &other, 30_000, |_| Holder::Unknown)
            .unwrap(),
        Some(lease(1_000).owner)
    );
    assert_eq!(
        store
            .take_lease(&run, &other, 30_000, |_| Holder::Gone)
            .unwrap(),
        None
    );
    // The process it was taken from, were it alive after all, records nothing more.
    let waited = r#"{"entry":"waited","millis":1}"#;
    assert!(matches!(
        store.append(&run, &lease(1_000), 1, 31_000, waited),
        Err(StoreError::LeaseLost(_))
    ));
    assert!(matches!(
        store.renew_lease(&run, &lease(40_000)),
        Err(StoreError::LeaseLost(_))
    ));
    assert!(matches!(
        store.finish(&run, &lease(1_000), RunStatus::Failed, 31_000, &json!({})),
        Err(StoreError::LeaseLost(_))
    ));
    assert!(matches!(
        store.set_status(&run, &lease(1_000), RunStatus::InDoubt),
        Err(StoreError::LeaseLost(_))
    ));
    store.append(&run, &other, 1, 31_000, waited).unwrap();
    store.renew_lease(&run, &other).unwrap();
    assert_eq!(
        store.find(run.as_str()).unwrap().summary.status,
        RunStatus::Running,
        "the holder's run, untouched"
    );
    // Now `elsewhere:1` holds it until 200 s; after its time, anyone may take it...
    assert!(
        store
            .take_lease(&run, &lease(1), 100_000, |_| Holder::Unknown)
            .unwrap()
            .is_some()
    );
    // ...unless its holder is known to be alive (whatever its time says).
    assert!(
        store
            .take_lease(&run, &lease(1), 300_000, |_| Holder::Alive)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .take_lease(&run, &lease(1), 300_000, |_| Holder::Unknown)
            .unwrap(),
        None
    );
    assert!(
        Lease::holder_is_gone("test-host:4294967295", "test-host") == cfg!(target_os = "linux")
    );
    assert!(!Lease::holder_is_gone(&lease(1).owner, "test-host"));
    // An earlier process that had this one's id (a container restarted as PID 1) is gone.
    let earlier = format!("test-host:{}.0000000000000000", std::process::id());
    assert!(Lease::holder_is_gone(&earlier, "test-host") == cfg!(target_os = "linux"));
    assert!(!Lease::holder_is_gone("other-host:4294967295", "test-host"));
}

#[test]
fn two_writers_share_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.db");
    Store::open(&path).unwrap();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let run = begin(&mut store, &header(&format!("w{w}"), 1), &lease(1));
                for seq in 1..=200 {
                    store
                        .append(&run, &lease(1), seq, 0, r#"{"type":"waited","millis":1}"#)
                        .unwrap();
                }
                run
            })
        })
        .collect();
    let runs: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let store = Store::open(&path).unwrap();
    for run in runs {
        assert_eq!(store.find(run.as_str()).unwrap().entries, 200);
    }
}

#[test]
fn a_store_from_elsewhere_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    // Newer than this code.
    let newer = dir.path().join("newer.db");
    sql(&newer, "PRAGMA user_version = 99");
    match Store::open(&newer) {
        Err(e @ StoreError::Newer { found: 99, .. }) => {
            assert!(e.to_string().contains("newer.db"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // Not SQLite at all.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "these are my notes, not a database ".repeat(100)).unwrap();
    match Store::open(&text) {
        Err(e @ StoreError::NotAStore { .. }) => assert!(e.to_string().contains("notes.db"), "{e}"),
        other => panic!("{other:?}"),
    }
    // Another program's database.
    let foreign = dir.path().join("foreign.db");
    sql(&foreign, "CREATE TABLE invoices (id INTEGER)");
    assert!(matches!(
        Store::open(&foreign),
        Err(StoreError::NotAStore { .. })
    ));
    // A store that was opened once is opened again without change.
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert!(Store::open(&fresh).is_ok());
}

/// Runs SQL on a database file directly, to make the stores the code must refuse.
fn sql(path: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}
