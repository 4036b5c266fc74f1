//! Positions in a source text.
//!
//! Every node Telaio reads from a document carries a [`Span`], so that every later message can
//! point at `file:line:col`. Lines and columns are 1-based and count Unicode scalar values, the
//! way editors show them.

use std::fmt;

/// A point in a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Position {
    /// A position from 1-based line and column numbers.
    pub const fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A range of a source text: `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Where the range starts.
    pub start: Position,
    /// Where the range ends (exclusive).
    pub end: Position,
}

impl Span {
    /// A span between two positions.
    pub const fn new(start: Position, end: Position) -> Self {
        Span { start, end }
    }

    /// An empty span at one position.
    pub const fn point(at: Position) -> Self {
        Span { start: at, end: at }
    }

    /// The number of columns the span covers on its first line (at least 1), for carets.
    pub fn width_on_first_line(&self) -> u32 {
        if self.end.line == self.start.line && self.end.column > self.start.column {
            self.end.column - self.start.column
        } else {
            1
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.start.fmt(f)
    }
}
