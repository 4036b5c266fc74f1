//! Keeping secrets out of every output: events are redacted before anyone sees them.
//!
//! Header values of `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and the
//! API-key headers the sources declare become `***`, and so does every occurrence of a known
//! secret value (credentials, inputs marked `format: password`, `writeOnly` or
//! `x-sensitive`), wherever it appears: URLs, inputs, outputs, reasons, in the encodings it
//! travels in (percent-encoded in a URL or form, escaped inside JSON text). Response data an
//! API marks `x-sensitive` is shown by its size.

use std::collections::HashSet;

use serde_json::Value;

use crate::event::{Event, RunError};
use telaio_plan::schema::secret_names;

/// What replaces a secret.
pub const MASK: &str = "***";

/// Headers whose values are always secret.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// Redacts events. [`Redactor::default`] is [`Redactor::new`]: no way of making one masks
/// less than the secret headers.
///
/// ```
/// use telaio_run::{Event, MASK, Redactor};
/// let sent = Event::RequestSent {
///     step_id: "s".into(),
///     method: "GET".into(),
///     url: "http://127.0.0.1/pets".into(),
///     headers: vec![("Authorization".into(), "Bearer canary".into())],
///     body_bytes: 0,
/// };
/// let Event::RequestSent { headers, .. } = Redactor::default().event(&sent) else { unreachable!() };
/// assert_eq!(headers[0].1, MASK);
/// ```
#[derive(Clone, Debug)]
pub struct Redactor {
    headers: HashSet<String>,
    secrets: Vec<String>,
    /// Input names a schema marks secret: their values are masked whatever their type.
    secret_inputs: HashSet<String>,
    /// Property names an API marks sensitive (`x-sensitive: true`): their values are shown
    /// by size only.
    sensitive: HashSet<String>,
    /// Hashes of sensitive values seen in responses, so that the value is recognised where
    /// it appears without its property name (an output `$response.body#/Image/Bytes`).
    sensitive_values: HashSet<u64>,
}

/// The forms a value takes on the wire besides itself: percent-encoded as in a path, a query
/// or a form, and escaped as inside a JSON string.
fn encodings(value: &str) -> [String; 3] {
    let path = crate::machine::encode_path(value);
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json[1..json.len().saturating_sub(1).max(1)].to_owned();
    [path, form, json]
}

impl Default for Redactor {
    fn default() -> Redactor {
        Redactor::masking_secret_headers()
    }
}

impl Redactor {
    /// A redactor for the always-secret headers.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// What [`Redactor::new`] and [`Redactor::default`] mask: the secret headers.
    fn masking_secret_headers() -> Redactor {
        Redactor {
            headers: SECRET_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            secrets: Vec::new(),
            secret_inputs: HashSet::new(),
            sensitive: HashSet::new(),
            sensitive_values: HashSet::new(),
        }
    }

