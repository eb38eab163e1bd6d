//! Rostering rows ↔ entities (SPEC-NOTES §7.9 crosswalk: `xSourcedId` columns are references,
//! `preferredGivenName` is `preferredFirstName`, 1.2 roles and user profiles are rows of their
//! own files, 1.1 users carry `orgSourcedIds` + `role`). Rows are expected to have passed the
//! reader, which blanks values it reported as errors.

use serde_json::{Map, Value};

use super::{FileSpec, Mode, Row};
use crate::{
    model::{
        entity::*, format_date, format_datetime, parse_date, parse_datetime, DateTimeStrictness, RoleName, RoleType,
        Status, UserRoleV1p1,
    },
    Version,
};

/// A 1.2 `roles.csv` row: one role of one user.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleRecord {
    pub base: Base,
    pub user: String,
    pub role: Role,
}

/// A `userProfiles.csv` row: one profile (with one credential) of one user.
#[derive(Clone, Debug, PartialEq)]
pub struct UserProfileRecord {
    pub base: Base,
    pub user: String,
    pub profile: UserProfile,
}

/// One row of a rostering file as an entity.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Org(Org),
    AcademicSession(AcademicSession),
    Course(Course),
    Class(Class),
    Enrollment(Enrollment),
    /// 1.2 users come without roles (those are `roles.csv` rows); 1.1 users carry theirs.
    User(User),
    Role(RoleRecord),
    UserProfile(UserProfileRecord),
    Demographics(Demographics),
}

/// Cell access by column name.
struct Cells<'a> {
    spec: &'a FileSpec,
    row: &'a Row,
}

impl Cells<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let i = self.spec.columns.iter().position(|c| c.name == name)?;
        Some(self.row.values[i].clone()).filter(|v| !v.is_empty())
    }
    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }
    fn list(&self, name: &str) -> Vec<String> {
        self.get(name).map(|v| v.split(',').map(String::from).collect()).unwrap_or_default()
    }
    fn date(&self, name: &str) -> Option<time::Date> {
        self.get(name).and_then(|d| parse_date(&d))
    }
    fn boolean(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v == "true")
    }
    fn base(&self) -> Base {
        Base {
            sourced_id: self.text("sourcedId"),
            status: self.get("status").and_then(|s| Status::parse(&s).ok()).unwrap_or(Status::Active),
            date_last_modified: self
                .get("dateLastModified")
                .and_then(|t| parse_datetime(&t, DateTimeStrictness::Lenient))
                .map(|(t, _)| t),
            metadata: nest_metadata(&self.row.metadata),
        }
    }
}

/// `metadata.jp.kanaGivenName` columns become `{"jp": {"kanaGivenName": ...}}`.
fn nest_metadata(pairs: &[(String, String)]) -> Map<String, Value> {
    let mut root = Map::new();
    for (name, value) in pairs {
        let mut node = &mut root;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_string(), Value::String(value.clone()));
            } else {
                let child = node.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if !child.is_object() {
                    *child = Value::Object(Map::new());
                }
                node = child.as_object_mut().expect("object");
            }
        }
    }
    root
}

/// The reverse of [`nest_metadata`]: dotted names in a stable (sorted) order.
fn flatten_metadata(map: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, String)>) {
    for (key, value) in map {
        let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Value::Object(inner) => flatten_metadata(inner, &name, out),
            Value::String(s) => out.push((name, s.clone())),
            Value::Null => {}
            other => out.push((name, other.to_string())),
        }
    }
}

fn role_from_v1p1(role: &str) -> RoleName {
    match UserRoleV1p1::parse(role) {
        Ok(UserRoleV1p1::Administrator) => RoleName::SiteAdministrator,
        Ok(UserRoleV1p1::Aide) => RoleName::Aide,
        Ok(UserRoleV1p1::Guardian) => RoleName::Guardian,
        Ok(UserRoleV1p1::Parent) => RoleName::Parent,
        Ok(UserRoleV1p1::Proctor) => RoleName::Proctor,
        Ok(UserRoleV1p1::Relative) => RoleName::Relative,
        Ok(UserRoleV1p1::Teacher) => RoleName::Teacher,
        _ => RoleName::Student,
    }
}

