//! OneRoster 1.1 with OAuth 1.0a as real clients sign it, replay and clock checks, and the
//! per-app rate limit.

mod support;

use oneroster::oauth1::{encode, sign, SignatureMethod};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;
use support::{
    district::{district_with, token},
    Spawn, TestApp,
};

const V11: &str = "/ims/oneroster/v1p1";

/// Where the OAuth parameters travel and how the client wrote spaces in the query.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// `Authorization: OAuth ...`, query spaces as `%20` (most libraries).
    Header,
    /// Every `oauth_*` parameter in the query string (some 1.1 clients).
    Query,
    /// Header, with the query form-encoded (`+` for spaces), signed as spaces.
    HeaderPlus,
}

struct Signer<'a> {
    app: &'a TestApp,
    key: &'a str,
    secret: &'a str,
}

impl Signer<'_> {
    /// A GET of `path` with `query` (decoded pairs), signed here from first principles:
    /// RFC 5849 base string, HMAC with `enc(secret)&`.
    fn request(&self, path: &str, query: &[(&str, &str)], nonce: &str, timestamp: i64, method: SignatureMethod, form: Form) -> reqwest::RequestBuilder {
        let method_name = match method {
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
        };
        let ts = timestamp.to_string();
        let oauth = [
            ("oauth_consumer_key", self.key),
            ("oauth_nonce", nonce),
            ("oauth_signature_method", method_name),
            ("oauth_timestamp", ts.as_str()),
            ("oauth_version", "1.0"),
        ];
        let mut params: Vec<(String, String)> =
            query.iter().chain(oauth.iter()).map(|(k, v)| (encode(k), encode(v))).collect();
        params.sort();
        let normalized = params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let base_uri = format!("http://{}{path}", self.app.addr);
        let base = format!("GET&{}&{}", encode(&base_uri), encode(&normalized));
        let signature = sign(method, self.secret, &base);

        let query_text = |pairs: &[(&str, &str)], plus: bool| {
            pairs
                .iter()
                .map(|(k, v)| {
                    let v = if plus { encode(v).replace("%20", "+") } else { encode(v) };
                    format!("{}={v}", encode(k))
                })
                .collect::<Vec<_>>()
                .join("&")
        };
        let client = Client::new();
        match form {
            Form::Header | Form::HeaderPlus => {
                let header_value = format!(
                    "OAuth {}, oauth_signature=\"{}\"",
                    oauth.iter().map(|(k, v)| format!("{k}=\"{}\"", encode(v))).collect::<Vec<_>>().join(", "),
                    encode(&signature)
                );
                let url = format!("{}{path}?{}", self.app.base, query_text(query, matches!(form, Form::HeaderPlus)));
                client.get(url).header(header::AUTHORIZATION, header_value)
            }
            Form::Query => {
                let mut all: Vec<(&str, &str)> = query.to_vec();
                all.extend(oauth.iter().copied());
                all.push(("oauth_signature", signature.as_str()));
                client.get(format!("{}{path}?{}", self.app.base, query_text(&all, false)))
            }
        }
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn status_and_body(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn oauth1_signed_requests_verify_and_replays_are_refused() {
    let (app, creds) = district_with(Spawn::default()).await;
    let signer = Signer { app: &app, key: &creds.client_id, secret: &creds.client_secret };
    let path = format!("{V11}/users");
    let query = [("filter", "familyName='Nguyen' OR givenName='Liam'"), ("limit", "10")];

    for (i, form) in [Form::Header, Form::Query, Form::HeaderPlus].into_iter().enumerate() {
        for method in [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1] {
            let nonce = format!("nonce-{i}-{method:?}");
            let (status, body) = status_and_body(signer.request(&path, &query, &nonce, now(), method, form)).await;
            assert_eq!(status, StatusCode::OK, "{form:?} {method:?}: {body}");
            let ids: Vec<&str> = body["users"].as_array().unwrap().iter().map(|u| u["sourcedId"].as_str().unwrap()).collect();
            assert_eq!(ids, ["usr-g-300", "usr-s-200", "usr-s-201"], "{form:?}");
        }
    }
    // a trailing slash the client signed
    let (status, _) = status_and_body(signer.request(&format!("{path}/"), &[], "slash", now(), SignatureMethod::HmacSha256, Form::Header)).await;
    assert_eq!(status, StatusCode::OK);

    // the same nonce and timestamp again: a replay
    let ts = now();
    let (status, _) = status_and_body(signer.request(&path, &query, "once", ts, SignatureMethod::HmacSha256, Form::Header)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = status_and_body(signer.request(&path, &query, "once", ts, SignatureMethod::HmacSha256, Form::Header)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["imsx_description"], "this oauth_nonce was used before with this timestamp; every request needs a new nonce");

    // a stale or future timestamp
    for ts in [now() - 3600, now() + 3600] {
        let (status, body) = status_and_body(signer.request(&path, &[], &format!("old-{ts}"), ts, SignatureMethod::HmacSha256, Form::Header)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body["imsx_description"],
            format!("oauth_timestamp {ts} is more than 10 minutes from the server's clock; check the client's clock")
        );
    }
    // a wrong secret, an unknown key, a tampered query
    let wrong = Signer { app: &app, key: &creds.client_id, secret: "not-the-secret" };
    let (status, body) = status_and_body(wrong.request(&path, &[], "w1", now(), SignatureMethod::HmacSha256, Form::Header)).await;
    assert_eq!((status, body["imsx_description"].as_str().unwrap()), (StatusCode::UNAUTHORIZED, "the OAuth signature does not match the request"));
    let stranger = Signer { app: &app, key: "nobody", secret: "x" };
    let (status, _) = status_and_body(stranger.request(&path, &[], "w2", now(), SignatureMethod::HmacSha256, Form::Header)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let signed = signer.request(&path, &[("limit", "1")], "w3", now(), SignatureMethod::HmacSha256, Form::Query).build().unwrap();
    let tampered = signed.url().as_str().replace("limit=1", "limit=2");
    let (status, _) = status_and_body(Client::new().get(tampered)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // an unsupported signature method is a bad request
    let response = Client::new()
        .get(app.url(&path))
        .header(
            header::AUTHORIZATION,
            format!("OAuth oauth_consumer_key=\"{}\", oauth_nonce=\"n\", oauth_signature_method=\"PLAINTEXT\", oauth_timestamp=\"{}\", oauth_signature=\"x\"", creds.client_id, now()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // OAuth 1.0a is a 1.1 scheme: 1.2 wants a bearer token
    let (status, _) = status_and_body(signer.request("/ims/oneroster/rostering/v1p2/users", &[], "v12", now(), SignatureMethod::HmacSha256, Form::Header)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_app_over_its_rate_limit_gets_429_with_retry_after() {
    let (app, creds) = district_with(Spawn { rate_limit: Some(3), ..Default::default() }).await;
    let bearer = token(&app, &creds.client_id, &creds.client_secret, None).await;
    let url = app.url("/ims/oneroster/rostering/v1p2/classes");
    for _ in 0..3 {
        assert_eq!(Client::new().get(&url).bearer_auth(&bearer).send().await.unwrap().status(), StatusCode::OK);
    }
    let response = Client::new().get(&url).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "a third of a minute at most: {wait}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"], "server_busy");
    assert_eq!(body["imsx_description"], format!("this app has used its request limit; try again in {wait} seconds"));
    // the app's own limit wins over the server's
    let id = creds.id;
    app.store
        .update_app(id, store::AppPatch { rate_limit: Some(Some(100)), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(Client::new().get(&url).bearer_auth(&bearer).send().await.unwrap().status(), StatusCode::OK);
}
