//! Syntax errors in expressions, with the column they happen at.

/// An expression that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What is wrong, in one sentence without a trailing period.
    pub message: String,
    /// Character offset (0-based) within the expression text where the problem is.
    pub offset: usize,
}

impl ExprError {
    pub(crate) fn new(message: impl Into<String>, offset: usize) -> Self {
        ExprError {
            message: message.into(),
            offset,
        }
    }

    /// The same error, moved by `by` characters (for expressions embedded in longer text).
    pub fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }
}
