//! What can be filtered, sorted and selected on a resource.

/// The type of a filterable field, which decides how a filter value is read and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text (compared exactly; `~` is a case-insensitive substring test).
    Text,
    /// One of the listed tokens (1.2 also allows `ext:` extension tokens where the spec does).
    Enum { values: &'static [&'static str], extensible: bool },
    /// `YYYY-MM-DD`.
    Date,
    /// ISO 8601 date-time in UTC (a plain date is read as its midnight).
    DateTime,
    /// `'true'` or `'false'`.
    Boolean,
    /// A whole number written as text (e.g. `schoolYear`).
    Integer,
}

/// One field (possibly a dotted path into a sub-object or reference) of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// The dotted path as clients write it (`sourcedId`, `school.sourcedId`, `roles.role`).
    pub path: &'static str,
    pub kind: FieldKind,
    /// Whether the field holds several values (a match on any one counts).
    pub many: bool,
}

/// The field list of one resource as the query language sees it.
#[derive(Clone, Copy, Debug)]
pub struct ResourceFields {
    /// The resource's name in messages (`users`, `classes`).
    pub resource: &'static str,
    /// Every filterable/sortable path.
    pub fields: &'static [FieldDef],
    /// Top-level property names that `fields=` may select (includes objects and arrays that
    /// are not filterable as a whole).
    pub selectable: &'static [&'static str],
}

impl ResourceFields {
    /// The definition of a dotted path, if the resource has it.
    pub fn field(&self, path: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.path == path)
    }

    /// Whether `name` is a top-level property that `fields=` can select.
    pub fn is_selectable(&self, name: &str) -> bool {
        self.selectable.contains(&name)
    }
}
