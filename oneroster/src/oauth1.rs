//! OAuth 1.0a two-legged request signing (OneRoster 1.1), per RFC 5849 and SPEC-NOTES §6.1.
//!
//! The signature base string is `METHOD & enc(base URI) & enc(sorted, encoded params)`, signed
//! with HMAC-SHA256 (HMAC-SHA1 is accepted too: many 1.1 clients still send it) using the key
//! `enc(consumer_secret) + "&"`.
//!
//! Real clients disagree on a few bytes of the same request, so verification tries each reading
//! a client may have signed and accepts any that matches (every candidate is one HMAC):
//! - `+` in the query read as a space (form encoding) or as a literal plus;
//! - the path with and without a trailing `/`.
//!
//! Raw `'` and `=` inside a value, and a missing `oauth_version`, need no special case: values
//! are split at the first `=` and re-encoded per RFC 3986, and only the parameters actually sent
//! are signed. Timestamp windows and nonce replay need state and live in the server.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use subtle::ConstantTimeEq;

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The signature methods Rollbook accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureMethod {
    HmacSha256,
    HmacSha1,
}

impl SignatureMethod {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "HMAC-SHA256" => Some(SignatureMethod::HmacSha256),
            "HMAC-SHA1" => Some(SignatureMethod::HmacSha1),
            _ => None,
        }
    }
}

/// Why a request's OAuth 1.0a signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthError {
    /// A required `oauth_*` parameter is missing or malformed (HTTP 400).
    BadRequest(String),
    /// The signature method is not supported (HTTP 400).
    UnsupportedMethod(String),
    /// The signature does not match (HTTP 401).
    BadSignature,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OAuthError::BadRequest(m) => write!(f, "{m}"),
            OAuthError::UnsupportedMethod(m) => {
                write!(f, "oauth_signature_method `{m}` is not supported; use HMAC-SHA256 (or HMAC-SHA1)")
            }
            OAuthError::BadSignature => f.write_str("the OAuth signature does not match the request"),
        }
    }
}

impl std::error::Error for OAuthError {}

/// The `oauth_*` parameters of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthParams {
    pub consumer_key: String,
    pub signature_method: SignatureMethod,
    pub timestamp: i64,
    pub nonce: String,
    pub signature: String,
}

/// A request as received, in the raw forms needed to rebuild what the client signed.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// `http` or `https` as the client saw it (behind a proxy: the public scheme).
    pub scheme: &'a str,
    /// The `Host` the client addressed, with a port when not the default.
    pub host: &'a str,
    /// The path, still percent-encoded as sent.
    pub path: &'a str,
    /// The raw query string without `?`.
    pub query: Option<&'a str>,
    /// The `Authorization` header, if the parameters came there.
    pub authorization: Option<&'a str>,
}

