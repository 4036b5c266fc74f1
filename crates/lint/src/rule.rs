//! Rule metadata. A rule's documentation is its doc comment, captured by [`declare_rule!`] so
//! that `telaio validate --explain <rule>` prints exactly what rustdoc shows.

use crate::Severity;

/// A lint rule's identity and documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, used in output and in `--explain`.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: what the rule wants.
    pub summary: &'static str,
    /// Markdown: *What it checks / Why it matters / Example / Instead*.
    pub doc: &'static str,
}

/// Declares a rule: a unit struct whose doc comment is the rule's documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident = $id:literal, $severity:ident, $summary:literal;
    ) => {
        $(#[doc = $doc])*
        pub(crate) struct $name;

        impl $name {
            pub(crate) const RULE: $crate::Rule = $crate::Rule {
                id: $id,
                severity: $crate::Severity::$severity,
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;