    /// Learns the values of sensitive properties in a response body (see
    /// [`Redactor::sensitive`]), so that they are shown by size wherever they turn up.
    pub fn learn_sensitive(&mut self, body: &Value) {
        // Hashes, not copies: an image is 200 KB. Bounded, like everything a run keeps.
        const MAX_VALUES: usize = 10_000;
        if self.sensitive.is_empty() {
            return;
        }
        let mut stack = vec![body];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        match v {
                            Value::String(text)
                                if self.sensitive.contains(k)
                                    && !is_shown_by_size(text)
                                    && self.sensitive_values.len() < MAX_VALUES =>
                            {
                                self.sensitive_values.insert(fingerprint(text));
                            }
                            _ => stack.push(v),
                        }
                    }
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    }

    /// Shows values of this property, wherever it appears in outputs, by size only
    /// (`<sensitive: 20480 bytes>`): biometric images, personal data an API marks sensitive.
    pub fn sensitive(&mut self, name: &str) {
        self.sensitive.insert(name.to_owned());
    }

    /// Also masks this header's values.
    pub fn header(&mut self, name: &str) {
        self.headers.insert(name.to_ascii_lowercase());
    }

    /// Also masks this value wherever it appears (values shorter than 4 characters are
    /// ignored: masking them would garble ordinary text).
    pub fn secret(&mut self, value: &str) {
        if value.chars().count() < 4 {
            return;
        }
        let [path, form, json] = encodings(value);
        for form in [value.to_owned(), path, form, json] {
            if !self.secrets.contains(&form) {
                self.secrets.push(form);
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Masks the inputs a schema marks secret (see [`telaio_plan::schema::is_secret_property`] for the marks), at
    /// any depth of the schema, and remembers their values. Call it for every workflow the
    /// run may enter: the names are masked in any inputs shown.
    pub fn inputs(&mut self, schema: Option<&Value>, inputs: &Value) {
        let mut names = Vec::new();
        if let Some(schema) = schema {
            secret_names(schema, &mut names, 0);
        }
        for name in names {
            self.secret_values(inputs, &name);
            self.secret_inputs.insert(name);
        }
    }

    /// Remembers the values under `name` anywhere in `value`.
    fn secret_values(&mut self, value: &Value, name: &str) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == name {
                        self.secret_leaves(v);
                    } else {
                        self.secret_values(v, name);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.secret_values(i, name)),
            _ => {}
        }
    }

    fn secret_leaves(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.secret(s),
            Value::Number(n) => self.secret(&n.to_string()),
            Value::Array(items) => items.iter().for_each(|i| self.secret_leaves(i)),
            Value::Object(map) => map.values().for_each(|v| self.secret_leaves(v)),
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Inputs with secret-named members masked whole, and known secrets masked in the rest.
    fn input_value(&self, v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if self.secret_inputs.contains(k) {
                            Value::String(MASK.to_owned())
                        } else {
                            self.input_value(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.input_value(i)).collect())
            }
            other => self.value(other),
        }
    }

    /// Inputs as events and journals show them: secret members masked whole, known secrets
    /// masked in the rest.
    pub fn masked_inputs(&self, inputs: &Value) -> Value {
        self.input_value(inputs)
    }

    /// Text with every known secret masked, every SigV4 signature, and the credentials
    /// of every URL that carries some (`https://user:pass@host` as `https://***@host`).
    pub fn text(&self, s: &str) -> String {
        let mut out = mask_userinfo(&mask_signatures(s));
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// Headers with secret ones masked whole and known secrets masked in the rest.
    pub(crate) fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(k, v)| {
                let v = if self.headers.contains(&k.to_ascii_lowercase()) {
                    MASK.to_owned()
                } else {
                    self.text(v)
                };
                (k.clone(), v)
            })
            .collect()
    }

    /// A value with known secrets masked and sensitive data shown by size.
    pub(crate) fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s)
                if !self.sensitive_values.is_empty()
                    && self.sensitive_values.contains(&fingerprint(s)) =>
            {
                by_size(v)
            }
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        if self.sensitive.contains(k) && !v.is_null() {
                            (k.clone(), by_size(v))
                        } else {
                            (k.clone(), self.value(v))
                        }
                    })
                    .collect(),
            ),
            Value::Number(n) if !self.secrets.is_empty() => {
                let text = n.to_string();
                if self.secrets.contains(&text) {
                    Value::String(MASK.to_owned())
                } else {
                    v.clone()
                }
            }
            other => other.clone(),
        }
    }

    fn error(&self, e: &Option<RunError>) -> Option<RunError> {
        e.as_ref().map(|e| RunError {
            step_id: e.step_id.clone(),
            reason: self.text(&e.reason),
            limit: e.limit,
            at: e.at.clone(),
        })
    }

    /// The event with secrets masked.
    pub fn event(&self, e: &Event) -> Event {
        match e {
            Event::RunStarted {
                workflow_id,
                inputs,
            } => Event::RunStarted {
                workflow_id: workflow_id.clone(),
                inputs: self.input_value(inputs),
            },
            Event::RequestSent {
                step_id,
                method,
                url,
                headers,
                body_bytes,
            } => Event::RequestSent {
                step_id: step_id.clone(),
                method: method.clone(),
                url: self.text(url),
                headers: self.headers(headers),
                body_bytes: *body_bytes,
            },
            Event::TransportFailed { step_id, reason } => Event::TransportFailed {
                step_id: step_id.clone(),
                reason: self.text(reason),
            },
            Event::RequestRetried {
                step_id,
                attempt,
                reason,
                millis,
            } => Event::RequestRetried {
                step_id: step_id.clone(),
                attempt: *attempt,
                reason: self.text(reason),
                millis: *millis,
            },
            Event::StepFinished {
                step_id,
                succeeded,
                reason,
                at,
            } => Event::StepFinished {
                step_id: step_id.clone(),
                succeeded: *succeeded,
                reason: reason.as_deref().map(|r| self.text(r)),
                at: at.clone(),
            },
            Event::RunFinished {
                succeeded,
                outputs,
                error,
            } => Event::RunFinished {
                succeeded: *succeeded,
                outputs: self.value(outputs),
                error: self.error(error),
            },
            other => other.clone(),
        }
    }

    /// Outputs with secrets masked.
    pub fn outputs(&self, outputs: &Value) -> Value {
        self.value(outputs)
    }

    /// An error with secrets masked.
    pub fn run_error(&self, e: &Option<RunError>) -> Option<RunError> {
        self.error(e)
    }
}