impl SignedRequest<'_> {
    /// Every parameter of the request (query and `Authorization: OAuth`), decoded, with `+`
    /// in the query read as a space when `plus_is_space`.
    fn all_params(&self, plus_is_space: bool) -> Result<Vec<(String, String)>, OAuthError> {
        let mut params = Vec::new();
        for pair in self.query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.push((decode(name, plus_is_space), decode(value, plus_is_space)));
        }
        if let Some(header) = self.authorization {
            params.extend(parse_authorization(header)?);
        }
        Ok(params)
    }

    /// The `oauth_*` parameters, checked for presence and form.
    pub fn oauth_params(&self) -> Result<OAuthParams, OAuthError> {
        let params = self.all_params(true)?;
        let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let need = |name: &str| get(name).ok_or_else(|| OAuthError::BadRequest(format!("the request has no {name}")));
        let method_text = need("oauth_signature_method")?;
        let signature_method =
            SignatureMethod::parse(&method_text).ok_or(OAuthError::UnsupportedMethod(method_text))?;
        let timestamp = need("oauth_timestamp")?
            .parse::<i64>()
            .map_err(|_| OAuthError::BadRequest("oauth_timestamp must be a whole number of seconds".into()))?;
        if let Some(version) = get("oauth_version") {
            if version != "1.0" {
                return Err(OAuthError::BadRequest(format!("oauth_version `{version}` is not 1.0")));
            }
        }
        Ok(OAuthParams {
            consumer_key: need("oauth_consumer_key")?,
            signature_method,
            timestamp,
            nonce: need("oauth_nonce")?,
            signature: need("oauth_signature")?,
        })
    }

    /// The base strings a client may have signed for this request, most likely first.
    pub fn base_strings(&self) -> Result<Vec<String>, OAuthError> {
        let mut paths = vec![self.path.to_string()];
        let alternate = match self.path.strip_suffix('/') {
            Some(stripped) if !stripped.is_empty() => stripped.to_string(),
            _ => format!("{}/", self.path),
        };
        paths.push(alternate);
        let plus_matters = self.query.is_some_and(|q| q.contains('+'));
        let readings: &[bool] = if plus_matters { &[true, false] } else { &[true] };
        let mut out = Vec::new();
        for &plus_is_space in readings {
            let params = normalized_params(&self.all_params(plus_is_space)?);
            for path in &paths {
                out.push(format!(
                    "{}&{}&{}",
                    self.method.to_ascii_uppercase(),
                    encode(&base_uri(self.scheme, self.host, path)),
                    encode(&params)
                ));
            }
        }
        Ok(out)
    }

    /// Checks the signature with the consumer's secret; returns the parameters when it matches
    /// one of the readings in [`base_strings`](Self::base_strings).
    pub fn verify(&self, consumer_secret: &str) -> Result<OAuthParams, OAuthError> {
        let params = self.oauth_params()?;
        let Ok(given) = STANDARD.decode(params.signature.as_bytes()) else { return Err(OAuthError::BadSignature) };
        for base in self.base_strings()? {
            let expected = mac(params.signature_method, consumer_secret, &base);
            if bool::from(expected.ct_eq(&given)) {
                return Ok(params);
            }
        }
        Err(OAuthError::BadSignature)
    }
}

/// Signs a base string: Base64 of the HMAC keyed with `enc(consumer_secret) + "&"`.
pub fn sign(method: SignatureMethod, consumer_secret: &str, base_string: &str) -> String {
    STANDARD.encode(mac(method, consumer_secret, base_string))
}

fn mac(method: SignatureMethod, consumer_secret: &str, base: &str) -> Vec<u8> {
    let key = format!("{}&", encode(consumer_secret));
    match method {
        SignatureMethod::HmacSha256 => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        SignatureMethod::HmacSha1 => {
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
    }
}

/// Percent-encodes per RFC 3986 (space is `%20`).
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

fn decode(text: &str, plus_is_space: bool) -> String {
    let text = if plus_is_space { text.replace('+', " ") } else { text.to_string() };
    percent_decode_str(&text).decode_utf8_lossy().into_owned()
}

/// Lower-case scheme and host, default port dropped, path as sent.
fn base_uri(scheme: &str, host: &str, path: &str) -> String {
    let scheme = scheme.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    let host = match (scheme.as_str(), host.rsplit_once(':')) {
        ("http", Some((h, "80"))) | ("https", Some((h, "443"))) => h.to_string(),
        _ => host,
    };
    // The path is signed decoded-then-encoded so that equivalent encodings agree.
    let path = percent_decode_str(path).decode_utf8_lossy();
    let path: String = path.split('/').map(encode).collect::<Vec<_>>().join("/");
    format!("{scheme}://{host}{path}")
}

/// The normalised parameter string: every parameter but `oauth_signature`, encoded, sorted by
/// name then value, joined with `&`.
fn normalized_params(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> =
        params.iter().filter(|(n, _)| n != "oauth_signature").map(|(n, v)| (encode(n), encode(v))).collect();
    pairs.sort();
    pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&")
}

/// Reads `OAuth k="v", k2="v2"` (values percent-encoded); other schemes are an error.
pub fn parse_authorization(header: &str) -> Result<Vec<(String, String)>, OAuthError> {
    let rest = header.trim();
    let rest = match rest.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("oauth ") => &rest[6..],
        _ => return Err(OAuthError::BadRequest("the Authorization header is not an OAuth header".into())),
    };
    let mut params = Vec::new();
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| OAuthError::BadRequest(format!("malformed Authorization parameter `{part}`")))?;
        let value = value.trim().trim_matches('"');
        let name = name.trim();
        if name == "realm" {
            continue;
        }
        params.push((decode(name, false), decode(value, false)));
    }
    Ok(params)
}
