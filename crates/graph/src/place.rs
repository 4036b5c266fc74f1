//! Where a node is written: a JSON Pointer into its document, turned into `file:line:col`
//! only when someone asks (most nodes are never pointed at).

use std::fmt;

use telaio_model::escape_token;

/// A node's place in its document, as a JSON Pointer (`/workflows/0/steps/1/onSuccess/0`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Place(String);

impl Place {
    /// The place a JSON Pointer names.
    pub fn new(pointer: impl Into<String>) -> Place {
        Place(pointer.into())
    }

    /// The pointer.
    pub fn pointer(&self) -> &str {
        &self.0
    }

    /// The place of a member (a key or an index) of this node.
    ///
    /// ```
    /// let step = telaio_graph::Place::new("/workflows/0/steps/1");
    /// assert_eq!(step.child("onSuccess").child(0).pointer(), "/workflows/0/steps/1/onSuccess/0");
    /// assert_eq!(telaio_graph::Place::new("").child("a/b").pointer(), "/a~1b");
    /// ```
    pub fn child(&self, member: impl fmt::Display) -> Place {
        let member = member.to_string();
        Place(format!("{}/{}", self.0, escape_token(&member)))
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
