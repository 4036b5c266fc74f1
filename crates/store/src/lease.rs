//! Who drives a run: a lease in the store, so that one run is never resumed by two processes
//! at once, and a lease whose holder died can be taken over.

/// A claim on a run: who holds it and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The holder: `host:pid.start` of the process (`start` tells this process from an
    /// earlier one that had the same id, as a container restarted as PID 1 does).
    pub owner: String,
    /// Until when, in milliseconds since the Unix epoch (renewed while the run goes on).
    pub until_ms: u64,
}

/// What tells this process from an earlier one with the same id: when it started, in
/// nanoseconds, mixed with a random value (read once).
fn this_start() -> &'static str {
    static START: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    START.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        format!("{:016x}", h.finish())
    })
}

impl Lease {
    /// A lease for this process, for `for_ms` from `now_ms`.
    pub fn this_process(host: &str, now_ms: u64, for_ms: u64) -> Lease {
        Lease {
            owner: format!("{host}:{}.{}", std::process::id(), this_start()),
            until_ms: now_ms.saturating_add(for_ms),
        }
    }

    /// Whether a holder named `owner` is a process of `host` that is gone (on Linux, no
    /// `/proc/<pid>`): its lease is stale whatever its time says.
    pub fn holder_is_gone(owner: &str, host: &str) -> bool {
        Lease::holder(owner, host) == Holder::Gone
    }

    /// What can be known here of the process holding a lease: on this host (Linux), whether
    /// it is alive; elsewhere, nothing (its lease's time says). A holder with this process's
    /// id that is not this process is an earlier one, gone.
    pub fn holder(owner: &str, host: &str) -> Holder {
        let Some((owner_host, process)) = owner.rsplit_once(':') else {
            return Holder::Unknown;
        };
        let (pid, start) = match process.split_once('.') {
            Some((pid, start)) => (pid, Some(start)),
            None => (process, None),
        };
        let Ok(pid) = pid.parse::<u32>() else {
            return Holder::Unknown;
        };
        if owner_host != host || !cfg!(target_os = "linux") {
            return Holder::Unknown;
        }
        if pid == std::process::id() {
            return if start == Some(this_start()) {
                Holder::Alive
            } else {
                Holder::Gone
            };
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
