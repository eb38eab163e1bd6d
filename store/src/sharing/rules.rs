//! A share as data: which classes, which people, which fields. This is the JSON an admin writes
//! (`rollbook app share APP --file share.json`); README "Sharing" documents it.
//!
//! ```json
//! { "all": false,
//!   "include": [ { "schools": ["org-school-hs"] },
//!                { "classes": ["cls-ms-hr7-a"] },
//!                { "subjects": ["Mathematics"], "grades": ["09", "10"] } ],
//!   "exclude": [ { "class_types": ["homeroom"] } ],
//!   "roles": ["student", "teacher"],
//!   "withhold": ["users.email", "users.phone"],
//!   "demographics": false }
//! ```
//!
//! A class is shared when `all` is set or some `include` rule matches it, and no `exclude` rule
//! does. A rule matches when every list it names matches (a list matches when the class has any
//! of its values). People come with the classes, by role.

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// An app's share.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// Every class of the district (the `include` rules are then not needed).
    #[serde(default)]
    pub all: bool,
    #[serde(default)]
    pub include: Vec<ClassRule>,
    #[serde(default)]
    pub exclude: Vec<ClassRule>,
    /// Which people of the shared classes and schools.
    #[serde(default = "default_roles")]
    pub roles: Vec<PersonRole>,
    /// Fields left out of every record, as `entity.field` in the JSON spelling
    /// (`users.email`, `demographics.birthDate`).
    #[serde(default)]
    pub withhold: Vec<String>,
    /// Demographics of the shared users (off unless explicitly on).
    #[serde(default)]
    pub demographics: bool,
}

fn default_roles() -> Vec<PersonRole> {
    vec![PersonRole::Student, PersonRole::Teacher]
}

/// Conditions on a class; every non-empty list must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    /// A label shown when explaining why a record is shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schools: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub courses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class_types: Vec<String>,
}

/// Who of the shared classes and schools an app receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// Students enrolled in shared classes.
    Student,
    /// Teachers (and proctors) enrolled in shared classes.
    Teacher,
    /// Guardians, parents and relatives listed as agents of shared students.
    Guardian,
    /// Administrators and principals of the schools of shared classes.
    Administrator,
    /// Teachers, aides and proctors of shared schools who teach no shared class.
    UnenrolledStaff,
}

impl PersonRole {
    /// Parses the CLI spelling (`student`, `teacher`, `guardian`, `administrator`,
    /// `unenrolled_staff`).
    pub fn parse(text: &str) -> Result<PersonRole, StoreError> {
        serde_json::from_value(serde_json::Value::String(text.trim().to_string())).map_err(|_| {
            StoreError::Invalid(format!(
                "`{text}` is not a role to share; use student, teacher, guardian, administrator or unenrolled_staff"
            ))
        })
    }

    /// Enrollment roles this covers (people who come through a class).
    pub(crate) fn enrollment_roles(self) -> &'static [&'static str] {
        match self {
            PersonRole::Student => &["student"],
            PersonRole::Teacher => &["teacher", "proctor"],
            _ => &[],
        }
    }
}

/// Fields an admin may withhold, per entity (JSON names). Identifiers the standard requires
/// (`sourcedId`, `status`, names, roles) stay, or the records would be unusable.
pub const WITHHOLDABLE: &[(&str, &[&str])] = &[
    ("users", &[
        "username", "userIds", "email", "sms", "phone", "identifier", "middleName", "preferredFirstName",
        "preferredMiddleName", "preferredLastName", "pronouns", "grades", "agents", "userMasterIdentifier",
        "metadata",
    ]),
    ("demographics", &[
        "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
        "publicSchoolResidenceStatus", "metadata",
    ]),
    ("classes", &["location", "periods", "classCode", "metadata"]),
    ("courses", &["courseCode", "metadata"]),
    ("orgs", &["identifier", "metadata"]),
    ("enrollments", &["beginDate", "endDate", "primary", "metadata"]),
    ("academicSessions", &["metadata"]),
];

/// Fields shown in the console as sensitive: off by default, confirmation when added.
pub const SENSITIVE: &[&str] = &["users.email", "users.phone", "users.sms", "demographics.birthDate"];

impl ClassRule {
    fn is_empty(&self) -> bool {
        self.schools.is_empty()
            && self.classes.is_empty()
            && self.courses.is_empty()
            && self.subjects.is_empty()
            && self.grades.is_empty()
            && self.terms.is_empty()
            && self.class_types.is_empty()
    }

    fn lists(&self) -> [(&'static str, &Vec<String>); 7] {
        [
            ("schools", &self.schools),
            ("classes", &self.classes),
            ("courses", &self.courses),
            ("subjects", &self.subjects),
            ("grades", &self.grades),
            ("terms", &self.terms),
            ("class_types", &self.class_types),
        ]
    }

    /// The name used when explaining a match: the label, else `include[N]`.
    pub(crate) fn name(&self, kind: &str, index: usize) -> String {
        self.label.clone().unwrap_or_else(|| format!("{kind}[{index}]"))
    }
}

impl Share {
    /// Reads and checks a share document; the error names the JSON path at fault.
    pub fn from_json(text: &str) -> Result<Share, StoreError> {
        let share: Share = serde_json::from_str(text)
            .map_err(|e| StoreError::Invalid(format!("the share is not valid: {e}")))?;
        share.check()?;
        Ok(share)
    }

