//! Media types, as far as planning and running need them: which ones carry JSON.

/// Whether a media type is JSON or a JSON variant (`application/x-amz-json-1.1`,
/// `application/problem+json`, `application/json; charset=utf-8`, `application/json-patch+json`).
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence.ends_with("+json")
        || essence.contains("/json")
        || essence.contains("-json")
        || essence.starts_with("application/x-amz-json")
}
