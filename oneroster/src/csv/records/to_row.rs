//! Entities → rows.

use super::{flatten_metadata, Record};
use crate::{
    csv::{FileSpec, Mode, Row},
    model::{format_date, format_datetime},
    Version,
};

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
                // 1.1 knows only male and female; other values stay blank there, as in 1.1 JSON.
                ("sex", d.sex.as_ref().filter(|s| version == Version::V1p2 || s.in_v1p1()).map(|s| s.to_string()).unwrap_or_default()),
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
