//! What a resume decides about a call in doubt, and why a resume cannot go on.

use telaio_run::ReplayError;

/// A run's record as a resume takes it up.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    /// Its journal's entries.
    pub entries: Vec<telaio_run::Entry>,
    /// How long ago the last was written (a wait the run was in is waited out from then).
    pub waited: std::time::Duration,
    /// Whether the run was interrupted at a safe point (a signal, a cancellation) and the
    /// entry saying so taken back already: the request it makes next was never sent.
    pub interrupted: bool,
}

/// What to do with a request that may have been sent, and taken effect, before the run was
/// cut short, when sending it again is not known to be safe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InDoubt {
    /// Send nothing and say which request it is ([`ResumeError::InDoubt`]): a person decides.
    #[default]
    Ask,
    /// Send it again.
    Resend,
    /// Do not send it: the run ends failed, saying why.
    Fail,
}

/// Why a recorded run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// Its journal no longer fits the workflow (the document changed, or a masked value
    /// steered it).
    #[error(transparent)]
    Journal(#[from] ReplayError),
    /// The run was cut short after asking for a request that may have taken effect, and
    /// sending it again is not known to be safe.
    #[error(
        "{method} {url} may or may not have taken effect before the run was cut short, and sending it again is not known to be safe"
    )]
    InDoubt {
        /// Its method.
        method: String,
        /// Its URL.
        url: String,
    },
}