/// A value's hash, to recognise it without keeping it.
fn fingerprint(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// A sensitive value as its size: `<sensitive: 20480 bytes>` (a string's length, else the
/// length of its JSON text).
fn by_size(v: &Value) -> Value {
    // Already shown by size (a journal read back): as it is, not the size of the mask.
    if v.as_str().is_some_and(is_shown_by_size) {
        return v.clone();
    }
    let bytes = match v {
        Value::String(s) => s.len(),
        other => other.to_string().len(),
    };
    Value::String(format!("<sensitive: {bytes} bytes>"))
}

/// `text` with what stands in for each value the redactor hid (the mask, a sensitive value
/// shown by its size) replaced by `marker`; `None` when it holds none. A journal holds
/// stand-ins where the run saw secrets: a resume marks them, so that a request built from
/// one is known by the marker, whatever encoding it travels in (a marker of letters and
/// digits is the same in all of them).
pub(crate) fn mark_stand_ins(text: &str, marker: &str) -> Option<String> {
    const SIZED: &str = "<sensitive: ";
    if !text.contains(MASK) && !text.contains(SIZED) {
        return None;
    }
    let mut out = text.replace(MASK, marker);
    let mut from = 0;
    while let Some(at) = out[from..].find(SIZED).map(|i| from + i) {
        let end = out[at..].find('>').map(|i| at + i + 1);
        match end.filter(|&end| is_shown_by_size(&out[at..end])) {
            Some(end) => {
                out.replace_range(at..end, marker);
                from = at + marker.len();
            }
            None => from = at + SIZED.len(),
        }
    }
    (out != text).then_some(out)
}

/// Whether a text is a sensitive value already shown by its size (`<sensitive: 20 bytes>`).
fn is_shown_by_size(s: &str) -> bool {
    s.strip_prefix("<sensitive: ")
        .and_then(|rest| rest.strip_suffix(" bytes>"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Masks AWS SigV4 signatures (`Signature=<hex>` in an `Authorization` header,
/// `X-Amz-Signature=<hex>` in a presigned URL): they change with every request, so they are
/// known by their shape rather than by value.
fn mask_signatures(s: &str) -> String {
    const KEY: &str = "signature=";
    // ASCII lowercase keeps byte offsets, so positions found in it apply to `s`.
    let lower = s.to_ascii_lowercase();
    if !lower.contains(KEY) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut rest_lower = lower.as_str();
    while let Some(at) = rest_lower.find(KEY) {
        let end = at + KEY.len();
        out.push_str(&rest[..end]);
        let hex = rest[end..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let skip = if hex >= 32 {
            out.push_str(MASK);
            hex
        } else {
            0
        };
        rest = &rest[end + skip..];
        rest_lower = &rest_lower[end + skip..];
    }
    out.push_str(rest);
    out
}

/// `s` with the user information of every URL in it (`scheme://user:password@`) masked:
/// a server URL can carry credentials, which nothing shows.
///
/// ```
/// assert_eq!(
///     telaio_run::mask_userinfo("GET https://me:pw@api.example.com/a@b"),
///     "GET https://***@api.example.com/a@b"
/// );
/// ```
pub fn mask_userinfo(s: &str) -> String {
    const SEP: &str = "://";
    if !s.contains(SEP) || !s.contains('@') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(SEP) {
        let start = at + SEP.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let authority = rest
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'') || c.is_whitespace())
            .unwrap_or(rest.len());
        if let Some(user_end) = rest[..authority].rfind('@') {
            out.push_str(MASK);
            rest = &rest[user_end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// What tools tell their callers a masked value looks like (an MCP tool's
    /// `outputSchema`) is what the redactor writes.
    #[test]
    fn masks_fit_the_schema_that_describes_them() {
        let check = jsonschema::validator_for(&telaio_plan::masked_schema()).unwrap();
        for masked in [
            Value::String(MASK.into()),
            by_size(&serde_json::json!("a secret")),
            by_size(&serde_json::json!({"an": "object"})),
        ] {
            assert!(check.is_valid(&masked), "{masked}");
        }
        assert!(!check.is_valid(&serde_json::json!("a secret")));
    }

    const CANARY: &str = "s3cr3t/+ \"canary\"&x";

    #[test]
    fn url_credentials_are_masked_wherever_a_url_is() {
        let r = Redactor::new();
        assert_eq!(
            r.text("a http://u:canary@127.0.0.1:8/x?m=a@b and \"https://tok@h\" mail@x.org"),
            "a http://***@127.0.0.1:8/x?m=a@b and \"https://***@h\" mail@x.org"
        );
        assert_eq!(mask_userinfo("http://h/p@q"), "http://h/p@q");
        assert_eq!(mask_userinfo("no url @ all"), "no url @ all");
        assert_eq!(mask_userinfo("x://@"), "x://***@");
    }

    #[test]
    fn a_secret_is_masked_in_the_encodings_it_travels_in() {
        let mut r = Redactor::new();
        r.secret(CANARY);
        for shown in [
            format!(
                "https://h/p?token={}",
                url::form_urlencoded::byte_serialize(CANARY.as_bytes()).collect::<String>()
            ),
            "https://h/items/s3cr3t%2F%2B%20%22canary%22%26x".to_owned(),
            serde_json::to_string(&json!({"t": CANARY})).unwrap(),
            format!("plain {CANARY} text"),
        ] {
            let masked = r.text(&shown);
            assert!(!masked.contains("s3cr3t"), "{shown} became {masked}");
            assert!(masked.contains(MASK), "{masked}");
        }
    }

    #[test]
    fn secret_inputs_are_masked_by_name_at_any_depth_and_of_any_type() {
        let schema = json!({"type": "object", "properties": {
            "pin": {"type": "integer", "format": "password"},
            "account": {"type": "object", "properties": {
                "apiKey": {"type": "string", "x-sensitive": true},
                "owner": {"type": "string"}}}}});
        let inputs = json!({"pin": 48151623, "account": {"apiKey": "k-canary-1", "owner": "ann"}});
        let mut r = Redactor::new();
        r.inputs(Some(&schema), &inputs);
        let shown = r.event(&Event::RunStarted {
            workflow_id: "w".into(),
            inputs: inputs.clone(),
        });
        let Event::RunStarted { inputs: shown, .. } = shown else {
            unreachable!()
        };
        assert_eq!(
            shown,
            json!({"pin": "***", "account": {"apiKey": "***", "owner": "ann"}})
        );
        // Their values are masked wherever else they appear, numbers included.
        assert_eq!(
            r.outputs(&json!({"echo": "key=k-canary-1", "n": 48151623})),
            json!({"echo": "key=***", "n": "***"})
        );
    }

    #[test]
    fn sigv4_signatures_are_masked_by_shape() {
        let sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let header = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s/aws4_request, SignedHeaders=host, Signature={sig}"
        );
        let shown = Redactor::new().text(&format!("{header}\n?X-Amz-Signature={sig}&x=1"));
        assert!(!shown.contains("5fa00fa3"), "{shown}");
        assert!(
            shown.contains("Signature=***\n?X-Amz-Signature=***&x=1"),
            "{shown}"
        );
        // Short values after the same word are not signatures; any case is.
        assert_eq!(Redactor::new().text("Signature=abc"), "Signature=abc");
        let lower = Redactor::new().text(&format!("x-amz-signature={sig}, ü signature={sig}"));
        assert_eq!(lower, "x-amz-signature=***, ü signature=***");
    }
}
