//! Which document a run belongs to: where it was, and hashes of what it said, whole and part
//! by part, so that a replay or a resume can tell that the document changed, and which part.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use telaio_model::{Bundle, Source};

/// Which document a journal belongs to: where it was, and a hash of what it said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentIdentity {
    /// The Arazzo document's URL (`file:` for local files).
    pub url: String,
    /// For a local document, its absolute path, as the run's URL holds it (`..` and all), so
    /// that a replay reads it, and names it, as the run did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<std::path::PathBuf>,
    /// Each source description's name and the URL it was loaded from.
    pub sources: BTreeMap<String, String>,
    /// SHA-256, in hex, over the Arazzo document's text and the content of every source
    /// description it loaded (linked Arazzo documents and their sources too).
    pub sha256: String,
    /// SHA-256 of each part on its own, by what a person calls it (`the document`, `source
    /// petStore`, `linked document file:///…/flows.yaml`): what tells which part changed. Journals
    /// written before Telaio kept it have none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parts: BTreeMap<String, String>,
}

impl DocumentIdentity {
    /// The identity of a loaded document.
    ///
    /// API descriptions are hashed as the JSON they parse to, so a change of layout that
    /// changes nothing they say keeps the identity; any change to the Arazzo text changes it.
    pub fn of(bundle: &Bundle) -> DocumentIdentity {
        let mut whole = Sha256::new();
        let mut parts = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for (i, b) in std::iter::once(bundle).chain(&bundle.linked).enumerate() {
            let text = b.document.source.text.as_bytes();
            whole.update(text);
            let document = if i == 0 {
                "the document".to_owned()
            } else {
                // By URL (credentials masked): the same wherever the run is replayed from.
                let url = crate::redact::mask_userinfo(b.document.source.url.as_str());
                format!("linked document {url}")
            };
            parts.insert(document.clone(), hex(Sha256::digest(text)));
            for s in &b.sources {
                if i == 0
                    && let Some(url) = &s.url
                {
                    sources.insert(s.name.clone(), url.to_string());
                }
                whole.update(s.name.as_bytes());
                let mut part = Sha256::new();
                match &s.content {
                    Ok(Source::Api(api)) => {
                        // Streamed into the hashes: no copy of a large description is made.
                        let _ = serde_json::to_writer(
                            HashWriter(&mut [&mut whole, &mut part]),
                            &api.document,
                        );
                    }
                    Ok(Source::Arazzo(doc)) => {
                        whole.update(doc.source.text.as_bytes());
                        part.update(doc.source.text.as_bytes());
                    }
                    Err(_) => {
                        whole.update(b"\0unloaded");
                        part.update(b"\0unloaded");
                    }
                }
                let name = if i == 0 {
                    format!("source {}", s.name)
                } else {
                    format!("source {} of {document}", s.name)
                };
                parts.insert(name, hex(part.finalize()));
            }
        }
        let url = &bundle.document.source.url;
        DocumentIdentity {
            url: url.to_string(),
            path: (url.scheme() == "file")
                .then(|| url.to_file_path().ok())
                .flatten(),
            sources,
            sha256: hex(whole.finalize()),
            parts,
        }
    }

    /// What differs between this identity and `now`'s, in words (`source petStore changed`,
    /// `source extra is new`): empty when they are the same. When this identity predates
    /// the hashes of parts, a changed whole is said as such.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use telaio_run::DocumentIdentity;
    /// let part = |hash: &str| DocumentIdentity {
    ///     url: "file:///flow.arazzo.yaml".into(),
    ///     path: None,
    ///     sources: BTreeMap::new(),
    ///     sha256: hash.into(),
    ///     parts: BTreeMap::from([("source petStore".to_owned(), hash.to_owned())]),
    /// };
    /// assert_eq!(part("a").changes(&part("b")), ["source petStore changed"]);
    /// assert!(part("a").changes(&part("a")).is_empty());
    /// ```
    pub fn changes(&self, now: &DocumentIdentity) -> Vec<String> {
        if self.sha256 == now.sha256 {
            return Vec::new();
        }
        if self.parts.is_empty() {
            return vec!["its content hash differs".to_owned()];
        }
        let mut changes = Vec::new();
        for (name, hash) in &self.parts {
            match now.parts.get(name) {
                Some(h) if h == hash => {}
                Some(_) => changes.push(format!("{name} changed")),
                None => changes.push(format!("{name} is gone")),
            }
        }
        changes.extend(
            now.parts
                .keys()
                .filter(|name| !self.parts.contains_key(*name))
                .map(|name| format!("{name} is new")),
        );
        if changes.is_empty() {
            // The same parts in another order, or under other names.
            changes.push("its content hash differs".to_owned());
        }
        changes
    }
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    use std::fmt::Write;
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Writes into several hashes at once.
struct HashWriter<'h, 'a>(&'h mut [&'a mut Sha256]);

impl std::io::Write for HashWriter<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for hash in self.0.iter_mut() {
            hash.update(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
