//! JSON shapes of each entity, field by field in the order of the 1.2 OpenAPI document.
//!
//! 1.2 → 1.1 for users (what a 1.1 client does not get): `role` is the primary role's role (or
//! the first role's) mapped by [`RoleName::to_v1p1`]; `orgs` are the distinct orgs of all roles.
//! Dropped: `userMasterIdentifier`, `preferred*Name`, `pronouns`, role types, dates and profiles,
//! `userProfiles`, `primaryOrg`, `resources`. Demographics: `sex` values other than male/female
//! are left out in 1.1.
//!
//! 1.1 → canonical for users: one role per org in `orgs`, the first `primary`, the role mapped
//! up (`administrator` becomes `siteAdministrator`, which maps back to `administrator`).

use serde_json::Value;

use super::{
    obj::{Reader, Slot, Writer},
    JsonContext, JsonError,
};
use crate::{
    query::Selection,
    model::{
        entity::*,
        vocab::{ClassType, EnrollmentRole, OrgType, SessionType, Sex},
    },
    Version,
};

/// An entity that has a JSON form in both versions.
pub trait JsonEntity: Sized {
    /// The single-record envelope key (`user`).
    const SINGULAR: &'static str;
    /// The collection envelope key (`users`).
    const COLLECTION: &'static str;
    /// The object as `version` shows it.
    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value;
    /// The same object written straight to `out` as JSON text (no [`Value`] is built; for
    /// large responses), with only the members `fields` selects (all without one).
    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>);
    /// Reads an object of `version`; `path` names it in errors. Unknown fields come back as
    /// warnings.
    fn from_json(value: &Value, version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError>;
}

macro_rules! finish_read {
    ($reader:ident, $value:expr) => {{
        let warnings = $reader.unknown_fields();
        Ok(($value, warnings))
    }};
}

impl JsonEntity for Org {
    const SINGULAR: &'static str = "org";
    const COLLECTION: &'static str = "orgs";

    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        let mut w = Writer::new(&self.base, version, ctx);
        self.fields(&mut w);
        w.finish()
    }

    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        let mut w = Writer::text(&self.base, version, ctx, out, fields);
        self.fields(&mut w);
        w.end();
    }

    fn from_json(value: &Value, _version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let org = Org {
            base: r.base()?,
            name: r.str("name")?,
            org_type: r.req_vocab("type", OrgType::parse)?,
            // written as "" when unknown (required in 1.2), so "" reads back as unknown
            identifier: r.opt_str("identifier")?.filter(|s| !s.is_empty()),
            parent: r.guid("parent")?,
            children: r.guids("children")?,
        };
        finish_read!(r, org)
    }
}

impl JsonEntity for AcademicSession {
    const SINGULAR: &'static str = "academicSession";
    const COLLECTION: &'static str = "academicSessions";

    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        let mut w = Writer::new(&self.base, version, ctx);
        self.fields(&mut w);
        w.finish()
    }

    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        let mut w = Writer::text(&self.base, version, ctx, out, fields);
        self.fields(&mut w);
        w.end();
    }

    fn from_json(value: &Value, _version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let s = AcademicSession {
            base: r.base()?,
            title: r.str("title")?,
            start_date: r.date("startDate")?,
            end_date: r.date("endDate")?,
            session_type: r.req_vocab("type", SessionType::parse)?,
            parent: r.guid("parent")?,
            children: r.guids("children")?,
            school_year: r.str("schoolYear")?,
        };
        finish_read!(r, s)
    }
}

