//! The run store as the command line uses it: where it is, and a run being recorded in it
//! (each journal entry committed before the run sends its next request).

use serde_json::Value;
use telaio_engine::JournalHeader;
use telaio_store::{LEASE_MS, Lease, Recorder, RunId, RunStatus, Store};

use crate::args::StoreArgs;

/// Opens the store `--store` or `TELAIO_STORE` names, else the default one.
pub(crate) fn open(args: &StoreArgs) -> Result<Store, String> {
    let path = match &args.store {
        Some(path) => path.clone(),
        None => {
            let var = |name| std::env::var_os(name).map(std::path::PathBuf::from);
            Store::default_path_from(var("XDG_DATA_HOME").as_deref(), var("HOME").as_deref())
                .ok_or("there is no place for the run store: HOME is not set; pass --store PATH (or set TELAIO_STORE), or --no-store")?
        }
    };
    let store = Store::open(&path).map_err(|e| e.to_string())?;
    if args.fsync {
        store.sync_fully().map_err(|e| e.to_string())?;
    }
    Ok(store)
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// This machine's name, for leases.
pub(crate) fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A lease on a run for this process, from now.
pub(crate) fn lease() -> Lease {
    Lease::this_process(&host(), now_ms(), LEASE_MS)
}

/// A run being recorded in the store this command opened.
pub(crate) struct Recording {
    store: Store,
    recorder: Recorder,
}

impl Recording {
    /// Records a new run with `header` (which names `run`), leased to this process.
    pub(crate) fn begin(
        mut store: Store,
        run: RunId,
        header: &JournalHeader,
    ) -> Result<Recording, String> {
        let recorder = Recorder::begin(&mut store, run, header, lease(), now_ms())
            .map_err(|e| e.to_string())?;
        Ok(Recording { store, recorder })
    }

    /// Goes on recording a run whose lease this process took, after its `seq` entries.
    pub(crate) fn resume(store: Store, run: RunId, seq: u64) -> Recording {
        Recording {
            store,
            recorder: Recorder::resumed(run, seq, lease()),
        }
    }

    /// Leaves the run in `status` without a result (a resume stopped before a call in
    /// doubt, or one that could not go on).
    pub(crate) fn leave(mut self, status: RunStatus) -> Result<(), String> {
        self.recorder
            .leave(&mut self.store, status)
            .map_err(|e| format!("cannot record the run's status: {e}"))
    }

    /// The run's id.
    pub(crate) fn run(&self) -> &RunId {
        self.recorder.run()
    }

    /// Records the next entry (serialised), renewing the lease now and then.
    pub(crate) fn append(&mut self, line: &str) -> Result<(), String> {
        self.recorder
            .append(&mut self.store, line, now_ms())
            .map_err(|e| format!("cannot record the run: {e}"))
    }

    /// Keeps the run's lease through a wait of `millis` about to begin.
    pub(crate) fn hold_for(&mut self, millis: u64) {
        self.recorder.hold_for(&mut self.store, millis, now_ms());
    }

    /// Records how the run ended, and lets it go.
    pub(crate) fn finish(mut self, status: RunStatus, result: &Value) -> Result<(), String> {
        self.recorder
            .finish(&mut self.store, status, result, now_ms())
            .map_err(|e| format!("cannot record the run's result: {e}"))
    }
}
