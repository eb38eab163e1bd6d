//! Users: 1.2 `roles[]` and 1.1 `role` + `orgs[]` (mapping documented in [`super::entities`]).

use serde_json::Value;

use super::{
    entities::JsonEntity,
    obj::{Reader, Slot, Writer},
    JsonContext, JsonError,
};
use crate::{
    query::Selection,
    model::{
        entity::*,
        vocab::{RoleName, RoleType, UserRoleV1p1},
    },
    Version,
};

/// The 1.2 role a 1.1 user role stands for.
fn role_from_v1p1(role: &UserRoleV1p1) -> RoleName {
    match role {
        UserRoleV1p1::Administrator => RoleName::SiteAdministrator,
        UserRoleV1p1::Aide => RoleName::Aide,
        UserRoleV1p1::Guardian => RoleName::Guardian,
        UserRoleV1p1::Parent => RoleName::Parent,
        UserRoleV1p1::Proctor => RoleName::Proctor,
        UserRoleV1p1::Relative => RoleName::Relative,
        UserRoleV1p1::Student => RoleName::Student,
        UserRoleV1p1::Teacher => RoleName::Teacher,
        UserRoleV1p1::Ext(_) => RoleName::Student,
    }
}

impl User {
    /// The single 1.1 `role`: the primary role's, else the first role's that maps down.
    pub fn v1p1_role(&self) -> Option<UserRoleV1p1> {
        let primary = self.roles.iter().filter(|r| r.role_type == RoleType::Primary);
        primary.chain(self.roles.iter()).find_map(|r| r.role.to_v1p1())
    }

    /// The distinct orgs of all roles, in order (1.1 `orgs`).
    pub fn role_orgs(&self) -> Vec<String> {
        let mut orgs: Vec<String> = Vec::new();
        for r in &self.roles {
            if !orgs.contains(&r.org) {
                orgs.push(r.org.clone());
            }
        }
        orgs
    }
}

impl JsonEntity for User {
    const SINGULAR: &'static str = "user";
    const COLLECTION: &'static str = "users";

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

    fn from_json(value: &Value, version: Version, path: &str) -> Result<(Self, Vec<String>), JsonError> {
        let mut r = Reader::new(value, path)?;
        let base = r.base()?;
        let roles = match version {
            Version::V1p2 => r.objects("roles", |o| {
                Ok(Role {
                    role_type: o.req_vocab("roleType", RoleType::parse)?,
                    role: o.req_vocab("role", RoleName::parse)?,
                    org: o.req_guid("org")?,
                    user_profile: o.opt_str("userProfile")?,
                    begin_date: o.opt_date("beginDate")?,
                    end_date: o.opt_date("endDate")?,
                })
            })?,
            Version::V1p1 => {
                let role = r.req_vocab("role", UserRoleV1p1::parse)?;
                let orgs = r.guids("orgs")?;
                orgs.into_iter()
                    .enumerate()
                    .map(|(i, org)| Role {
                        role_type: if i == 0 { RoleType::Primary } else { RoleType::Secondary },
                        role: role_from_v1p1(&role),
                        org,
                        user_profile: None,
                        begin_date: None,
                        end_date: None,
                    })
                    .collect()
            }
        };
        if roles.is_empty() {
            let key = if version == Version::V1p2 { "roles" } else { "orgs" };
            return r.err(key, "needs at least one entry");
        }
        let user = User {
            base,
            user_master_identifier: r.opt_str("userMasterIdentifier")?,
            username: r.opt_str("username")?.filter(|s| !s.is_empty()),
            user_ids: r.objects("userIds", |o| Ok(UserId { id_type: o.str("type")?, identifier: o.str("identifier")? }))?,
            enabled_user: r.opt_bool("enabledUser")?.map_or_else(|| r.err("enabledUser", "is required"), Ok)?,
            given_name: r.str("givenName")?,
            family_name: r.str("familyName")?,
            middle_name: r.opt_str("middleName")?,
            preferred_first_name: r.opt_str("preferredFirstName")?,
            preferred_middle_name: r.opt_str("preferredMiddleName")?,
            preferred_last_name: r.opt_str("preferredLastName")?,
            pronouns: r.opt_str("pronouns")?,
            roles,
            user_profiles: r.objects("userProfiles", |o| {
                Ok(UserProfile {
                    profile_id: o.str("profileId")?,
                    profile_type: o.str("profileType")?,
                    vendor_id: o.str("vendorId")?,
                    application_id: o.opt_str("applicationId")?,
                    description: o.opt_str("description")?,
                    credentials: o.objects("credentials", |c| {
                        Ok(Credential { credential_type: c.str("type")?, username: c.str("username")?, password: c.opt_str("password")? })
                    })?,
                })
            })?,
            primary_org: r.guid("primaryOrg")?,
            identifier: r.opt_str("identifier")?,
            email: r.opt_str("email")?,
            sms: r.opt_str("sms")?,
            phone: r.opt_str("phone")?,
            agents: r.guids("agents")?,
            grades: r.list("grades")?,
            password: r.opt_str("password")?,
            resources: r.guids("resources")?,
        };
        let warnings = r.unknown_fields();
        Ok((user, warnings))
    }
}

