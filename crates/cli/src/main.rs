//! `telaio`: validate and run Arazzo workflows, and evaluate their expressions.
//!
//! The binary only parses arguments, wires the library crates together and presents results;
//! the work is done by `telaio-model` (loading), `telaio-lint` (checking), `telaio-expr`,
//! `telaio-engine` (running), `telaio-mock` (stand-in APIs) and `telaio-docs` (pages).

mod args;
mod batch;
mod catalog;
mod credentials;
mod discover;
mod docs;
mod expr;
mod har;
mod loading;
mod mcp;
mod mock;
mod remote;
mod render;
mod replay;
mod restate;
mod resume;
mod run;
mod runs;
mod sandbox;
mod serve;
mod served;
mod setup;
mod store;
mod term;
mod validate;
mod watch;

// Serving many runs at once allocates small, short-lived values from several threads, where
// glibc's allocator spent a fifth of the server's time (perf); mimalloc is made for that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// Exit codes, as documented in the README.
pub(crate) mod exit {
    /// Everything checked is valid.
    pub const OK: u8 = 0;
    /// At least one document has errors.
    pub const INVALID: u8 = 1;
    /// Bad usage or a path that cannot be read.
    pub const USAGE: u8 = 2;
}

/// The single-threaded runtime a command runs on (one run, or one mock, per process), or
/// none after saying why.
pub(crate) fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| render::usage_error(&format!("cannot start the runtime: {e}")))
        .ok()
}

fn main() -> ExitCode {
    // A child started to evaluate one XPath within limits (see `sandbox`).
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == sandbox::COMMAND)
    {
        return ExitCode::from(sandbox::child());
    }
    // Many runs at once, and the mock's clients, hold a descriptor per connection: the soft
    // limit (often 1024) is raised to the hard one the system allows.
    #[cfg(unix)]
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Criteria and selectors in XPath are evaluated in a bounded child process.
    if matches!(
        cli.command,
        Command::Run(_)
            | Command::Expr(_)
            | Command::Mock(_)
            | Command::Replay(_)
            | Command::Runs(_)
            | Command::Serve(_)
            | Command::Restate(_)
            | Command::Mcp(_)
    ) && let Some(runner) = sandbox::ChildProcess::new()
    {
        telaio_expr::set_xpath_runner(Box::new(runner));
    }
    let code = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Expr(args) => expr::run(&args),
        Command::Run(args) => match &args.inputs_jsonl {
            Some(inputs) => batch::run(&args, inputs),
            None => run::run(&args),
        },
        Command::Mock(args) => mock::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Catalog(args) => catalog::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Runs(args) => runs::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Restate(args) => restate::run(&args),
        Command::Mcp(args) => mcp::run(&args),
    };
    ExitCode::from(code)
}
