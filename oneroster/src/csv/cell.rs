//! Checks shared by the cells of every file: lists, sourcedIds, vocabularies.

use super::{Diagnostics, Vocab};
use crate::model::{ClassType, EnrollmentRole, OrgType, RoleName, RoleType, SessionType, Sex, UserRoleV1p1, VocabError};

/// Where a cell's diagnostics go.
pub(crate) struct Cell<'a> {
    pub diags: &'a mut Diagnostics,
    pub file: &'static str,
    pub line: u64,
    pub field: &'static str,
}

impl Cell<'_> {
    pub fn warn(&mut self, message: String) {
        self.diags.warning(self.file, Some(self.line), Some(self.field), message);
    }
    pub fn fail(&mut self, message: String) {
        self.diags.error(self.file, Some(self.line), Some(self.field), message);
    }
}

/// Splits a multi-value cell; empty items are errors, spaces around items warnings.
pub(crate) fn split_list(text: &str, cell: &mut Cell<'_>) -> Vec<String> {
    let mut items = Vec::new();
    let mut spaced = false;
    for item in text.split(',') {
        let trimmed = item.trim();
        if trimmed.is_empty() {
            cell.fail(format!("`{text}` has an empty item; write values as a,b,c"));
            continue;
        }
        spaced |= trimmed.len() != item.len();
        items.push(trimmed.to_string());
    }
    if spaced {
        cell.warn(format!("`{text}` has spaces around items; read as `{}`", items.join(",")));
    }
    items
}

/// A sourcedId: 1.2.1 allows `0-9 A-Z a-z . - _ / @` and 1–255 characters (1.1 only warns).
pub(crate) fn check_id(id: &str, v12: bool, cell: &mut Cell<'_>) {
    let valid = id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_/@".contains(&b));
    if !valid {
        let message = format!("`{id}` is not a valid sourcedId; use 1 to 255 of 0-9 A-Z a-z . - _ / @");
        if v12 {
            cell.fail(message);
        } else {
            cell.warn(message);
        }
    }
}

/// A vocabulary value read leniently: `None` when `text` is already exact, else the exact
/// value it stands for (`Student` → `student`).
pub(crate) fn lenient_vocab(vocab: Vocab, text: &str) -> Result<Option<String>, VocabError> {
    fn s<T: ToString>(r: Result<(T, bool), VocabError>) -> Result<Option<String>, VocabError> {
        r.map(|(v, normalised)| normalised.then(|| v.to_string()))
    }
    match vocab {
        Vocab::SessionType => s(SessionType::parse_lenient(text)),
        Vocab::OrgType => s(OrgType::parse_lenient(text)),
        Vocab::ClassType => s(ClassType::parse_lenient(text)),
        Vocab::EnrollmentRole => s(EnrollmentRole::parse_lenient(text)),
        Vocab::UserRoleV1p1 => s(UserRoleV1p1::parse_lenient(text)),
        Vocab::RoleName => s(RoleName::parse_lenient(text)),
        Vocab::RoleType => s(RoleType::parse_lenient(text)),
        Vocab::Sex => s(Sex::parse_lenient(text)),
        Vocab::SexV1p1 => match Sex::parse_lenient(text) {
            Ok((sex, n)) if sex.in_v1p1() => Ok(n.then(|| sex.to_string())),
            _ => Err(VocabError { value: text.into(), vocabulary: "1.1 sex", expected: "one of male, female".into() }),
        },
    }
}
