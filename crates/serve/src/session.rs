//! The console's way in when the server wants a token: a browser cannot add an
//! `Authorization` header to its event streams and links, so the console hands the token to
//! `POST /session` once and the server keeps it in a cookie the page's scripts cannot read
//! (`HttpOnly`) and no other site's page sends (`SameSite=Strict`).

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::Access;
use crate::api::error;

const COOKIE: &str = "telaio_token";

/// `POST /session`.
#[derive(Deserialize)]
pub(crate) struct Asked {
    token: String,
}

pub(crate) async fn open(
    access: Access,
    body: Result<Json<Asked>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Some(token) = &access.token else {
        // No token to keep: every request is answered anyway.
        return StatusCode::NO_CONTENT.into_response();
    };
    let Ok(Json(asked)) = body else {
        return error(StatusCode::BAD_REQUEST, "send {\"token\": \"...\"}");
    };
    if !bool::from(asked.token.as_bytes().ct_eq(token.as_bytes())) {
        return error(StatusCode::UNAUTHORIZED, "that is not the server's token");
    }
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        hex(token.as_bytes())
    );
    let mut answer = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        answer.headers_mut().insert(header::SET_COOKIE, v);
    }
    answer
}

/// The token a request's cookie holds.
pub(crate) fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| unhex(value))
}

/// A cookie's value holds any token: as hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_token_goes_through_its_cookie_unchanged() {
        let token = "tok en;=\u{e9}-0123456789";
        let mut headers = axum::http::HeaderMap::new();
        let value = format!("a=b; telaio_token={}; c=d", super::hex(token.as_bytes()));
        headers.insert(axum::http::header::COOKIE, value.parse().unwrap());
        assert_eq!(super::cookie(&headers).as_deref(), Some(token));
        assert_eq!(super::unhex("zz"), None);
        assert_eq!(super::unhex("abc"), None);
    }
}
