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
    pub fn child(&self, member: impl Member) -> Place {
        // One allocation per place: graphs hold thousands of them.
        let mut pointer = String::with_capacity(self.0.len() + 8);
        pointer.push_str(&self.0);
        pointer.push('/');
        member.push_to(&mut pointer);
        Place(pointer)
    }
}

/// A member of a JSON node: an object's key or an array's index.
pub trait Member {
    /// Appends the member as a JSON Pointer token (escaped).
    fn push_to(self, pointer: &mut String);
}

impl Member for usize {
    fn push_to(self, pointer: &mut String) {
        use fmt::Write;
        let _ = write!(pointer, "{self}");
    }
}

impl Member for &str {
    fn push_to(self, pointer: &mut String) {
        pointer.push_str(&escape_token(self));
    }
}

impl Member for &String {
    fn push_to(self, pointer: &mut String) {
        self.as_str().push_to(pointer);
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