fn role_json(w: &Writer<'_>, r: &Role) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("roleType".into(), r.role_type.as_str().into());
    m.insert("role".into(), r.role.as_str().into());
    m.insert("org".into(), w.guid_value(Slot::Org, &r.org));
    if let Some(p) = &r.user_profile {
        m.insert("userProfile".into(), p.as_str().into());
    }
    if let Some(d) = r.begin_date {
        m.insert("beginDate".into(), crate::model::format_date(d).into());
    }
    if let Some(d) = r.end_date {
        m.insert("endDate".into(), crate::model::format_date(d).into());
    }
    Value::Object(m)
}

fn profile_json(p: &UserProfile) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("profileId".into(), p.profile_id.as_str().into());
    m.insert("profileType".into(), p.profile_type.as_str().into());
    m.insert("vendorId".into(), p.vendor_id.as_str().into());
    if let Some(a) = &p.application_id {
        m.insert("applicationId".into(), a.as_str().into());
    }
    if let Some(d) = &p.description {
        m.insert("description".into(), d.as_str().into());
    }
    if !p.credentials.is_empty() {
        let creds = p.credentials.iter().map(|c| {
            let mut cm = serde_json::Map::new();
            cm.insert("type".into(), c.credential_type.as_str().into());
            cm.insert("username".into(), c.username.as_str().into());
            if let Some(pw) = &c.password {
                cm.insert("password".into(), pw.as_str().into());
            }
            Value::Object(cm)
        });
        m.insert("credentials".into(), Value::Array(creds.collect()));
    }
    Value::Object(m)
}

impl User {
    /// The object's members after the common ones, in spec order.
    fn fields(&self, w: &mut Writer<'_>) {
        let version = w.version;
        let v12 = version == Version::V1p2;
        if v12 {
            w.opt_str("userMasterIdentifier", self.user_master_identifier.as_ref());
        }
        match (&self.username, v12) {
            (Some(u), _) => w.str("username", u),
            (None, false) => w.str("username", ""),
            (None, true) => {}
        }
        if !self.user_ids.is_empty() {
            let ids = self.user_ids.iter().map(|u| serde_json::json!({"type": u.id_type, "identifier": u.identifier}));
            w.value("userIds", Value::Array(ids.collect()));
        }
        w.boolean("enabledUser", self.enabled_user);
        w.str("givenName", &self.given_name);
        w.str("familyName", &self.family_name);
        w.opt_str("middleName", self.middle_name.as_ref());
        if v12 {
            w.opt_str("preferredFirstName", self.preferred_first_name.as_ref());
            w.opt_str("preferredMiddleName", self.preferred_middle_name.as_ref());
            w.opt_str("preferredLastName", self.preferred_last_name.as_ref());
            w.opt_str("pronouns", self.pronouns.as_ref());
            let roles: Vec<Value> = self.roles.iter().map(|r| role_json(w, r)).collect();
            w.value("roles", Value::Array(roles));
            if !self.user_profiles.is_empty() {
                let profiles = self.user_profiles.iter().map(profile_json).collect();
                w.value("userProfiles", Value::Array(profiles));
            }
            w.guid("primaryOrg", Slot::Org, self.primary_org.as_ref());
        } else {
            if let Some(role) = self.v1p1_role() {
                w.str("role", role.as_str());
            }
            w.guids("orgs", Slot::Org, &self.role_orgs());
        }
        w.opt_str("identifier", self.identifier.as_ref());
        w.opt_str("email", self.email.as_ref());
        w.opt_str("sms", self.sms.as_ref());
        w.opt_str("phone", self.phone.as_ref());
        w.guids("agents", Slot::User, &self.agents);
        w.list("grades", &self.grades);
        w.opt_str("password", self.password.as_ref());
        if v12 {
            w.guids("resources", Slot::Resource, &self.resources);
        }
    }
}
