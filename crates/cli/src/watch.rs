//! What watches a run from the command line: live progress, the `--trace` file and the
//! `--journal` file and the run's record in the store, as one observer of the run's (already
//! masked) stream.

use std::io::Write;
use std::path::{Path, PathBuf};

use telaio_engine::{Entry, Event, JournalHeader, Observer, Record};

use crate::render::Progress;

/// The longest journal line written or read: a response body of the driver's default
/// largest (10 MiB), escaped as JSON text, fits.
pub(crate) const MAX_JOURNAL_LINE: usize = 64 * 1024 * 1024;

/// A JSON Lines file being written, and the first error writing it, if any.
pub(crate) struct Lines {
    /// What the file is, for messages: `trace`, `journal`.
    what: &'static str,
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    failed: Option<std::io::Error>,
}

impl Lines {
    /// Creates (or truncates) the file, readable by its owner only: it holds responses.
    pub(crate) fn create(what: &'static str, path: &Path) -> Result<Lines, String> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Lines {
            what,
            path: path.to_owned(),
            file: std::io::BufWriter::new(file),
            failed: None,
        })
    }

    /// Writes one value as a line; after a failure, nothing more is written.
    fn write(&mut self, value: &impl serde::Serialize) -> Result<(), &std::io::Error> {
        if self.failed.is_none() {
            let written = serde_json::to_writer(&mut self.file, value)
                .map_err(std::io::Error::from)
                .and_then(|()| self.file.write_all(b"\n"));
            if let Err(e) = written {
                self.failed = Some(e);
            }
        }
        self.failed.as_ref().map_or(Ok(()), Err)
    }

    /// Writes one line and hands it to the operating system at once.
    fn write_now(&mut self, value: &impl serde::Serialize) -> Result<(), String> {
        self.write(value).map_err(ToString::to_string)?;
        if let Err(e) = self.file.flush() {
            let message = e.to_string();
            self.failed = Some(e);
            return Err(message);
        }
        Ok(())
    }

    /// Writes one line already serialised and hands it to the operating system at once.
    fn write_line_now(&mut self, line: &[u8]) -> Result<(), String> {
        if let Some(e) = &self.failed {
            return Err(e.to_string());
        }
        let written = self
            .file
            .write_all(line)
            .and_then(|()| self.file.write_all(b"\n"))
            .and_then(|()| self.file.flush());
        written.map_err(|e| {
            let message = e.to_string();
            self.failed = Some(e);
            message
        })
    }

    /// Flushes what is left; the first error of the file's life, if it had one, said.
    pub(crate) fn finish(mut self) -> Result<(), String> {
        let failed = match self.failed.take() {
            Some(e) => e,
            None => match self.file.flush() {
                Ok(()) => return Ok(()),
                Err(e) => e,
            },
        };
        Err(format!(
            "the {} could not be written to {}: {failed}; it is incomplete",
            self.what,
            self.path.display()
        ))
    }
}

/// Progress, trace, journal and store record of one run.
pub(crate) struct Watch {
    /// Progress on stderr, when shown.
    pub progress: Option<Progress>,
    pub trace: Option<Lines>,
    pub journal: Option<Lines>,
    /// The run's record in the store.
    pub record: Option<crate::store::Recording>,
    /// Whether the events coming are a journal fed back (a resume catching up).
    pub replaying: bool,
}

impl Watch {
    /// Opens the journal with its header, so that even a run that crashes at its first
    /// request leaves a journal saying what ran.
    pub(crate) fn open_journal(path: &Path, header: &JournalHeader) -> Result<Lines, String> {
        let mut lines = Lines::create("journal", path)?;
        lines
            .write_now(header)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(lines)
    }

    /// Flushes both files: why those that could not be written in full were not.
    pub(crate) fn finish(self) -> Vec<String> {
        [self.trace, self.journal]
            .into_iter()
            .flatten()
            .filter_map(|f| f.finish().err())
            .collect()
    }
}

impl Observer for Watch {
    fn event(&mut self, record: &Record) {
        if let Some(p) = &mut self.progress {
            p.show(&record.event);
        }
        if let (Some(r), Event::Waited { millis, .. }, false) =
            (&mut self.record, &record.event, self.replaying)
        {
            r.hold_for(*millis);
        }
        if let Some(t) = &mut self.trace {
            // A failure is reported when the run ends (see `finish`).
            let _ = t.write(record);
        }
    }

    fn journaling(&self) -> bool {
        self.journal.is_some() || self.record.is_some()
    }

    fn replaying(&mut self, replaying: bool) {
        self.replaying = replaying;
    }

    fn entry(&mut self, entry: &Entry) -> Result<(), String> {
        if !self.journaling() {
            return Ok(());
        }
        let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        // A line a replay would refuse is not written: the run stops instead, saying why.
        if line.len() >= MAX_JOURNAL_LINE {
            return Err(format!(
                "an entry of {} bytes is more than a journal line holds ({MAX_JOURNAL_LINE} bytes)",
                line.len()
            ));
        }
        if let Some(journal) = &mut self.journal {
            journal.write_line_now(line.as_bytes())?;
        }
        if let Some(record) = &mut self.record {
            record.append(&line)?;
        }
        Ok(())
    }
}
