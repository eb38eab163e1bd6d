//! `limit`/`offset`, `sort`/`orderBy` and `fields`.

use super::{fields::ResourceFields, ErrorCode, QueryError, QueryLimits, QueryWarning};

/// Which page to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub limit: u32,
    pub offset: u64,
}

impl Paging {
    /// Reads `limit` and `offset` (absent means the defaults). Zero, negative, non-numeric or
    /// oversized values are refused with a message naming the parameter.
    pub fn parse(limit: Option<&str>, offset: Option<&str>, limits: &QueryLimits) -> Result<Paging, QueryError> {
        let limit = match limit {
            None => limits.default_limit,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(n) if n >= 1 && n <= u64::from(limits.max_limit) => n as u32,
                _ => {
                    return Err(QueryError::data(format!(
                        "limit: `{raw}` is not a page size; use a whole number from 1 to {}",
                        limits.max_limit
                    )))
                }
            },
        };
        let offset = match offset {
            None => 0,
            Some(raw) => raw.trim().parse::<u64>().ok().filter(|n| *n <= i64::MAX as u64).ok_or_else(|| {
                QueryError::data(format!("offset: `{raw}` is not a position; use a whole number from 0"))
            })?,
        };
        Ok(Paging { limit, offset })
    }
}

/// Sort direction (`orderBy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// A requested sort on one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static super::FieldDef,
    pub direction: Direction,
}

impl Sort {
    /// Reads `sort` and `orderBy`. An unknown or multi-valued sort field is ignored with a
    /// warning (the default order applies); a bad `orderBy` is refused.
    pub fn parse(
        sort: Option<&str>,
        order_by: Option<&str>,
        resource: &ResourceFields,
    ) -> Result<(Option<Sort>, Vec<QueryWarning>), QueryError> {
        let direction = match order_by.map(str::trim) {
            None | Some("") | Some("asc") => Direction::Asc,
            Some("desc") => Direction::Desc,
            Some(other) => {
                return Err(QueryError::data(format!("orderBy: `{other}` is not a direction; use asc or desc")))
            }
        };
        let Some(name) = sort.map(str::trim).filter(|s| !s.is_empty()) else { return Ok((None, vec![])) };
        match resource.field(name).filter(|f| !f.many) {
            Some(field) => Ok((Some(Sort { field, direction }), vec![])),
            None => Ok((
                None,
                vec![QueryWarning {
                    code: ErrorCode::InvalidSortField,
                    message: format!("sort: `{name}` is not a field of {} that can be sorted; default order used", resource.resource),
                }],
            )),
        }
    }
}

/// Which top-level properties to return (`fields`); empty means all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub fields: Vec<&'static str>,
}

impl Selection {
    /// Reads every `fields` parameter (each comma-separated). Unknown names are ignored with a
    /// warning; when nothing known remains, all fields are returned.
    pub fn parse<'a>(params: impl IntoIterator<Item = &'a str>, resource: &ResourceFields) -> (Selection, Vec<QueryWarning>) {
        let mut fields: Vec<&'static str> = Vec::new();
        let mut unknown = Vec::new();
        for name in params.into_iter().flat_map(|p| p.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
            match resource.selectable.iter().find(|s| **s == name) {
                Some(known) if !fields.contains(known) => fields.push(known),
                Some(_) => {}
                None => unknown.push(name.to_string()),
            }
        }
        let warnings = if unknown.is_empty() {
            vec![]
        } else {
            vec![QueryWarning {
                code: ErrorCode::InvalidSelectionField,
                message: format!("fields: {} not a field of {}; ignored", quote_list(&unknown), resource.resource),
            }]
        };
        (Selection { fields }, warnings)
    }

    /// Whether the property is part of the response.
    pub fn includes(&self, name: &str) -> bool {
        self.fields.is_empty() || self.fields.contains(&name)
    }
}

fn quote_list(names: &[String]) -> String {
    let quoted: Vec<_> = names.iter().map(|n| format!("`{n}`")).collect();
    if quoted.len() == 1 {
        format!("{} is", quoted[0])
    } else {
        format!("{} are", quoted.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{FieldDef, FieldKind};

    static CLASSES: ResourceFields = ResourceFields {
        resource: "classes",
        fields: &[
            FieldDef { path: "title", kind: FieldKind::Text, many: false },
            FieldDef { path: "grades", kind: FieldKind::Text, many: true },
        ],
        selectable: &["sourcedId", "title", "grades", "school"],
    };

    #[test]
    fn paging_defaults_and_bounds() {
        let l = QueryLimits::default();
        assert_eq!(Paging::parse(None, None, &l).unwrap(), Paging { limit: 100, offset: 0 });
        assert_eq!(Paging::parse(Some("7"), Some("14"), &l).unwrap(), Paging { limit: 7, offset: 14 });
        assert_eq!(Paging::parse(Some("1000"), None, &l).unwrap().limit, 1000);
        for bad in ["0", "-1", "abc", "99999999999999999999", "1001", "", "1.5"] {
            let err = Paging::parse(Some(bad), None, &l).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidData, "{bad}");
            assert_eq!(err.message, format!("limit: `{bad}` is not a page size; use a whole number from 1 to 1000"));
        }
        for bad in ["-1", "abc", "99999999999999999999"] {
            assert_eq!(
                Paging::parse(None, Some(bad), &l).unwrap_err().message,
                format!("offset: `{bad}` is not a position; use a whole number from 0")
            );
        }
    }

    #[test]
    fn sort_known_unknown_and_direction() {
        let (s, w) = Sort::parse(Some("title"), Some("desc"), &CLASSES).unwrap();
        assert_eq!(s.unwrap().field.path, "title");
        assert_eq!(s.unwrap().direction, Direction::Desc);
        assert!(w.is_empty());
        let (s, w) = Sort::parse(Some("nope"), None, &CLASSES).unwrap();
        assert_eq!(s, None);
        assert_eq!(w[0].code, ErrorCode::InvalidSortField);
        assert_eq!(w[0].message, "sort: `nope` is not a field of classes that can be sorted; default order used");
        assert_eq!(Sort::parse(Some("grades"), None, &CLASSES).unwrap().0, None, "lists do not sort");
        assert_eq!(
            Sort::parse(Some("title"), Some("down"), &CLASSES).unwrap_err().message,
            "orderBy: `down` is not a direction; use asc or desc"
        );
    }

    #[test]
    fn selection_accepts_both_forms_and_ignores_unknown() {
        let (sel, w) = Selection::parse(["sourcedId,title", "school", "title"], &CLASSES);
        assert_eq!(sel.fields, vec!["sourcedId", "title", "school"]);
        assert!(w.is_empty());
        assert!(sel.includes("title") && !sel.includes("grades"));
        let (sel, w) = Selection::parse(["title,bogus,worse"], &CLASSES);
        assert_eq!(sel.fields, vec!["title"]);
        assert_eq!(w[0].code, ErrorCode::InvalidSelectionField);
        assert_eq!(w[0].message, "fields: `bogus`, `worse` are not a field of classes; ignored");
        let (sel, _) = Selection::parse([""], &CLASSES);
        assert!(sel.includes("anything"), "blank selects all");
    }
}
