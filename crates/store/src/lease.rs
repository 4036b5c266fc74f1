//! Who drives a run: a lease in the store, so that one run is never resumed by two processes
//! at once, and a lease whose holder died can be taken over.

/// A claim on a run: who holds it and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The holder: `host:pid` of the process.
    pub owner: String,
    /// Until when, in milliseconds since the Unix epoch (renewed while the run goes on).
    pub until_ms: u64,
}

impl Lease {
    /// A lease for this process, for `for_ms` from `now_ms`.
    pub fn this_process(host: &str, now_ms: u64, for_ms: u64) -> Lease {
        Lease {
            owner: format!("{host}:{}", std::process::id()),
            until_ms: now_ms.saturating_add(for_ms),
        }
    }

    /// Whether a holder named `owner` is a process of `host` that is gone (on Linux, no
    /// `/proc/<pid>`): its lease is stale whatever its time says.
    pub fn holder_is_gone(owner: &str, host: &str) -> bool {
        Lease::holder(owner, host) == Holder::Gone
    }

    /// What can be known here of the process holding a lease: on this host (Linux), whether
    /// it is alive; elsewhere, nothing (its lease's time says).
    pub fn holder(owner: &str, host: &str) -> Holder {
        let Some((owner_host, pid)) = owner.rsplit_once(':') else {
            return Holder::Unknown;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            return Holder::Unknown;
        };
        if owner_host != host || !cfg!(target_os = "linux") {
            return Holder::Unknown;
        }
        if std::path::Path::new(&format!("/proc/{pid}")).exists() {
            Holder::Alive
        } else {
            Holder::Gone
        }
    }
}

/// What is known of a lease's holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A process of this host that is running: it keeps its lease even past its time (a
    /// run waiting out a long wait may not have renewed it for that long).
    Alive,
    /// A process of this host that is gone: its lease is stale.
    Gone,
    /// A process elsewhere: its lease holds until its time is up.
    Unknown,
}