/// The entity a row of a rostering file stands for; `None` for other files.
pub fn record_from_row(spec: &FileSpec, version: Version, row: &Row) -> Option<Record> {
    let c = Cells { spec, row };
    let parse = |name: &str| c.text(name);
    Some(match spec.name {
        "orgs.csv" => Record::Org(Org {
            base: c.base(),
            name: c.text("name"),
            org_type: parse("type").parse().ok()?,
            identifier: c.get("identifier"),
            parent: c.get("parentSourcedId"),
            children: vec![],
        }),
        "academicSessions.csv" => Record::AcademicSession(AcademicSession {
            base: c.base(),
            title: c.text("title"),
            start_date: c.date("startDate")?,
            end_date: c.date("endDate")?,
            session_type: parse("type").parse().ok()?,
            parent: c.get("parentSourcedId"),
            children: vec![],
            school_year: c.text("schoolYear"),
        }),
        "courses.csv" => Record::Course(Course {
            base: c.base(),
            title: c.text("title"),
            school_year: c.get("schoolYearSourcedId"),
            course_code: c.get("courseCode"),
            grades: c.list("grades"),
            subjects: c.list("subjects"),
            subject_codes: c.list("subjectCodes"),
            org: c.get("orgSourcedId"),
            resources: vec![],
        }),
        "classes.csv" => Record::Class(Class {
            base: c.base(),
            title: c.text("title"),
            class_code: c.get("classCode"),
            class_type: c.get("classType").and_then(|t| t.parse().ok()),
            location: c.get("location"),
            grades: c.list("grades"),
            subjects: c.list("subjects"),
            course: c.text("courseSourcedId"),
            school: c.text("schoolSourcedId"),
            terms: c.list("termSourcedIds"),
            subject_codes: c.list("subjectCodes"),
            periods: c.list("periods"),
            resources: vec![],
        }),
        "enrollments.csv" => Record::Enrollment(Enrollment {
            base: c.base(),
            user: c.text("userSourcedId"),
            class: c.text("classSourcedId"),
            school: c.text("schoolSourcedId"),
            role: parse("role").parse().ok()?,
            primary: c.boolean("primary"),
            begin_date: c.date("beginDate"),
            end_date: c.date("endDate"),
        }),
        "users.csv" => {
            let roles = if version == Version::V1p1 {
                let role = role_from_v1p1(&c.text("role"));
                c.list("orgSourcedIds")
                    .into_iter()
                    .enumerate()
                    .map(|(i, org)| Role {
                        role_type: if i == 0 { RoleType::Primary } else { RoleType::Secondary },
                        role: role.clone(),
                        org,
                        user_profile: None,
                        begin_date: None,
                        end_date: None,
                    })
                    .collect()
            } else {
                vec![]
            };
            Record::User(User {
                base: c.base(),
                user_master_identifier: c.get("userMasterIdentifier"),
                username: c.get("username"),
                user_ids: c
                    .list("userIds")
                    .iter()
                    .filter_map(|item| {
                        let inner = item.strip_prefix('{')?.strip_suffix('}')?;
                        let (t, id) = inner.split_once(':')?;
                        Some(UserId { id_type: t.to_string(), identifier: id.to_string() })
                    })
                    .collect(),
                enabled_user: c.boolean("enabledUser").unwrap_or(true),
                given_name: c.text("givenName"),
                family_name: c.text("familyName"),
                middle_name: c.get("middleName"),
                preferred_first_name: c.get("preferredGivenName"),
                preferred_middle_name: c.get("preferredMiddleName"),
                preferred_last_name: c.get("preferredFamilyName"),
                pronouns: c.get("pronouns"),
                roles,
                user_profiles: vec![],
                primary_org: c.get("primaryOrgSourcedId"),
                identifier: c.get("identifier"),
                email: c.get("email"),
                sms: c.get("sms"),
                phone: c.get("phone"),
                agents: c.list("agentSourcedIds"),
                grades: c.list("grades"),
                password: c.get("password"),
                resources: c.list("resourceSourcedIds"),
            })
        }
        "roles.csv" => Record::Role(RoleRecord {
            base: c.base(),
            user: c.text("userSourcedId"),
            role: Role {
                role_type: parse("roleType").parse().ok()?,
                role: parse("role").parse().ok()?,
                org: c.text("orgSourcedId"),
                user_profile: c.get("userProfileSourcedId"),
                begin_date: c.date("beginDate"),
                end_date: c.date("endDate"),
            },
        }),
        "userProfiles.csv" => Record::UserProfile(UserProfileRecord {
            base: c.base(),
            user: c.text("userSourcedId"),
            profile: UserProfile {
                profile_id: c.text("sourcedId"),
                profile_type: c.text("profileType"),
                vendor_id: c.text("vendorId"),
                application_id: c.get("applicationId"),
                description: c.get("description"),
                credentials: vec![Credential {
                    credential_type: c.text("credentialType"),
                    username: c.text("username"),
                    password: c.get("password"),
                }],
            },
        }),
        "demographics.csv" => Record::Demographics(Demographics {
            base: c.base(),
            birth_date: c.date("birthDate"),
            sex: c.get("sex").and_then(|s| s.parse().ok()),
            american_indian_or_alaska_native: c.boolean("americanIndianOrAlaskaNative"),
            asian: c.boolean("asian"),
            black_or_african_american: c.boolean("blackOrAfricanAmerican"),
            native_hawaiian_or_other_pacific_islander: c.boolean("nativeHawaiianOrOtherPacificIslander"),
            white: c.boolean("white"),
            demographic_race_two_or_more_races: c.boolean("demographicRaceTwoOrMoreRaces"),
            hispanic_or_latino_ethnicity: c.boolean("hispanicOrLatinoEthnicity"),
            country_of_birth_code: c.get("countryOfBirthCode"),
            state_of_birth_abbreviation: c.get("stateOfBirthAbbreviation"),
            city_of_birth: c.get("cityOfBirth"),
            public_school_residence_status: c.get("publicSchoolResidenceStatus"),
        }),
        _ => return None,
    })
}

