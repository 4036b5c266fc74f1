//! How a value was reached, for `telaio expr --explain` and for the reasons the engine shows
//! when a criterion fails. Off by default, and then it costs a branch.

/// Collects explanation lines when enabled.
#[derive(Debug, Default)]
pub struct Trace {
    lines: Option<Vec<String>>,
}

impl Trace {
    /// A trace that records nothing.
    pub fn off() -> Trace {
        Trace { lines: None }
    }

    /// A trace that records every step.
    pub fn on() -> Trace {
        Trace {
            lines: Some(Vec::new()),
        }
    }

    /// Records a line (the closure runs only when the trace is on).
    pub fn note(&mut self, line: impl FnOnce() -> String) {
        if let Some(lines) = &mut self.lines {
            lines.push(line());
        }
    }

    /// The lines recorded.
    pub fn lines(&self) -> &[String] {
        self.lines.as_deref().unwrap_or_default()
    }
}
