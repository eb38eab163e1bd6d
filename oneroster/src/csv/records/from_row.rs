//! Rows → entities.

use super::{Cells, Record, RoleRecord, UserProfileRecord};
use crate::{
    csv::{FileSpec, Row},
    model::{entity::*, RoleName, RoleType, UserRoleV1p1},
    Version,
};

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