/// The row that writes `record` into `spec`'s file. In bulk mode `status` and
/// `dateLastModified` stay blank, as the spec demands.
pub fn record_to_row(record: &Record, spec: &FileSpec, version: Version, mode: Mode) -> Row {
    let mut cells: Vec<(&str, String)> = Vec::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |d: &Option<time::Date>| d.map(format_date).unwrap_or_default();
    let boolean = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
    let base = match record {
        Record::Org(o) => {
            cells.extend([("name", o.name.clone()), ("type", o.org_type.to_string()), ("identifier", opt(&o.identifier)), ("parentSourcedId", opt(&o.parent))]);
            &o.base
        }
        Record::AcademicSession(s) => {
            cells.extend([
                ("title", s.title.clone()),
                ("type", s.session_type.to_string()),
                ("startDate", format_date(s.start_date)),
                ("endDate", format_date(s.end_date)),
                ("parentSourcedId", opt(&s.parent)),
                ("schoolYear", s.school_year.clone()),
            ]);
            &s.base
        }
        Record::Course(x) => {
            cells.extend([
                ("schoolYearSourcedId", opt(&x.school_year)),
                ("title", x.title.clone()),
                ("courseCode", opt(&x.course_code)),
                ("grades", x.grades.join(",")),
                ("orgSourcedId", opt(&x.org)),
                ("subjects", x.subjects.join(",")),
                ("subjectCodes", x.subject_codes.join(",")),
            ]);
            &x.base
        }
        Record::Class(x) => {
            cells.extend([
                ("title", x.title.clone()),
                ("grades", x.grades.join(",")),
                ("courseSourcedId", x.course.clone()),
                ("classCode", opt(&x.class_code)),
                ("classType", x.class_type.as_ref().map(|t| t.to_string()).unwrap_or_default()),
                ("location", opt(&x.location)),
                ("schoolSourcedId", x.school.clone()),
                ("termSourcedIds", x.terms.join(",")),
                ("subjects", x.subjects.join(",")),
                ("subjectCodes", x.subject_codes.join(",")),
                ("periods", x.periods.join(",")),
            ]);
            &x.base
        }
        Record::Enrollment(e) => {
            cells.extend([
                ("classSourcedId", e.class.clone()),
                ("schoolSourcedId", e.school.clone()),
                ("userSourcedId", e.user.clone()),
                ("role", e.role.to_string()),
                ("primary", boolean(e.primary)),
                ("beginDate", date(&e.begin_date)),
                ("endDate", date(&e.end_date)),
            ]);
            &e.base
        }
        Record::User(u) => {
            let ids: Vec<String> = u.user_ids.iter().map(|i| format!("{{{}:{}}}", i.id_type, i.identifier)).collect();
            cells.extend([
                ("enabledUser", u.enabled_user.to_string()),
                ("username", opt(&u.username)),
                ("userIds", ids.join(",")),
                ("givenName", u.given_name.clone()),
                ("familyName", u.family_name.clone()),
                ("middleName", opt(&u.middle_name)),
                ("identifier", opt(&u.identifier)),
                ("email", opt(&u.email)),
                ("sms", opt(&u.sms)),
                ("phone", opt(&u.phone)),
                ("agentSourcedIds", u.agents.join(",")),
                ("grades", u.grades.join(",")),
                ("password", opt(&u.password)),
                ("userMasterIdentifier", opt(&u.user_master_identifier)),
                ("resourceSourcedIds", u.resources.join(",")),
                ("preferredGivenName", opt(&u.preferred_first_name)),
                ("preferredMiddleName", opt(&u.preferred_middle_name)),
                ("preferredFamilyName", opt(&u.preferred_last_name)),
                ("primaryOrgSourcedId", opt(&u.primary_org)),
                ("pronouns", opt(&u.pronouns)),
            ]);
            if version == Version::V1p1 {
                cells.push(("orgSourcedIds", u.role_orgs().join(",")));
                cells.push(("role", u.v1p1_role().map(|r| r.to_string()).unwrap_or_default()));
            }
            &u.base
        }
        Record::Role(r) => {
            cells.extend([
                ("userSourcedId", r.user.clone()),
                ("roleType", r.role.role_type.to_string()),
                ("role", r.role.role.to_string()),
                ("beginDate", date(&r.role.begin_date)),
                ("endDate", date(&r.role.end_date)),
                ("orgSourcedId", r.role.org.clone()),
                ("userProfileSourcedId", opt(&r.role.user_profile)),
            ]);
            &r.base
        }
        Record::UserProfile(p) => {
            let credential = p.profile.credentials.first();
            cells.extend([
                ("userSourcedId", p.user.clone()),
                ("profileType", p.profile.profile_type.clone()),
                ("vendorId", p.profile.vendor_id.clone()),
                ("applicationId", opt(&p.profile.application_id)),
                ("description", opt(&p.profile.description)),
                ("credentialType", credential.map(|c| c.credential_type.clone()).unwrap_or_default()),
                ("username", credential.map(|c| c.username.clone()).unwrap_or_default()),
                ("password", credential.and_then(|c| c.password.clone()).unwrap_or_default()),
            ]);
            &p.base
        }
        Record::Demographics(d) => {
            cells.extend([
                ("birthDate", date(&d.birth_date)),
                ("sex", d.sex.as_ref().map(|s| s.to_string()).unwrap_or_default()),
                ("americanIndianOrAlaskaNative", boolean(d.american_indian_or_alaska_native)),
                ("asian", boolean(d.asian)),
                ("blackOrAfricanAmerican", boolean(d.black_or_african_american)),
                ("nativeHawaiianOrOtherPacificIslander", boolean(d.native_hawaiian_or_other_pacific_islander)),
                ("white", boolean(d.white)),
                ("demographicRaceTwoOrMoreRaces", boolean(d.demographic_race_two_or_more_races)),
                ("hispanicOrLatinoEthnicity", boolean(d.hispanic_or_latino_ethnicity)),
                ("countryOfBirthCode", opt(&d.country_of_birth_code)),
                ("stateOfBirthAbbreviation", opt(&d.state_of_birth_abbreviation)),
                ("cityOfBirth", opt(&d.city_of_birth)),
                ("publicSchoolResidenceStatus", opt(&d.public_school_residence_status)),
            ]);
            &d.base
        }
    };
    let delta = mode == Mode::Delta;
    cells.push(("sourcedId", base.sourced_id.clone()));
    cells.push(("status", if delta { base.status.to_string() } else { String::new() }));
    cells.push((
        "dateLastModified",
        if delta { base.date_last_modified.map(format_datetime).unwrap_or_default() } else { String::new() },
    ));
    let values = spec
        .columns
        .iter()
        .map(|col| cells.iter().find(|(n, _)| *n == col.name).map(|(_, v)| v.clone()).unwrap_or_default())
        .collect();
    let mut metadata = Vec::new();
    flatten_metadata(&base.metadata, "", &mut metadata);
    Row { line: 0, values, metadata }
}