    /// Checks rules, roles and fields; the error names the part at fault.
    pub fn check(&self) -> Result<(), StoreError> {
        for (kind, rules) in [("include", &self.include), ("exclude", &self.exclude)] {
            for (i, rule) in rules.iter().enumerate() {
                if rule.is_empty() {
                    return Err(StoreError::Invalid(format!(
                        "{kind}[{i}] names no condition: give schools, classes, courses, subjects, grades, terms or class_types"
                    )));
                }
                for (list, values) in rule.lists() {
                    if values.iter().any(|v| v.trim().is_empty() || v.contains(',')) {
                        return Err(StoreError::Invalid(format!(
                            "{kind}[{i}].{list} has an empty value or one with a comma; give each value as its own string"
                        )));
                    }
                }
            }
        }
        for field in &self.withhold {
            let known = field.split_once('.').is_some_and(|(entity, name)| {
                WITHHOLDABLE.iter().any(|(e, fields)| *e == entity && fields.contains(&name))
            });
            if !known {
                return Err(StoreError::Invalid(format!(
                    "withhold: `{field}` is not a field that can be withheld; write entity.field, e.g. users.email \
                     (sourcedId, status, names and roles always go with a record)"
                )));
            }
        }
        Ok(())
    }

    /// Whether the share gives any class at all.
    pub fn is_empty(&self) -> bool {
        !self.all && self.include.is_empty()
    }

    /// The fields the app receives that `before` withheld, and the reverse, as `entity.field`
    /// (demographics as a whole is `demographics`).
    ///
    /// A share that gives nothing gives no field either: from it, the sensitive fields the new
    /// share gives count as added (so the console asks before a first share sends e-mail
    /// addresses), and nothing counts as removed. Towards it, no field changes.
    pub fn field_changes(before: &Share, after: &Share) -> (Vec<String>, Vec<String>) {
        if after.is_empty() {
            return (Vec::new(), Vec::new());
        }
        if before.is_empty() {
            let gives = |f: &str| !after.withhold.iter().any(|w| w == f) && (after.demographics || !f.starts_with("demographics."));
            let mut added: Vec<String> = SENSITIVE.iter().copied().filter(|f| gives(f)).map(String::from).collect();
            if after.demographics {
                added.push("demographics".into());
            }
            added.sort();
            return (added, Vec::new());
        }
        let mut added: Vec<String> = before.withhold.iter().filter(|f| !after.withhold.contains(f)).cloned().collect();
        let mut removed: Vec<String> = after.withhold.iter().filter(|f| !before.withhold.contains(f)).cloned().collect();
        if after.demographics && !before.demographics {
            added.push("demographics".into());
        }
        if before.demographics && !after.demographics {
            removed.push("demographics".into());
        }
        added.sort();
        removed.sort();
        (added, removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_reads() {
        let share = Share::from_json(
            r#"{ "include": [ { "schools": ["org-school-hs"] }, { "subjects": ["Mathematics"], "grades": ["09", "10"] } ],
                 "exclude": [ { "class_types": ["homeroom"] } ],
                 "roles": ["student", "teacher", "guardian"], "withhold": ["users.email"] }"#,
        )
        .unwrap();
        assert_eq!(share.include.len(), 2);
        assert_eq!(share.roles, [PersonRole::Student, PersonRole::Teacher, PersonRole::Guardian]);
        assert!(!share.demographics, "demographics are off unless on");
        assert_eq!(Share::from_json("{}").unwrap().roles, [PersonRole::Student, PersonRole::Teacher]);
        assert!(Share::default().is_empty());
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| Share::from_json(text).unwrap_err().to_string();
        assert!(err(r#"{"include": [{}]}"#).starts_with("include[0] names no condition"));
        assert!(err(r#"{"include": [{"school": ["x"]}]}"#).contains("unknown field `school`"));
        assert!(err(r#"{"roles": ["janitor"]}"#).contains("unknown variant `janitor`"));
        assert!(err(r#"{"withhold": ["users.password"]}"#).starts_with("withhold: `users.password` is not a field"));
        assert!(err(r#"{"exclude": [{"grades": ["09,10"]}]}"#).starts_with("exclude[0].grades has an empty value"));
        assert_eq!(
            PersonRole::parse("aide").unwrap_err().to_string(),
            "`aide` is not a role to share; use student, teacher, guardian, administrator or unenrolled_staff"
        );
    }

    #[test]
    fn field_changes_list_what_is_added_and_removed() {
        let before = Share { all: true, withhold: vec!["users.email".into(), "users.phone".into()], ..Default::default() };
        let after = Share { all: true, withhold: vec!["users.phone".into(), "users.sms".into()], demographics: true, ..Default::default() };
        let (added, removed) = Share::field_changes(&before, &after);
        assert_eq!(added, ["demographics", "users.email"]);
        assert_eq!(removed, ["users.sms"]);
    }

    #[test]
    fn a_first_share_adds_the_sensitive_fields_it_gives() {
        let nothing = Share::default();
        let first = Share { all: true, withhold: vec!["users.phone".into(), "users.sms".into()], ..Default::default() };
        assert_eq!(Share::field_changes(&nothing, &first), (vec!["users.email".to_string()], vec![]));
        let with_demographics = Share { demographics: true, ..first.clone() };
        assert_eq!(
            Share::field_changes(&nothing, &with_demographics).0,
            ["demographics", "demographics.birthDate", "users.email"]
        );
        assert_eq!(Share::field_changes(&first, &nothing), (vec![], vec![]), "sharing nothing changes no field");
    }
}