impl JsonEntity for Course {
    const SINGULAR: &'static str = "course";
    const COLLECTION: &'static str = "courses";

    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        let mut w = Writer::new(&self.base, version, ctx);
        self.fields(&mut w);
        w.finish()
    }

    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        let mut w = Writer::text(&self.base, version, ctx, out, fields);
        self.fields(&mut w);
        w.end();
    }

    fn from_json(value: &Value, _version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let c = Course {
            base: r.base()?,
            title: r.str("title")?,
            school_year: r.guid("schoolYear")?,
            course_code: r.opt_str("courseCode")?.filter(|s| !s.is_empty()),
            grades: r.list("grades")?,
            subjects: r.list("subjects")?,
            subject_codes: r.list("subjectCodes")?,
            org: r.guid("org")?,
            resources: r.guids("resources")?,
        };
        finish_read!(r, c)
    }
}

impl JsonEntity for Class {
    const SINGULAR: &'static str = "class";
    const COLLECTION: &'static str = "classes";

    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        let mut w = Writer::new(&self.base, version, ctx);
        self.fields(&mut w);
        w.finish()
    }

    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        let mut w = Writer::text(&self.base, version, ctx, out, fields);
        self.fields(&mut w);
        w.end();
    }

    fn from_json(value: &Value, _version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let c = Class {
            base: r.base()?,
            title: r.str("title")?,
            class_code: r.opt_str("classCode")?,
            class_type: r.vocab("classType", ClassType::parse)?,
            location: r.opt_str("location")?,
            grades: r.list("grades")?,
            subjects: r.list("subjects")?,
            course: r.req_guid("course")?,
            school: r.req_guid("school")?,
            terms: r.guids("terms")?,
            subject_codes: r.list("subjectCodes")?,
            periods: r.list("periods")?,
            resources: r.guids("resources")?,
        };
        if c.terms.is_empty() {
            return r.err("terms", "needs at least one term");
        }
        finish_read!(r, c)
    }
}

impl JsonEntity for Enrollment {
    const SINGULAR: &'static str = "enrollment";
    const COLLECTION: &'static str = "enrollments";

    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        let mut w = Writer::new(&self.base, version, ctx);
        self.fields(&mut w);
        w.finish()
    }

    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        let mut w = Writer::text(&self.base, version, ctx, out, fields);
        self.fields(&mut w);
        w.end();
    }

    fn from_json(value: &Value, _version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let e = Enrollment {
            base: r.base()?,
            user: r.req_guid("user")?,
            class: r.req_guid("class")?,
            school: r.req_guid("school")?,
            role: r.req_vocab("role", EnrollmentRole::parse)?,
            primary: r.opt_bool("primary")?,
            begin_date: r.opt_date("beginDate")?,
            end_date: r.opt_date("endDate")?,
        };
        finish_read!(r, e)
    }
}

impl JsonEntity for Demographics {
    const SINGULAR: &'static str = "demographics";
    const COLLECTION: &'static str = "demographics";

    fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        let mut w = Writer::new(&self.base, version, ctx);
        self.fields(&mut w);
        w.finish()
    }

    fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        let mut w = Writer::text(&self.base, version, ctx, out, fields);
        self.fields(&mut w);
        w.end();
    }

    fn from_json(value: &Value, _version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let d = Demographics {
            base: r.base()?,
            birth_date: r.opt_date("birthDate")?,
            sex: r.vocab("sex", Sex::parse)?,
            american_indian_or_alaska_native: r.opt_bool("americanIndianOrAlaskaNative")?,
            asian: r.opt_bool("asian")?,
            black_or_african_american: r.opt_bool("blackOrAfricanAmerican")?,
            native_hawaiian_or_other_pacific_islander: r.opt_bool("nativeHawaiianOrOtherPacificIslander")?,
            white: r.opt_bool("white")?,
            demographic_race_two_or_more_races: r.opt_bool("demographicRaceTwoOrMoreRaces")?,
            hispanic_or_latino_ethnicity: r.opt_bool("hispanicOrLatinoEthnicity")?,
            country_of_birth_code: r.opt_str("countryOfBirthCode")?,
            state_of_birth_abbreviation: r.opt_str("stateOfBirthAbbreviation")?,
            city_of_birth: r.opt_str("cityOfBirth")?,
            public_school_residence_status: r.opt_str("publicSchoolResidenceStatus")?,
        };
        finish_read!(r, d)
    }
}

