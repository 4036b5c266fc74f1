//! SigV4 signing of one request, as it will be sent (aws-sigv4 computes the signature).

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

use super::AwsCredentials;
use telaio_run::Request;

/// Adds `X-Amz-Date`, `Authorization` (and `X-Amz-Security-Token`) to `request`, signing its
/// method, URL, headers and body for `service` in `region` at `time`.
pub fn sign(
    request: &mut Request,
    credentials: &AwsCredentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), String> {
    let identity = aws_credential_types::Credentials::new(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        credentials.session_token.clone(),
        None,
        "telaio",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign for AWS: {e}"))?
        .into();
    let body = request.body.as_deref().unwrap_or_default();
    let signable = SignableRequest::new(
        &request.method,
        request.url.as_str(),
        request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("cannot sign for AWS: {e}"))?;
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| format!("cannot sign for AWS: {e}"))?
        .into_parts();
    let added: Vec<(String, String)> = instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for (name, value) in added {
        request
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        request.headers.push((name, value));
    }
    Ok(())
}

/// How far a request's `X-Amz-Date` may be from the server's clock (AWS allows 15 minutes).
const MAX_SKEW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Checks the SigV4 signature of a received request, as AWS does: the key id is the
/// expected one, and so are the region and service of the scope when given (`None` accepts the
/// request's own, as a stand-in for any region would), the date is within 15 minutes of
/// `now`, and the signature recomputed over the headers the request says it signed matches.
/// The error is AWS's own wording (`InvalidSignatureException: ...`).
///
/// ```
/// use telaio_auth::{AwsCredentials, verify_sigv4};
/// let credentials = AwsCredentials {
///     access_key_id: "AKIDEXAMPLE".into(),
///     secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
///     session_token: None,
///     found_in: "the AWS test suite".into(),
/// };
/// let headers = [
///     ("host".to_string(), "example.amazonaws.com".to_string()),
///     ("x-amz-date".to_string(), "20150830T123600Z".to_string()),
///     ("authorization".to_string(), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31".to_string()),
/// ];
/// let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160);
/// let check = |h: &[(String, String)]| verify_sigv4("GET", "https://example.amazonaws.com/", h, b"", &credentials, Some("us-east-1"), None, then);
/// assert_eq!(check(&headers), Ok(()));
/// let mut forged = headers.clone();
/// forged[2].1 = forged[2].1.replace("5fa0", "5fa1");
/// assert!(check(&forged).unwrap_err().starts_with("InvalidSignatureException"));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn verify_sigv4(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    credentials: &AwsCredentials,
    region: Option<&str>,
    service: Option<&str>,
    now: SystemTime,
) -> Result<(), String> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let missing = || {
        "MissingAuthenticationTokenException: Request is missing Authentication Token".to_owned()
    };
    let authorization = header("authorization").ok_or_else(missing)?;
    let fields = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| {
            "IncompleteSignatureException: Unsupported signature algorithm".to_owned()
        })?;
    let field = |name: &str| {
        fields
            .split(',')
            .map(str::trim)
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
    };
    let (Some(scope), Some(signed), Some(_)) = (
        field("Credential"),
        field("SignedHeaders"),
        field("Signature"),
    ) else {
        return Err("IncompleteSignatureException: Authorization header requires Credential, SignedHeaders and Signature".into());
    };
    let mut parts = scope.split('/');
    if parts.next() != Some(credentials.access_key_id.as_str()) {
        return Err(
            "UnrecognizedClientException: The security token included in the request is invalid."
                .into(),
        );
    }
    let _date = parts.next();
    let (Some(scope_region), Some(scope_service)) = (parts.next(), parts.next()) else {
        return Err("IncompleteSignatureException: Credential has no region and service".into());
    };
    if region.is_some_and(|r| r != scope_region) || service.is_some_and(|s| s != scope_service) {
        return Err(format!(
            "InvalidSignatureException: Credential should be scoped to region `{}` and service `{}`",
            region.unwrap_or(scope_region),
            service.unwrap_or(scope_service)
        ));
    }
    if credentials.session_token.is_some()
        && header("x-amz-security-token") != credentials.session_token.as_deref()
    {
        return Err(
            "UnrecognizedClientException: The security token included in the request is invalid."
                .into(),
        );
    }
    let signed_at = header("x-amz-date")
        .and_then(parse_amz_date)
        .ok_or_else(|| {
            "IncompleteSignatureException: X-Amz-Date is missing or malformed".to_owned()
        })?;
    let skew = now
        .duration_since(signed_at)
        .unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err("InvalidSignatureException: Signature expired: the request's X-Amz-Date is more than 15 minutes from the server's time".into());
    }
    let names: Vec<&str> = signed.split(';').collect();
    let mut request = Request {
        method: method.to_owned(),
        url: url.to_owned(),
        headers: headers
            .iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                names.contains(&k.as_str())
                    && !matches!(
                        k.as_str(),
                        "x-amz-date" | "x-amz-security-token" | "authorization"
                    )
            })
            .cloned()
            .collect(),
        body: Some(body.to_vec()),
        security: None,
        timeout: None,
    };
    // Without an expected token, the request's own is taken as given (a stand-in server does
    // not issue tokens); it is part of what was signed.
    let mut credentials = credentials.clone();
    if credentials.session_token.is_none() {
        credentials.session_token = header("x-amz-security-token").map(str::to_owned);
    }
    sign(
        &mut request,
        &credentials,
        scope_region,
        scope_service,
        signed_at,
    )?;
    if request.header("authorization") == Some(authorization) {
        Ok(())
    } else {
        Err("InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.".into())
    }
}

/// `20150830T123600Z` as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()?;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request of the AWS SigV4 test suite (`get-vanilla` and friends): fixed keys,
    /// region `us-east-1`, service `service`, 2015-08-30T12:36:00Z.
    fn suite(method: &str, url: &str) -> String {
        let mut request = Request {
            method: method.into(),
            url: url.into(),
            headers: vec![("Host".into(), "example.amazonaws.com".into())],
            body: None,
            security: None,
            timeout: None,
        };
        let credentials = AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            found_in: "the test suite".into(),
        };
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160);
        sign(&mut request, &credentials, "us-east-1", "service", time).unwrap();
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(time));
        assert_eq!(request.header("x-amz-date"), Some("20150830T123600Z"));
        request.header("authorization").unwrap().to_owned()
    }

    /// Signatures published with AWS's SigV4 test suite, computed by AWS, not by this code
    /// or the crate it uses.
    #[test]
    fn matches_the_aws_sigv4_test_suite() {
        let head = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=";
        assert_eq!(
            suite("GET", "https://example.amazonaws.com/"),
            format!("{head}5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        );
        // get-vanilla-query-order-key-case: the query is put in order before signing.
        assert_eq!(
            suite(
                "GET",
                "https://example.amazonaws.com/?Param2=value2&Param1=value1"
            ),
            format!("{head}b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        );
    }
}
