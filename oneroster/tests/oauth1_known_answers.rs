//! OAuth 1.0a known answers. The expected signatures were computed independently (Python's
//! hmac/hashlib with RFC 3986 encoding) for the request
//! `GET https://rollbook.district.example/ims/oneroster/v1p1/users?filter=givenName='Ann Marie'&limit=10`
//! signed with consumer secret `s3cr3t&more`. Each test sends the same request in a byte form a
//! real client uses and must verify against that one signature.

use oneroster::oauth1::{sign, OAuthError, SignatureMethod, SignedRequest};

const SECRET: &str = "s3cr3t&more";
const HOST: &str = "rollbook.district.example";
const PATH: &str = "/ims/oneroster/v1p1/users";
const BASE: &str = "GET&https%3A%2F%2Frollbook.district.example%2Fims%2Foneroster%2Fv1p1%2Fusers&filter%3DgivenName%253D%2527Ann%2520Marie%2527%26limit%3D10%26oauth_consumer_key%3Dapp-key%26oauth_nonce%3Dn0nce%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1764250000%26oauth_version%3D1.0";
const SIG_SHA256: &str = "4bRYPKtkdYQpGIs/hLGPgwvpZJi4uxEiO0JmOE4iBX0=";
const SIG_SHA256_NO_VERSION: &str = "ZVJHImbOhq7ZwzRxz8YjjB/0SMToYlA/wQy+5e3GAS4=";
const SIG_SHA1: &str = "WgEh8fQDgklyu76XIu7LF4pkLy8=";
const SIG_SHA256_LITERAL_PLUS: &str = "2Ftnxxpl6zJ1zKkYGBCxmRc4ChB+MEqrUFiM5UaK2kE=";

fn header(method: &str, signature: &str, version: bool) -> String {
    let sig = oneroster::oauth1::encode(signature);
    let version = if version { r#", oauth_version="1.0""# } else { "" };
    format!(
        r#"OAuth realm="rollbook", oauth_consumer_key="app-key", oauth_nonce="n0nce", oauth_signature_method="{method}", oauth_timestamp="1764250000"{version}, oauth_signature="{sig}""#
    )
}

fn request<'a>(path: &'a str, query: &'a str, authorization: &'a str) -> SignedRequest<'a> {
    SignedRequest { method: "GET", scheme: "https", host: HOST, path, query: Some(query), authorization: Some(authorization) }
}

#[test]
fn base_string_and_signature_match_the_reference() {
    let auth = header("HMAC-SHA256", SIG_SHA256, true);
    let req = request(PATH, "filter=givenName%3D%27Ann%20Marie%27&limit=10", &auth);
    assert_eq!(req.base_strings().unwrap()[0], BASE);
    assert_eq!(sign(SignatureMethod::HmacSha256, SECRET, BASE), SIG_SHA256);
    let params = req.verify(SECRET).unwrap();
    assert_eq!(params.consumer_key, "app-key");
    assert_eq!(params.timestamp, 1_764_250_000);
    assert_eq!(params.nonce, "n0nce");
}

#[test]
fn plus_for_space_verifies() {
    let auth = header("HMAC-SHA256", SIG_SHA256, true);
    request(PATH, "filter=givenName%3D%27Ann+Marie%27&limit=10", &auth).verify(SECRET).unwrap();
}

#[test]
fn raw_quotes_and_equals_in_the_filter_verify() {
    let auth = header("HMAC-SHA256", SIG_SHA256, true);
    request(PATH, "filter=givenName='Ann%20Marie'&limit=10", &auth).verify(SECRET).unwrap();
    request(PATH, "limit=10&filter=givenName='Ann+Marie'", &auth).verify(SECRET).unwrap();
}

#[test]
fn missing_oauth_version_verifies() {
    let auth = header("HMAC-SHA256", SIG_SHA256_NO_VERSION, false);
    request(PATH, "filter=givenName%3D%27Ann%20Marie%27&limit=10", &auth).verify(SECRET).unwrap();
}

