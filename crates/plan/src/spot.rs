//! Places in documents, as plans carry them: where a criterion is written, for a run to point
//! at when it does not hold. Finding them is the planner's (`Context::spot`).

use std::fmt;

/// A place in a document: what a failed criterion points at, as `validate` points at
/// findings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSpot {
    /// The file, named for a person (relative to the working directory when below it).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// The line's text (an excerpt around the column, for a long line).
    pub text: String,
    /// Where the column falls in `text`, in characters.
    pub caret: usize,
}

impl fmt::Display for SourceSpot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