impl Org {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        let version = w.version;
        w.str("name", &self.name);
        w.str("type", self.org_type.as_str());
        match (&self.identifier, version) {
            (Some(id), _) => w.str("identifier", id),
            (None, Version::V1p2) => w.str("identifier", ""),
            (None, Version::V1p1) => {}
        }
        w.guid("parent", Slot::Org, self.parent.as_ref());
        w.guids("children", Slot::Org, &self.children);
    }
}

impl AcademicSession {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        w.str("title", &self.title);
        w.opt_date("startDate", Some(self.start_date));
        w.opt_date("endDate", Some(self.end_date));
        w.str("type", self.session_type.as_str());
        w.guid("parent", Slot::AcademicSession, self.parent.as_ref());
        w.guids("children", Slot::AcademicSession, &self.children);
        w.str("schoolYear", &self.school_year);
    }
}

impl Course {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        let version = w.version;
        w.str("title", &self.title);
        w.guid("schoolYear", Slot::AcademicSession, self.school_year.as_ref());
        match (&self.course_code, version) {
            (Some(code), _) => w.str("courseCode", code),
            (None, Version::V1p2) => w.str("courseCode", ""),
            (None, Version::V1p1) => {}
        }
        w.list("grades", &self.grades);
        w.list("subjects", &self.subjects);
        w.guid("org", Slot::Org, self.org.as_ref());
        w.list("subjectCodes", &self.subject_codes);
        w.guids("resources", Slot::Resource, &self.resources);
    }
}

impl Class {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        w.str("title", &self.title);
        w.opt_str("classCode", self.class_code.as_ref());
        if let Some(t) = &self.class_type {
            w.str("classType", t.as_str());
        }
        w.opt_str("location", self.location.as_ref());
        w.list("grades", &self.grades);
        w.list("subjects", &self.subjects);
        w.guid("course", Slot::Course, Some(&self.course));
        w.guid("school", Slot::School, Some(&self.school));
        w.guids("terms", Slot::Term, &self.terms);
        w.list("subjectCodes", &self.subject_codes);
        w.list("periods", &self.periods);
        w.guids("resources", Slot::Resource, &self.resources);
    }
}

impl Enrollment {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        w.guid("user", Slot::User, Some(&self.user));
        w.guid("class", Slot::Class, Some(&self.class));
        w.guid("school", Slot::School, Some(&self.school));
        w.str("role", self.role.as_str());
        w.opt_bool("primary", self.primary);
        w.opt_date("beginDate", self.begin_date);
        w.opt_date("endDate", self.end_date);
    }
}

impl Demographics {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        let version = w.version;
        w.opt_date("birthDate", self.birth_date);
        if let Some(sex) = self.sex.as_ref().filter(|s| version == Version::V1p2 || s.in_v1p1()) {
            w.str("sex", sex.as_str());
        }
        w.opt_bool("americanIndianOrAlaskaNative", self.american_indian_or_alaska_native);
        w.opt_bool("asian", self.asian);
        w.opt_bool("blackOrAfricanAmerican", self.black_or_african_american);
        w.opt_bool("nativeHawaiianOrOtherPacificIslander", self.native_hawaiian_or_other_pacific_islander);
        w.opt_bool("white", self.white);
        w.opt_bool("demographicRaceTwoOrMoreRaces", self.demographic_race_two_or_more_races);
        w.opt_bool("hispanicOrLatinoEthnicity", self.hispanic_or_latino_ethnicity);
        w.opt_str("countryOfBirthCode", self.country_of_birth_code.as_ref());
        w.opt_str("stateOfBirthAbbreviation", self.state_of_birth_abbreviation.as_ref());
        w.opt_str("cityOfBirth", self.city_of_birth.as_ref());
        w.opt_str("publicSchoolResidenceStatus", self.public_school_residence_status.as_ref());
    }
}
