//! Which address a request came from, for sign-in throttling.

use std::net::{IpAddr, SocketAddr};

use axum::{extract::ConnectInfo, http::Request};

/// The peer address, or with `trust_forwarded_for` the last `X-Forwarded-For` entry (the one
/// added by the proxy in front of Rollbook; earlier entries are client-controlled).
pub(crate) fn client_addr<B>(req: &Request<B>, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(xff: &[&str], peer: Option<&str>) -> Request<()> {
        let mut builder = Request::builder().uri("/");
        for v in xff {
            builder = builder.header("x-forwarded-for", *v);
        }
        let mut req = builder.body(()).unwrap();
        if let Some(p) = peer {
            req.extensions_mut().insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
        }
        req
    }

    #[test]
    fn peer_address_unless_proxy_is_trusted() {
        let req = request(&["203.0.113.9, 198.51.100.2"], Some("10.0.0.5:4000"));
        assert_eq!(client_addr(&req, false), Some("10.0.0.5".parse().unwrap()));
        assert_eq!(client_addr(&req, true), Some("198.51.100.2".parse().unwrap()));
        let req = request(&["garbage"], Some("10.0.0.5:4000"));
        assert_eq!(client_addr(&req, true), Some("10.0.0.5".parse().unwrap()));
        assert_eq!(client_addr(&request(&[], None), true), None);
    }
}