#[test]
fn trailing_slash_on_the_path_verifies() {
    let auth = header("HMAC-SHA256", SIG_SHA256, true);
    let with_slash = format!("{PATH}/");
    request(&with_slash, "filter=givenName%3D%27Ann%20Marie%27&limit=10", &auth).verify(SECRET).unwrap();
}

#[test]
fn hmac_sha1_verifies() {
    let auth = header("HMAC-SHA1", SIG_SHA1, true);
    let params = request(PATH, "filter=givenName%3D%27Ann%20Marie%27&limit=10", &auth).verify(SECRET).unwrap();
    assert_eq!(params.signature_method, SignatureMethod::HmacSha1);
}

#[test]
fn literal_plus_signed_as_plus_verifies() {
    // the client meant a literal '+' in the e-mail and sent it unencoded
    let auth = header("HMAC-SHA256", SIG_SHA256_LITERAL_PLUS, true);
    request(PATH, "filter=email%3D%27a+b%40district.example%27", &auth).verify(SECRET).unwrap();
}

#[test]
fn oauth_parameters_in_the_query_verify() {
    let query = format!(
        "filter=givenName%3D%27Ann%20Marie%27&limit=10&oauth_consumer_key=app-key&oauth_nonce=n0nce\
         &oauth_signature_method=HMAC-SHA256&oauth_timestamp=1764250000&oauth_version=1.0&oauth_signature={}",
        oneroster::oauth1::encode(SIG_SHA256)
    );
    let req = SignedRequest { method: "GET", scheme: "https", host: HOST, path: PATH, query: Some(&query), authorization: None };
    req.verify(SECRET).unwrap();
}

#[test]
fn default_port_and_host_case_do_not_matter() {
    let auth = header("HMAC-SHA256", SIG_SHA256, true);
    let req = SignedRequest {
        method: "get",
        scheme: "HTTPS",
        host: "Rollbook.District.Example:443",
        path: PATH,
        query: Some("filter=givenName%3D%27Ann%20Marie%27&limit=10"),
        authorization: Some(&auth),
    };
    req.verify(SECRET).unwrap();
}

#[test]
fn tampering_and_wrong_secrets_are_refused() {
    let auth = header("HMAC-SHA256", SIG_SHA256, true);
    assert_eq!(
        request(PATH, "filter=givenName%3D%27Ann%20Marie%27&limit=11", &auth).verify(SECRET),
        Err(OAuthError::BadSignature)
    );
    assert_eq!(
        request(PATH, "filter=givenName%3D%27Ann%20Marie%27&limit=10", &auth).verify("s3cr3t"),
        Err(OAuthError::BadSignature)
    );
    assert_eq!(
        request("/ims/oneroster/v1p1/classes", "filter=givenName%3D%27Ann%20Marie%27&limit=10", &auth).verify(SECRET),
        Err(OAuthError::BadSignature)
    );
}

#[test]
fn missing_or_unsupported_parameters_are_bad_requests() {
    let no_nonce = header("HMAC-SHA256", SIG_SHA256, true).replace(r#"oauth_nonce="n0nce", "#, "");
    let err = request(PATH, "limit=10", &no_nonce).verify(SECRET).unwrap_err();
    assert_eq!(err, OAuthError::BadRequest("the request has no oauth_nonce".into()));
    let rsa = header("RSA-SHA1", SIG_SHA256, true);
    let err = request(PATH, "limit=10", &rsa).verify(SECRET).unwrap_err();
    assert_eq!(err.to_string(), "oauth_signature_method `RSA-SHA1` is not supported; use HMAC-SHA256 (or HMAC-SHA1)");
    let bearer = "Bearer abc";
    assert!(matches!(request(PATH, "limit=10", bearer).verify(SECRET), Err(OAuthError::BadRequest(_))));
    let garbage = header("HMAC-SHA256", "%%%not-base64", true);
    assert!(request(PATH, "limit=10", &garbage).verify(SECRET).is_err());
}
