//! A run being recorded: its entries numbered and added one by one, its lease renewed now
//! and then and held through waits, its end recorded. Whoever drives the run (a command, a
//! server) owns one per run and hands it the store at each step, so one connection can serve
//! many runs.

use serde_json::Value;
use telaio_run::JournalHeader;

use crate::{Lease, RunId, RunStatus, Store, StoreError};

/// How long a lease holds unless renewed.
pub const LEASE_MS: u64 = 60_000;
/// How often a run that is recording renews its lease.
const RENEW_EVERY_MS: u64 = 20_000;

/// A run being recorded in a [`Store`].
///
/// ```
/// use telaio_store::{Lease, Recorder, RunId, Store};
/// # fn f(store: &mut Store, header: &telaio_run::JournalHeader) -> Result<(), telaio_store::StoreError> {
/// let lease = Lease::this_process("host", 0, telaio_store::LEASE_MS);
/// let mut recorder = Recorder::begin(store, RunId::new(), header, lease, 0)?;
/// recorder.append(store, r#"{"entry":"waited","millis":10}"#, 5)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Recorder {
    run: RunId,
    /// Entries recorded so far.
    seq: u64,
    lease: Lease,
    renewed_ms: u64,
}

impl Recorder {
    /// Records a new run with `header` (which names `run`), leased with `lease`.
    pub fn begin(
        store: &mut Store,
        run: RunId,
        header: &JournalHeader,
        lease: Lease,
        now_ms: u64,
    ) -> Result<Recorder, StoreError> {
        store.begin(&run, header, &lease)?;
        Ok(Recorder {
            run,
            seq: 0,
            lease,
            renewed_ms: now_ms,
        })
    }

    /// Goes on recording a run, after its `seq` entries, whose lease `lease` took.
    pub fn resumed(run: RunId, seq: u64, lease: Lease) -> Recorder {
        Recorder {
            run,
            seq,
            lease,
            renewed_ms: 0,
        }
    }

    /// The run's id.
    pub fn run(&self) -> &RunId {
        &self.run
    }

    /// Records the next entry (serialised), renewing the lease now and then.
    pub fn append(&mut self, store: &mut Store, line: &str, now_ms: u64) -> Result<(), StoreError> {
        self.seq += 1;
        store.append(&self.run, &self.lease, self.seq, now_ms, line)?;
        if now_ms.saturating_sub(self.renewed_ms) >= RENEW_EVERY_MS {
            self.lease.until_ms = now_ms + LEASE_MS;
            self.renewed_ms = now_ms;
            store.renew_lease(&self.run, &self.lease)?;
        }
        Ok(())
    }

    /// Keeps the lease through a wait of `millis` about to begin, so that a process of
    /// another machine does not take over a run that is only waiting. (A lease lost shows
    /// at the next entry, which the lease fences.)
    pub fn hold_for(&mut self, store: &mut Store, millis: u64, now_ms: u64) {
        let until = now_ms.saturating_add(millis).saturating_add(LEASE_MS);
        // A short wait is covered by the lease as it is: only one that outlasts it by the
        // renewal spacing costs a write.
        if until >= self.lease.until_ms.saturating_add(RENEW_EVERY_MS) {
            self.lease.until_ms = until;
            self.renewed_ms = now_ms;
            let _ = store.renew_lease(&self.run, &self.lease);
        }
    }

    /// Leaves the run in `status` without a result (a resume stopped before a call in
    /// doubt, or one that could not go on), letting its lease go.
    pub fn leave(self, store: &mut Store, status: RunStatus) -> Result<(), StoreError> {
        store.set_status(&self.run, &self.lease, status)
    }

    /// Records how the run ended, and lets its lease go.
    pub fn finish(
        self,
        store: &mut Store,
        status: RunStatus,
        result: &Value,
        now_ms: u64,
    ) -> Result<(), StoreError> {
        store.finish(&self.run, &self.lease, status, now_ms, result)
    }
}
