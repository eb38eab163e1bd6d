//! OAuth 2 scopes of the rostering service and how a token request's `scope` is answered.
//!
//! A scope is written as a URI whose prefix names the version
//! (`https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly`). Rollbook also accepts the
//! bare name (`roster.readonly`). A request for several scopes gets those Rollbook offers and
//! silently loses the others (RFC 6749 §3.3 lets the server narrow the grant); only a request
//! naming no offered scope at all is refused with `invalid_scope`.

use crate::Version;

/// A rostering scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The 22 collection and single-record reads, demographics excepted.
    RosterCore,
    /// Everything of `RosterCore` plus the relationship (nested) reads.
    Roster,
    /// `getAllDemographics` and `getDemographics`.
    RosterDemographics,
}

impl Scope {
    /// Every rostering scope.
    pub const ALL: [Scope; 3] = [Scope::RosterCore, Scope::Roster, Scope::RosterDemographics];

    /// The bare scope name.
    pub fn name(self) -> &'static str {
        match self {
            Scope::RosterCore => "roster-core.readonly",
            Scope::Roster => "roster.readonly",
            Scope::RosterDemographics => "roster-demographics.readonly",
        }
    }

    /// The scope URI of `version`.
    pub fn uri(self, version: Version) -> String {
        format!("{}{}", prefix(version), self.name())
    }

    /// Reads a bare name or a URI of either version.
    pub fn parse(text: &str) -> Option<Scope> {
        let name = Version::ALL.iter().find_map(|v| text.strip_prefix(prefix(*v))).unwrap_or(text);
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }
}

fn prefix(version: Version) -> &'static str {
    match version {
        Version::V1p1 => "https://purl.imsglobal.org/spec/or/v1p1/scope/",
        Version::V1p2 => "https://purl.imsglobal.org/spec/or/v1p2/scope/",
    }
}

/// The scopes a token request is granted, and how to write them back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Vec<Scope>,
    /// The `scope` member of the token response: the granted scopes in the form they were asked
    /// for (URI or bare name), or as URIs of `default_version` when none were asked for.
    pub scope_text: String,
}

/// Answers a token request's `scope` parameter (`None` or empty: every scope).
///
/// Returns `Err` with the RFC 6749 error description when the request names scopes and none
/// of them is offered.
pub fn grant(requested: Option<&str>, default_version: Version) -> Result<Grant, String> {
    let words: Vec<&str> = requested.unwrap_or("").split_ascii_whitespace().collect();
    if words.is_empty() {
        return Ok(Grant {
            scopes: Scope::ALL.to_vec(),
            scope_text: Scope::ALL.iter().map(|s| s.uri(default_version)).collect::<Vec<_>>().join(" "),
        });
    }
    let mut scopes = Vec::new();
    let mut written = Vec::new();
    for word in words {
        if let Some(scope) = Scope::parse(word) {
            if !scopes.contains(&scope) {
                scopes.push(scope);
                written.push(word);
            }
        }
    }
    if scopes.is_empty() {
        return Err(format!(
            "none of the requested scopes is offered; Rollbook offers {}",
            Scope::ALL.iter().map(|s| s.uri(default_version)).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(Grant { scopes, scope_text: written.join(" ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_of_both_versions_and_bare_names_parse() {
        assert_eq!(
            Scope::Roster.uri(Version::V1p2),
            "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
        );
        assert_eq!(
            Scope::parse("https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly"),
            Some(Scope::RosterCore)
        );
        assert_eq!(Scope::parse("roster-demographics.readonly"), Some(Scope::RosterDemographics));
        assert_eq!(Scope::parse("https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly"), None);
        assert_eq!(Scope::parse("https://example.com/roster.readonly"), None);
    }

    #[test]
    fn no_scope_grants_everything_as_uris() {
        let g = grant(None, Version::V1p2).unwrap();
        assert_eq!(g.scopes, Scope::ALL.to_vec());
        assert_eq!(
            g.scope_text,
            "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly \
             https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly \
             https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly"
        );
        assert_eq!(grant(Some("  "), Version::V1p1).unwrap().scopes.len(), 3);
    }

    #[test]
    fn unknown_scopes_are_dropped_unless_nothing_is_left() {
        let asked = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly \
                     https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput roster.readonly";
        let g = grant(Some(asked), Version::V1p2).unwrap();
        assert_eq!(g.scopes, vec![Scope::Roster]);
        assert_eq!(g.scope_text, "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly");
        let err = grant(Some("gradebook.readonly openid"), Version::V1p2).unwrap_err();
        assert!(err.starts_with("none of the requested scopes is offered"), "{err}");
    }
}
