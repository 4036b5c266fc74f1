//! XPath evaluated in a child process with bounded memory and time.
//!
//! XPath 3.1 is a programming language, and its evaluator cannot be stopped from inside: a
//! document's criterion such as `count(for $i in 1 to 20000000 return $i)` takes seconds and
//! gigabytes, and a bigger one aborts the process. So each evaluation runs in a child
//! (`telaio __xpath`, hidden) whose address space is limited to [`MEMORY`] and whose time
//! to [`TIME`]: past either, the child is stopped and the criterion fails with that reason,
//! while the run goes on.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use telaio_expr::{XPathAnswer, XPathJob, XPathRunner};

/// The most address space one evaluation may use.
pub(crate) const MEMORY: u64 = 1024 * 1024 * 1024;
/// The most time one evaluation may take.
pub(crate) const TIME: Duration = Duration::from_secs(5);
/// The hidden command that evaluates one job.
pub(crate) const COMMAND: &str = "__xpath";
/// The child's status when it cannot set its limits.
const NO_LIMITS: u8 = 3;

/// Runs each job in a child process of this very program.
pub(crate) struct ChildProcess {
    program: PathBuf,
}

impl ChildProcess {
    /// A runner that starts this program again, or `None` when it cannot name itself.
    pub(crate) fn new() -> Option<ChildProcess> {
        Some(ChildProcess {
            program: std::env::current_exe().ok()?,
        })
    }
}

impl ChildProcess {
    /// The child's command, before its pipes.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .arg(COMMAND)
            // mimalloc reserves a 1 GiB arena up front, which the address-space limit then
            // counts as used: the evaluation would get far less than `MEMORY` to work in.
            .env("MIMALLOC_ARENA_RESERVE", "64MiB");
        command
    }
}

impl XPathRunner for ChildProcess {
    fn run(&self, job: &XPathJob<'_>) -> Result<XPathAnswer, String> {
        let input = serde_json::to_vec(job).map_err(|e| e.to_string())?;
        let mut child = self
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the XPath evaluator: {e}"))?;
        // Writing and reading beside the wait, so that neither pipe can fill and stall it.
        let mut stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(s) = &mut stdin {
                let _ = s.write_all(&input);
            }
        });
        let mut stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(s) = &mut stdout {
                let _ = s.read_to_end(&mut out);
            }
            out
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() >= TIME => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = writer.join();
                    let _ = reader.join();
                    return Err(format!("the XPath evaluator failed: {e}"));
                }
            }
        };
        let _ = writer.join();
        let output = reader.join().unwrap_or_default();
        let Some(status) = status else {
            return Err(format!(
                "the XPath took longer than {} s, and was stopped",
                TIME.as_secs()
            ));
        };
        if !status.success() || output.is_empty() {
            return Err(failure(status));
        }
        serde_json::from_slice::<Result<XPathAnswer, String>>(&output)
            .map_err(|e| format!("the XPath evaluator answered nonsense: {e}"))?
    }
}

/// Why the child ended without an answer, from how it ended.
fn failure(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        const SIGINT: i32 = 2;
        const SIGABRT: i32 = 6;
        const SIGKILL: i32 = 9;
        const SIGTERM: i32 = 15;
        const SIGXCPU: i32 = 24;
        match status.signal() {
            // An allocation past the address-space limit aborts it.
            Some(SIGABRT | SIGKILL) => {
                return format!(
                    "the XPath needed more than {} MiB of memory, and was stopped",
                    MEMORY / (1024 * 1024)
                );
            }
            Some(SIGXCPU) => {
                return format!(
                    "the XPath took longer than {} s, and was stopped",
                    TIME.as_secs()
                );
            }
            Some(SIGINT | SIGTERM) => return "the XPath was interrupted".to_owned(),
            Some(n) => return format!("the XPath evaluator ended on signal {n}"),
            None => {}
        }
    }
    match status.code() {
        Some(code) if code == i32::from(NO_LIMITS) => {
            "the XPath evaluator could not set its limits".to_owned()
        }
        Some(code) => format!("the XPath evaluator failed (exit status {code})"),
        None => "the XPath evaluator failed".to_owned(),
    }
}

/// `telaio __xpath`: reads one job from stdin, evaluates it within the limits, writes the
/// answer (or its error) to stdout as JSON.
pub(crate) fn child() -> u8 {
    #[cfg(unix)]
    {
        use rlimit::{Resource, getrlimit, setrlimit};
        // The wall clock is the parent's; CPU time is a second line, should the parent go.
        // A limit already lower (`ulimit -v` in a container) stays as it is.
        let lower = |resource: Resource, wanted: u64| {
            let (_, hard) = getrlimit(resource)?;
            let limit = wanted.min(hard);
            setrlimit(resource, limit, limit)
        };
        if lower(Resource::AS, MEMORY).is_err() || lower(Resource::CPU, TIME.as_secs() + 1).is_err()
        {
            return NO_LIMITS;
        }
    }
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        return crate::exit::USAGE;
    }
    let answer = match serde_json::from_slice::<XPathJob<'_>>(&input) {
        Ok(job) => job.run_here(),
        Err(e) => Err(format!("not an XPath job: {e}")),
    };
    let written = serde_json::to_vec(&answer)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::io::stdout().write_all(&bytes));
    if written.is_ok() {
        crate::exit::OK
    } else {
        crate::exit::USAGE
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_child_keeps_its_allocator_from_reserving_its_memory_limit() {
        let child = super::ChildProcess {
            program: "telaio".into(),
        };
        let command = child.command();
        let reserve = command
            .get_envs()
            .find(|(k, _)| *k == "MIMALLOC_ARENA_RESERVE")
            .and_then(|(_, v)| v);
        assert_eq!(reserve, Some(std::ffi::OsStr::new("64MiB")));
    }
}
