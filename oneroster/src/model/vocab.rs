//! Controlled vocabularies, spelled exactly as the spec spells them (SPEC-NOTES §2.3, §3).
//!
//! Parsing is exact: `Scheduled` is not `scheduled`. Readers that want to accept such
//! harmless deviations call [`parse_lenient`](Status::parse_lenient)-style functions, which say
//! whether they had to normalise so that the deviation can be reported as a warning.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that is not in a vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabError {
    /// What was given.
    pub value: String,
    /// The vocabulary's name in messages (`status`, `classType`).
    pub vocabulary: &'static str,
    /// Every accepted spelling, for the message.
    pub expected: String,
}

impl fmt::Display for VocabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a {}; expected {}", self.value, self.vocabulary, self.expected)
    }
}

impl std::error::Error for VocabError {}

/// Whether `rest` (after `ext:`) is a valid extension token (`[A-Za-z0-9.\-_]+`).
fn is_ext_token(rest: &str) -> bool {
    !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Defines a vocabulary enum with exact spellings, `FromStr`, `Display`, serde as a string and,
/// when `ext` is given, an `Ext(String)` variant for `ext:` tokens (1.2 extensions).
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $label:literal, ext = $ext:tt, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// An `ext:` extension token (kept as written, including the prefix).
            #[allow(dead_code)]
            Ext(String),
        }

        impl $name {
            /// Every standard spelling, in spec order.
            pub const VALUES: &'static [&'static str] = &[$($text),+];

            /// The spec spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Ext(token) => token,
                }
            }

            /// Parses the exact spelling (or an `ext:` token where the vocabulary allows one).
            pub fn parse(text: &str) -> Result<Self, VocabError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other if $ext && other.strip_prefix("ext:").is_some_and(is_ext_token) => {
                        Ok($name::Ext(other.to_string()))
                    }
                    other => Err(VocabError {
                        value: other.to_string(),
                        vocabulary: $label,
                        expected: if $ext {
                            format!("one of {} (or ext:NAME)", Self::VALUES.join(", "))
                        } else {
                            format!("one of {}", Self::VALUES.join(", "))
                        },
                    }),
                }
            }

            /// Like [`parse`](Self::parse) but ignoring ASCII case; the flag says whether the
            /// spelling had to be normalised (a warning for readers, not an error).
            pub fn parse_lenient(text: &str) -> Result<(Self, bool), VocabError> {
                if let Ok(exact) = Self::parse(text) {
                    return Ok((exact, false));
                }
                match Self::VALUES.iter().find(|v| v.eq_ignore_ascii_case(text)) {
                    Some(v) => Ok((Self::parse(v).expect("listed"), true)),
                    None => Self::parse(text).map(|v| (v, false)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = VocabError;
            fn from_str(s: &str) -> Result<Self, VocabError> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary!(
    /// Record status. 1.0's `inactive` is not a value: readers map it (see
    /// [`Status::parse_with_legacy`]).
    Status, "status", ext = false, {
        Active => "active",
        ToBeDeleted => "tobedeleted",
    }
);

impl Status {
    /// Accepts the deprecated 1.0 `inactive` as `tobedeleted`; the flag reports that it did.
    pub fn parse_with_legacy(text: &str) -> Result<(Status, bool), VocabError> {
        if text == "inactive" {
            return Ok((Status::ToBeDeleted, true));
        }
        Status::parse_lenient(text)
    }
}

vocabulary!(
    /// `academicSession.type`.
    SessionType, "session type", ext = true, {
        GradingPeriod => "gradingPeriod",
        Semester => "semester",
        SchoolYear => "schoolYear",
        Term => "term",
    }
);

vocabulary!(
    /// `org.type`.
    OrgType, "org type", ext = true, {
        Department => "department",
        School => "school",
        District => "district",
        Local => "local",
        State => "state",
        National => "national",
    }
);

vocabulary!(
    /// `class.classType`.
    ClassType, "class type", ext = true, {
        Homeroom => "homeroom",
        Scheduled => "scheduled",
    }
);

vocabulary!(
    /// `enrollment.role` (the same four values in 1.1 and 1.2).
    EnrollmentRole, "enrollment role", ext = true, {
        Administrator => "administrator",
        Proctor => "proctor",
        Student => "student",
        Teacher => "teacher",
    }
);

vocabulary!(
    /// `roles[].role` (1.2).
    RoleName, "role", ext = true, {
        Aide => "aide",
        Counselor => "counselor",
        DistrictAdministrator => "districtAdministrator",
        Guardian => "guardian",
        Parent => "parent",
        Principal => "principal",
        Proctor => "proctor",
        Relative => "relative",
        SiteAdministrator => "siteAdministrator",
        Student => "student",
        SystemAdministrator => "systemAdministrator",
        Teacher => "teacher",
    }
);

vocabulary!(
    /// `roles[].roleType` (1.2; no extensions).
    RoleType, "role type", ext = false, {
        Primary => "primary",
        Secondary => "secondary",
    }
);

vocabulary!(
    /// The single `role` of a 1.1 user.
    UserRoleV1p1, "1.1 user role", ext = false, {
        Administrator => "administrator",
        Aide => "aide",
        Guardian => "guardian",
        Parent => "parent",
        Proctor => "proctor",
        Relative => "relative",
        Student => "student",
        Teacher => "teacher",
    }
);

vocabulary!(
    /// `demographics.sex` (1.2 values; 1.1 has only male and female).
    Sex, "sex", ext = true, {
        Male => "male",
        Female => "female",
        Unspecified => "unspecified",
        Other => "other",
    }
);

vocabulary!(
    /// CEDS grade levels used in `grades`.
    Grade, "grade", ext = false, {
        IT => "IT", PR => "PR", PK => "PK", TK => "TK", KG => "KG",
        G01 => "01", G02 => "02", G03 => "03", G04 => "04", G05 => "05", G06 => "06",
        G07 => "07", G08 => "08", G09 => "09", G10 => "10", G11 => "11", G12 => "12", G13 => "13",
        PS => "PS", UG => "UG", Other => "Other",
    }
);

impl RoleName {
    /// The 1.1 `role` a 1.2 role becomes when served to a 1.1 client. Administrators of every
    /// kind become `administrator`; counselors become `administrator` too (the notes leave
    /// aide/administrator open: counselors act for the school, not in one class); extension
    /// roles have no 1.1 equivalent.
    pub fn to_v1p1(&self) -> Option<UserRoleV1p1> {
        Some(match self {
            RoleName::Aide => UserRoleV1p1::Aide,
            RoleName::Counselor
            | RoleName::DistrictAdministrator
            | RoleName::Principal
            | RoleName::SiteAdministrator
            | RoleName::SystemAdministrator => UserRoleV1p1::Administrator,
            RoleName::Guardian => UserRoleV1p1::Guardian,
            RoleName::Parent => UserRoleV1p1::Parent,
            RoleName::Proctor => UserRoleV1p1::Proctor,
            RoleName::Relative => UserRoleV1p1::Relative,
            RoleName::Student => UserRoleV1p1::Student,
            RoleName::Teacher => UserRoleV1p1::Teacher,
            RoleName::Ext(_) => return None,
        })
    }
}

impl Sex {
    /// Whether the value exists in 1.1 (`male`, `female`); others are withheld from 1.1 output.
    pub fn in_v1p1(&self) -> bool {
        matches!(self, Sex::Male | Sex::Female)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_spellings_round_trip() {
        for v in ClassType::VALUES {
            assert_eq!(ClassType::parse(v).unwrap().as_str(), *v);
        }
        assert_eq!(RoleName::parse("districtAdministrator").unwrap(), RoleName::DistrictAdministrator);
        assert_eq!(Grade::parse("01").unwrap(), Grade::G01);
        assert_eq!(serde_json::to_string(&SessionType::SchoolYear).unwrap(), r#""schoolYear""#);
        assert_eq!(serde_json::from_str::<OrgType>(r#""school""#).unwrap(), OrgType::School);
    }

    #[test]
    fn wrong_case_is_an_error_but_lenient_parsing_normalises_and_says_so() {
        let err = ClassType::parse("Scheduled").unwrap_err();
        assert_eq!(err.to_string(), "`Scheduled` is not a class type; expected one of homeroom, scheduled (or ext:NAME)");
        assert_eq!(ClassType::parse_lenient("Scheduled").unwrap(), (ClassType::Scheduled, true));
        assert_eq!(ClassType::parse_lenient("scheduled").unwrap(), (ClassType::Scheduled, false));
        assert!(ClassType::parse_lenient("lecture").is_err());
    }

    #[test]
    fn extensions_only_where_the_spec_allows_them() {
        assert_eq!(OrgType::parse("ext:campus").unwrap(), OrgType::Ext("ext:campus".into()));
        assert_eq!(OrgType::parse("ext:campus").unwrap().as_str(), "ext:campus");
        assert!(OrgType::parse("ext:").is_err());
        assert!(OrgType::parse("ext:has space").is_err());
        assert!(Status::parse("ext:archived").is_err());
        assert!(RoleType::parse("ext:tertiary").is_err());
        assert_eq!(
            Grade::parse("13th").unwrap_err().to_string(),
            "`13th` is not a grade; expected one of IT, PR, PK, TK, KG, 01, 02, 03, 04, 05, 06, 07, 08, 09, 10, 11, 12, 13, PS, UG, Other"
        );
    }

    #[test]
    fn legacy_inactive_becomes_tobedeleted_with_a_flag() {
        assert_eq!(Status::parse_with_legacy("inactive").unwrap(), (Status::ToBeDeleted, true));
        assert_eq!(Status::parse_with_legacy("active").unwrap(), (Status::Active, false));
        assert!(Status::parse("inactive").is_err());
    }

    #[test]
    fn v1p2_roles_map_down_to_v1p1() {
        assert_eq!(RoleName::Principal.to_v1p1(), Some(UserRoleV1p1::Administrator));
        assert_eq!(RoleName::SystemAdministrator.to_v1p1(), Some(UserRoleV1p1::Administrator));
        assert_eq!(RoleName::Counselor.to_v1p1(), Some(UserRoleV1p1::Administrator));
        assert_eq!(RoleName::Student.to_v1p1(), Some(UserRoleV1p1::Student));
        assert_eq!(RoleName::Ext("ext:coach".into()).to_v1p1(), None);
        assert!(Sex::Female.in_v1p1() && !Sex::Unspecified.in_v1p1());
    }
}
