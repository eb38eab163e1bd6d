//! Checking a parsed filter against a resource's fields, and typing its values.

use time::{format_description::well_known::Rfc3339, macros::format_description, Date, OffsetDateTime};

use super::{
    fields::{FieldDef, FieldKind, ResourceFields},
    filter::{Filter, Op},
    QueryError,
};

/// A filter value read as its field's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedValue {
    Text(String),
    Date(Date),
    DateTime(OffsetDateTime),
    Boolean(bool),
    Integer(i64),
}

/// A predicate whose field exists on the resource and whose value has the field's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedPredicate {
    pub field: &'static FieldDef,
    pub op: Op,
    pub value: TypedValue,
}

/// A filter checked against one resource; the store translates this, never raw text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedFilter {
    /// Disjunctive form, as in [`Filter::any_of`].
    pub any_of: Vec<Vec<CheckedPredicate>>,
}

impl Filter {
    /// Checks every predicate against `resource`: the field must exist, the operator must suit
    /// its type and the value must read as that type.
    pub fn check(&self, resource: &ResourceFields) -> Result<CheckedFilter, QueryError> {
        let any_of = self
            .any_of
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|p| {
                        let path = p.field.dotted();
                        let field = resource.field(&path).ok_or_else(|| {
                            QueryError::filter(format!("filter: `{path}` is not a field of {} that can be filtered", resource.resource))
                        })?;
                        let value = typed(field, p.op, &p.value)?;
                        Ok(CheckedPredicate { field, op: p.op, value })
                    })
                    .collect::<Result<Vec<_>, QueryError>>()
            })
            .collect::<Result<Vec<_>, QueryError>>()?;
        Ok(CheckedFilter { any_of })
    }
}

fn typed(field: &FieldDef, op: Op, raw: &str) -> Result<TypedValue, QueryError> {
    let path = field.path;
    let refuse = |expected: &str| {
        Err(QueryError::filter(format!("filter: `{raw}` is not a valid value for `{path}`; expected {expected}")))
    };
    if op == Op::Contains && !matches!(field.kind, FieldKind::Text | FieldKind::Enum { .. }) {
        return Err(QueryError::filter(format!("filter: `~` (contains) does not apply to `{path}`; use =, !=, <, <=, > or >=")));
    }
    match field.kind {
        FieldKind::Text => Ok(TypedValue::Text(raw.to_string())),
        FieldKind::Enum { values, extensible } => {
            let ok = op == Op::Contains
                || values.contains(&raw)
                || (extensible && raw.strip_prefix("ext:").is_some_and(is_ext_token));
            if ok {
                Ok(TypedValue::Text(raw.to_string()))
            } else {
                refuse(&format!("one of {}", values.join(", ")))
            }
        }
        FieldKind::Date => match Date::parse(raw, format_description!("[year]-[month]-[day]")) {
            Ok(d) => Ok(TypedValue::Date(d)),
            Err(_) => refuse("a date such as 2025-09-01"),
        },
        FieldKind::DateTime => {
            if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
                Ok(TypedValue::DateTime(t))
            } else if let Ok(d) = Date::parse(raw, format_description!("[year]-[month]-[day]")) {
                Ok(TypedValue::DateTime(d.midnight().assume_utc()))
            } else {
                refuse("a date and time such as 2025-09-01T00:00:00.000Z")
            }
        }
        FieldKind::Boolean => match raw {
            "true" | "TRUE" | "True" => Ok(TypedValue::Boolean(true)),
            "false" | "FALSE" | "False" => Ok(TypedValue::Boolean(false)),
            _ => refuse("true or false"),
        },
        FieldKind::Integer => match raw.parse::<i64>() {
            Ok(n) => Ok(TypedValue::Integer(n)),
            Err(_) => refuse("a whole number"),
        },
    }
}

fn is_ext_token(rest: &str) -> bool {
    !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{ErrorCode, QueryLimits};
    use time::macros::{date, datetime};

    static USERS: ResourceFields = ResourceFields {
        resource: "users",
        fields: &[
            FieldDef { path: "sourcedId", kind: FieldKind::Text, many: false },
            FieldDef { path: "status", kind: FieldKind::Enum { values: &["active", "tobedeleted"], extensible: false }, many: false },
            FieldDef { path: "dateLastModified", kind: FieldKind::DateTime, many: false },
            FieldDef { path: "enabledUser", kind: FieldKind::Boolean, many: false },
            FieldDef { path: "roles.role", kind: FieldKind::Enum { values: &["student", "teacher"], extensible: true }, many: true },
            FieldDef { path: "birthDate", kind: FieldKind::Date, many: false },
        ],
        selectable: &["sourcedId", "status", "dateLastModified", "enabledUser", "roles", "birthDate"],
    };

    fn check(s: &str) -> Result<CheckedFilter, QueryError> {
        Filter::parse(s, &QueryLimits::default()).unwrap().check(&USERS)
    }

    #[test]
    fn values_are_typed_by_field() {
        let f = check("dateLastModified>'2025-09-01T00:00:00.000Z' AND enabledUser='true'").unwrap();
        assert_eq!(f.any_of[0][0].value, TypedValue::DateTime(datetime!(2025-09-01 0:00 UTC)));
        assert_eq!(f.any_of[0][1].value, TypedValue::Boolean(true));
        let f = check("dateLastModified>'2025-09-01'").unwrap();
        assert_eq!(f.any_of[0][0].value, TypedValue::DateTime(datetime!(2025-09-01 0:00 UTC)));
        assert_eq!(check("birthDate<'2010-01-31'").unwrap().any_of[0][0].value, TypedValue::Date(date!(2010 - 01 - 31)));
        assert!(check("roles.role='ext:coach'").is_ok());
        assert!(check("status~'act'").is_ok());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_invalid_filter_field() {
        let err = check("foo='x'").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidFilterField);
        assert_eq!(err.message, "filter: `foo` is not a field of users that can be filtered");
        assert_eq!(
            check("status='gone'").unwrap_err().message,
            "filter: `gone` is not a valid value for `status`; expected one of active, tobedeleted"
        );
        assert_eq!(
            check("dateLastModified>'yesterday'").unwrap_err().message,
            "filter: `yesterday` is not a valid value for `dateLastModified`; expected a date and time such as 2025-09-01T00:00:00.000Z"
        );
        assert_eq!(
            check("enabledUser~'tr'").unwrap_err().message,
            "filter: `~` (contains) does not apply to `enabledUser`; use =, !=, <, <=, > or >="
        );
        assert!(check("status='ext:x'").is_err(), "status takes no extensions");
        assert!(check("roles.role='ext:'").is_err());
    }
}
