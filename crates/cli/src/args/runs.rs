//! The arguments of the commands over recorded runs: where the store is, `telaio runs`
//! and its subcommands, and `telaio replay`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::RunOutput;

/// Where runs are recorded.
#[derive(Clone, Debug, Args)]
pub(crate) struct StoreArgs {
    /// The run store, a SQLite file (default: `$XDG_DATA_HOME/telaio/runs.db`, else
    /// `~/.local/share/telaio/runs.db`).
    #[arg(long, value_name = "PATH", env = "TELAIO_STORE", global = true)]
    pub store: Option<PathBuf>,
    /// Make each recorded entry reach the disk (fsync) before the next request is sent, so
    /// that a power loss loses none; by default an entry survives a crash or a kill of the
    /// process, and a power loss may take back the last ones.
    #[arg(long, env = "TELAIO_STORE_FSYNC", global = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub fsync: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RunsArgs {
    #[command(subcommand)]
    pub command: RunsCommand,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RunsCommand {
    /// The runs, newest first.
    List(RunsListArgs),
    /// One run: its steps, each request and response (masked), waits, retries, outputs.
    Show(RunsShowArgs),
    /// A run again, offline, from its journal in the store: nothing is sent.
    Replay(RunsReplayArgs),
    /// A run's journal as JSON Lines (what `telaio replay` reads).
    Export(RunsExportArgs),
    /// Deletes the runs that ended longer ago than a duration.
    Prune(RunsPruneArgs),
    /// Goes on with an interrupted run (a crash, `kill -9`, Ctrl-C): what was answered is
    /// replayed from its journal, not sent again; then the run goes on.
    Resume(RunsResumeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RunsResumeArgs {
    /// The run's id, or the start of it.
    pub run: String,
    /// A request that may have taken effect before the run was cut short, and that is not
    /// known to be safe to send again: `ask` stops and says which (the run is `in-doubt`),
    /// `resend` sends it again, `fail` ends the run failed.
    #[arg(long, value_enum, default_value_t = InDoubtChoice::Ask)]
    pub in_doubt: InDoubtChoice,
    /// Resume even though the document changed since the run started.
    #[arg(long)]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunOutput::Human)]
    pub output: RunOutput,
    /// A credentials file, as for `telaio run` (secrets are never stored: a resume gets them
    /// again).
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// An input given again (`--input password=...`): secret inputs are stored masked.
    #[arg(short, long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// A server URL of a source description, over the one the run was started with.
    #[arg(long = "server", value_name = "NAME=URL")]
    pub servers: Vec<String>,
    /// Seconds between polls, over the run's.
    #[arg(long, value_name = "SECONDS")]
    pub poll_interval: Option<f64>,
    /// The run's deadline in seconds, over the run's (counted from its start).
    #[arg(long, value_name = "SECONDS")]
    pub deadline: Option<f64>,
    /// The most steps the run may take, over the run's.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// Seconds to wait for one response, over the run's.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// The longest `Retry-After` a retry waits for, over the run's.
    #[arg(long, value_name = "SECONDS")]
    pub max_retry_wait: Option<f64>,
    /// Largest response body kept in memory, in bytes, over the run's.
    #[arg(long, value_name = "BYTES")]
    pub max_response_bytes: Option<usize>,
    /// Extra attempts for a request to an AWS API after a transient failure, over the run's.
    #[arg(long, value_name = "N")]
    pub transport_retries: Option<u32>,
    /// Read a source description from this file, over where the run read it (a run started
    /// on another machine): the content must still be what the run read, or `--force`.
    #[arg(long = "source", value_name = "NAME=PATH")]
    pub sources: Vec<String>,
}

/// `--in-doubt` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InDoubtChoice {
    /// Stop, and say which request.
    Ask,
    /// Send it again.
    Resend,
    /// End the run failed.
    Fail,
}

#[derive(Debug, Args)]
pub(crate) struct RunsListArgs {
    /// Only runs in this status: running, succeeded, failed, interrupted, in-doubt.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only runs of this workflow.
    #[arg(long, value_name = "WORKFLOW")]
    pub workflow: Option<String>,
    /// Only runs started within this long (`90s`, `15m`, `12h`, `7d`).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunOutput::Human)]
    pub output: RunOutput,
}

#[derive(Debug, Args)]
pub(crate) struct RunsShowArgs {
    /// The run's id, or the start of it.
    pub run: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunOutput::Human)]
    pub output: RunOutput,
}

#[derive(Debug, Args)]
pub(crate) struct RunsReplayArgs {
    /// The run's id, or the start of it.
    pub run: String,
    #[command(flatten)]
    pub options: ReplayOptions,
}

#[derive(Debug, Args)]
pub(crate) struct RunsExportArgs {
    /// The run's id, or the start of it.
    pub run: String,
    /// What to write: the journal as JSON Lines, or the exchanges as an HTTP Archive.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// The journal: its header, then one entry per line.
    Jsonl,
    /// An HTTP Archive (HAR 1.2) of the requests and their answers, masked.
    Har,
}

#[derive(Debug, Args)]
pub(crate) struct RunsPruneArgs {
    /// Delete runs that ended longer ago than this (`30d`, `12h`).
    #[arg(long, value_name = "DURATION")]
    pub older_than: String,
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The journal.
    #[arg(value_name = "JOURNAL.jsonl")]
    pub journal: PathBuf,

    #[command(flatten)]
    pub options: ReplayOptions,
}

/// How a recorded run is replayed, from a journal file or from the store.
#[derive(Debug, Args)]
pub(crate) struct ReplayOptions {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunOutput::Human)]
    pub output: RunOutput,

    /// Replay even though the document or its sources changed since the run started.
    #[arg(long)]
    pub force: bool,

    /// Read the document from here rather than from where the journal says the run read it
    /// (a journal from another machine, or one you would rather not trust with a path).
    #[arg(long, value_name = "FILE")]
    pub document: Option<std::path::PathBuf>,

    /// Write every event of the replayed run to this file as JSON Lines, as `run --trace`
    /// wrote them.
    #[arg(long, value_name = "FILE.jsonl")]
    pub trace: Option<std::path::PathBuf>,
}
