//! The query string of a rostering request: `filter`, `sort`/`orderBy`, `fields`,
//! `limit`/`offset`, checked by the oneroster crate; and the `Link` header built from it.

use oneroster::query::{CheckedFilter, Filter, Paging, QueryLimits, QueryWarning, Selection, Sort};
use store::delivery::Entity;
use url::form_urlencoded;

use super::reply::ApiError;

/// The largest `limit` accepted (documented in the README); larger values are a 400.
pub const MAX_LIMIT: u32 = 10_000;

/// Whether a decoded parameter holds a NUL character (which no database takes as text).
pub fn has_nul(raw: Option<&str>) -> bool {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).any(|(k, v)| k.contains('\0') || v.contains('\0'))
}

/// The decoded query parameters, in order.
pub struct Params {
    pairs: Vec<(String, String)>,
    limits: QueryLimits,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect();
        // Pages of up to 10,000 records, so that a full sync of millions of enrollments takes
        // hundreds of requests, not thousands.
        Params { pairs, limits: QueryLimits { max_limit: MAX_LIMIT, ..QueryLimits::default() } }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn paging(&self) -> Result<Paging, ApiError> {
        Paging::parse(self.get("limit"), self.get("offset"), &self.limits)
            .map_err(|e| ApiError::bad_request(e.code.as_str(), e.message))
    }

    /// The filter checked against the entity's fields (`None` when absent or blank).
    pub fn filter(&self, entity: Entity) -> Result<Option<CheckedFilter>, ApiError> {
        let Some(text) = self.get("filter").filter(|f| !f.trim().is_empty()) else { return Ok(None) };
        let parsed = Filter::parse(text, &self.limits).map_err(|e| ApiError::bad_request(e.code.as_str(), e.message))?;
        let checked = parsed.check(entity.query_fields()).map_err(|e| ApiError::bad_request(e.code.as_str(), e.message))?;
        Ok(Some(checked))
    }

    pub fn sort(&self, entity: Entity) -> Result<Option<Sort>, ApiError> {
        let (sort, warnings) = Sort::parse(self.get("sort"), self.get("orderBy"), entity.query_fields())
            .map_err(|e| ApiError::bad_request(e.code.as_str(), e.message))?;
        log_warnings(&warnings);
        Ok(sort)
    }

    /// `fields` (every occurrence, each comma-separated).
    pub fn selection(&self, entity: Entity) -> (Selection, Vec<QueryWarning>) {
        Selection::parse(
            self.pairs.iter().filter(|(n, _)| n == "fields").map(|(_, v)| v.as_str()),
            entity.query_fields(),
        )
    }

    /// RFC 8288 `Link` with first, last, prev and next pages, keeping every parameter of the
    /// request but the paging ones and OAuth 1.0a's (which sign one request only).
    pub fn link_header(&self, origin: &str, path: &str, paging: Paging, total: u64) -> String {
        let limit = u64::from(paging.limit);
        let link = |offset: u64, rel: &str| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (name, value) in &self.pairs {
                if name != "limit" && name != "offset" && !name.starts_with("oauth_") {
                    query.append_pair(name, value);
                }
            }
            query.append_pair("limit", &limit.to_string());
            query.append_pair("offset", &offset.to_string());
            format!("<{origin}{path}?{}>; rel=\"{rel}\"", query.finish())
        };
        let last = if total == 0 { 0 } else { (total - 1) / limit * limit };
        let mut links = vec![link(0, "first")];
        if paging.offset > 0 {
            links.push(link(paging.offset.saturating_sub(limit), "prev"));
        }
        if paging.offset + limit < total {
            links.push(link(paging.offset + limit, "next"));
        }
        links.push(link(last, "last"));
        links.join(", ")
    }
}

fn log_warnings(warnings: &[QueryWarning]) {
    for w in warnings {
        tracing::debug!(warning = %w.message, "ignored part of a query");
    }
}

/// The query string as the disclosure log keeps it: OAuth 1.0a parameters removed.
pub fn loggable(raw: Option<&str>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if !name.starts_with("oauth_") {
            out.append_pair(&name, &value);
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_parameters_and_step_pages() {
        let p = Params::parse(Some("filter=status%3D%27active%27&limit=10&offset=10&fields=sourcedId&oauth_nonce=n"));
        let header = p.link_header("http://h", "/ims/oneroster/rostering/v1p2/users", p.paging().unwrap(), 25);
        assert_eq!(
            header,
            "<http://h/ims/oneroster/rostering/v1p2/users?filter=status%3D%27active%27&fields=sourcedId&limit=10&offset=0>; rel=\"first\", \
             <http://h/ims/oneroster/rostering/v1p2/users?filter=status%3D%27active%27&fields=sourcedId&limit=10&offset=0>; rel=\"prev\", \
             <http://h/ims/oneroster/rostering/v1p2/users?filter=status%3D%27active%27&fields=sourcedId&limit=10&offset=20>; rel=\"next\", \
             <http://h/ims/oneroster/rostering/v1p2/users?filter=status%3D%27active%27&fields=sourcedId&limit=10&offset=20>; rel=\"last\""
        );
        let last = Params::parse(Some("limit=10&offset=20"));
        let header = last.link_header("http://h", "/u", last.paging().unwrap(), 25);
        assert!(!header.contains("rel=\"next\""), "{header}");
        assert_eq!(loggable(Some("limit=5&oauth_signature=abc&filter=a%3D%27b%27")), "limit=5&filter=a%3D%27b%27");
    }
}
