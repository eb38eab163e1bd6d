//! Small helpers to write and read entity objects field by field, in spec order, with errors
//! that name the field.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use time::{Date, OffsetDateTime};

use super::{BoolStyle, JsonContext, JsonError};
use crate::query::Selection;
use crate::{
    model::{
        datetime::{format_date, format_datetime, parse_date, parse_datetime, DateTimeStrictness},
        entity::{Base, Metadata},
        vocab::{Status, VocabError},
    },
    Version,
};

/// A reference slot: which endpoint its `href` points at and which `type` each version writes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    Org,
    School,
    AcademicSession,
    Term,
    Course,
    Class,
    User,
    Resource,
}

impl Slot {
    fn collection(self) -> &'static str {
        match self {
            Slot::Org => "orgs",
            Slot::School => "schools",
            Slot::AcademicSession => "academicSessions",
            Slot::Term => "terms",
            Slot::Course => "courses",
            Slot::Class => "classes",
            Slot::User => "users",
            Slot::Resource => "resources",
        }
    }

    fn type_name(self, version: Version) -> &'static str {
        match (self, version) {
            (Slot::Org | Slot::School, _) => "org",
            (Slot::Term, Version::V1p1) => "term",
            (Slot::AcademicSession | Slot::Term, _) => "academicSession",
            (Slot::Course, _) => "course",
            (Slot::Class, _) => "class",
            (Slot::User, _) => "user",
            (Slot::Resource, _) => "resource",
        }
    }
}

/// Builds one entity object: as a [`Value`], or written straight out as JSON text.
pub(crate) struct Writer<'a> {
    sink: Sink<'a>,
    pub version: Version,
    ctx: &'a JsonContext,
}

enum Sink<'a> {
    Map(Map<String, Value>),
    /// JSON text appended to `out`, keeping only the members `keep` selects.
    Text { out: &'a mut Vec<u8>, keep: Option<&'a Selection>, first: bool },
}

impl<'a> Writer<'a> {
    /// A writer building a [`Value`] ([`Writer::finish`]).
    pub fn new(base: &Base, version: Version, ctx: &'a JsonContext) -> Self {
        let mut w = Writer { sink: Sink::Map(Map::new()), version, ctx };
        w.base(base);
        w
    }

    /// A writer appending the object's JSON text to `out`, with only the members `keep`
    /// selects (all without one); [`Writer::end`] closes it.
    pub fn text(base: &Base, version: Version, ctx: &'a JsonContext, out: &'a mut Vec<u8>, keep: Option<&'a Selection>) -> Self {
        out.push(b'{');
        let mut w = Writer { sink: Sink::Text { out, keep, first: true }, version, ctx };
        w.base(base);
        w
    }

    fn base(&mut self, base: &Base) {
        self.str("sourcedId", &base.sourced_id);
        self.str("status", base.status.as_str());
        if let Some(t) = base.date_last_modified {
            self.str("dateLastModified", &format_datetime(t));
        }
        if !base.metadata.is_empty() {
            match &mut self.sink {
                Sink::Map(map) => {
                    map.insert("metadata".into(), Value::Object(base.metadata.clone()));
                }
                Sink::Text { .. } => {
                    if let Some(out) = self.member("metadata") {
                        write_json(out, &base.metadata);
                    }
                }
            }
        }
    }

    /// For text: starts member `key` (when selected) and returns where its value goes.
    fn member(&mut self, key: &str) -> Option<&mut Vec<u8>> {
        match &mut self.sink {
            Sink::Map(_) => None,
            Sink::Text { out, keep, first } => {
                if keep.is_some_and(|k| !k.includes(key)) {
                    return None;
                }
                if !*first {
                    out.push(b',');
                }
                *first = false;
                write_str(out, key);
                out.push(b':');
                Some(&mut **out)
            }
        }
    }

    /// Member `key` with any JSON value.
    pub fn value(&mut self, key: &str, value: Value) {
        match &mut self.sink {
            Sink::Map(map) => {
                map.insert(key.into(), value);
            }
            Sink::Text { .. } => {
                if let Some(out) = self.member(key) {
                    write_json(out, &value);
                }
            }
        }
    }

    pub fn str(&mut self, key: &str, value: &str) {
        match &mut self.sink {
            Sink::Map(map) => {
                map.insert(key.into(), Value::String(value.into()));
            }
            Sink::Text { .. } => {
                if let Some(out) = self.member(key) {
                    write_str(out, value);
                }
            }
        }
    }

    pub fn opt_str(&mut self, key: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.str(key, v);
        }
    }

    pub fn list(&mut self, key: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        match &mut self.sink {
            Sink::Map(map) => {
                map.insert(key.into(), Value::Array(values.iter().cloned().map(Value::String).collect()));
            }
            Sink::Text { .. } => {
                if let Some(out) = self.member(key) {
                    out.push(b'[');
                    for (i, v) in values.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        write_str(out, v);
                    }
                    out.push(b']');
                }
            }
        }
    }

    pub fn boolean(&mut self, key: &str, value: bool) {
        let v = match (self.version, self.ctx.v1p1_booleans) {
            (Version::V1p1, BoolStyle::Json) => Value::Bool(value),
            _ => Value::String(if value { "true" } else { "false" }.into()),
        };
        self.value(key, v);
    }

    pub fn opt_bool(&mut self, key: &str, value: Option<bool>) {
        if let Some(v) = value {
            self.boolean(key, v);
        }
    }

    pub fn opt_date(&mut self, key: &str, value: Option<Date>) {
        if let Some(d) = value {
            self.str(key, &format_date(d));
        }
    }

    fn href(&self, slot: Slot, id: &str) -> String {
        format!("{}/{}/{}", self.ctx.base_url, slot.collection(), id)
    }

    pub fn guid_value(&self, slot: Slot, id: &str) -> Value {
        serde_json::json!({
            "href": self.href(slot, id),
            "sourcedId": id,
            "type": slot.type_name(self.version),
        })
    }

    /// A GUIDRef as text, without building its [`Value`] or its `href` string.
    fn write_guid(&mut self, slot: Slot, id: &str, type_name: &str) -> Option<()> {
        let base_url = &self.ctx.base_url;
        let Sink::Text { out, .. } = &mut self.sink else { return None };
        out.extend_from_slice(b"{\"href\":\"");
        write_str_inner(out, base_url);
        out.push(b'/');
        write_str_inner(out, slot.collection());
        out.push(b'/');
        write_str_inner(out, id);
        out.extend_from_slice(b"\",\"sourcedId\":");
        write_str(out, id);
        out.extend_from_slice(b",\"type\":");
        write_str(out, type_name);
        out.push(b'}');
        Some(())
    }

    pub fn guid(&mut self, key: &str, slot: Slot, id: Option<&String>) {
        let Some(id) = id else { return };
        if let Sink::Map(_) = self.sink {
            let v = self.guid_value(slot, id);
            self.value(key, v);
            return;
        }
        let type_name = slot.type_name(self.version);
        if self.member(key).is_some() {
            self.write_guid(slot, id, type_name);
        }
    }

    pub fn guids(&mut self, key: &str, slot: Slot, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        if let Sink::Map(_) = self.sink {
            let v = ids.iter().map(|id| self.guid_value(slot, id)).collect();
            self.value(key, Value::Array(v));
            return;
        }
        let type_name = slot.type_name(self.version);
        if let Some(out) = self.member(key) {
            out.push(b'[');
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    self.push(b',');
                }
                self.write_guid(slot, id, type_name);
            }
            self.push(b']');
        }
    }

    fn push(&mut self, byte: u8) {
        if let Sink::Text { out, .. } = &mut self.sink {
            out.push(byte);
        }
    }

    /// The object built by [`Writer::new`] (an empty object for a text writer).
    pub fn finish(self) -> Value {
        match self.sink {
            Sink::Map(map) => Value::Object(map),
            Sink::Text { .. } => Value::Object(Map::new()),
        }
    }

    /// Closes the object written by [`Writer::text`].
    pub fn end(self) {
        if let Sink::Text { out, .. } = self.sink {
            out.push(b'}');
        }
    }
}

/// Appends `value` as a JSON string: exactly what `serde_json` writes, without its
/// serializer for the common case of text with nothing to escape.
pub(crate) fn write_str(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    write_str_inner(out, value);
    out.push(b'"');
}

/// `value` escaped for the inside of a JSON string.
fn write_str_inner(out: &mut Vec<u8>, value: &str) {
    // serde_json escapes exactly these: control characters, the quote and the backslash.
    if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.extend_from_slice(value.as_bytes());
    } else {
        let mut quoted = Vec::with_capacity(value.len() + 8);
        write_json(&mut quoted, value);
        out.extend_from_slice(&quoted[1..quoted.len() - 1]);
    }
}

/// Appends `value` as JSON (writing to a `Vec` cannot fail, nor can serializing strings and
/// JSON values).
fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(out, value);
}

/// Reads one entity object, remembering which fields were used so that the rest can be
/// reported.
pub(crate) struct Reader<'a> {
    map: &'a Map<String, Value>,
    path: String,
    used: BTreeSet<&'static str>,
}

impl<'a> Reader<'a> {
    pub fn new(value: &'a Value, path: &str) -> Result<Self, JsonError> {
        let map = value.as_object().ok_or_else(|| JsonError { path: path.into(), message: "expected an object".into() })?;
        Ok(Reader { map, path: path.into(), used: BTreeSet::new() })
    }

    pub fn err<T>(&self, key: &str, message: impl Into<String>) -> Result<T, JsonError> {
        Err(JsonError { path: format!("{}.{key}", self.path), message: message.into() })
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.used.insert(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn opt_str(&mut self, key: &'static str) -> Result<Option<String>, JsonError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => self.err(key, format!("expected a string, got {other}")),
        }
    }

    pub fn str(&mut self, key: &'static str) -> Result<String, JsonError> {
        self.opt_str(key)?.map_or_else(|| self.err(key, "is required"), Ok)
    }

    pub fn vocab<T>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, VocabError>) -> Result<Option<T>, JsonError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).or_else(|e| self.err(key, e.to_string())),
        }
    }

    pub fn req_vocab<T>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, VocabError>) -> Result<T, JsonError> {
        self.vocab(key, parse)?.map_or_else(|| self.err(key, "is required"), Ok)
    }

    pub fn list(&mut self, key: &'static str) -> Result<Vec<String>, JsonError> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(String::from).map_or_else(|| self.err(key, "expected a list of strings"), Ok))
                .collect(),
            Some(_) => self.err(key, "expected a list of strings"),
        }
    }

    /// A boolean written either way (`true` or `"true"`, any case).
    pub fn opt_bool(&mut self, key: &'static str) -> Result<Option<bool>, JsonError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => self.err(key, format!("expected true or false, got {other}")),
        }
    }

    pub fn opt_date(&mut self, key: &'static str) -> Result<Option<Date>, JsonError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(text) => parse_date(&text).map(Some).map_or_else(
                || self.err(key, format!("`{text}` is not a date (expected YYYY-MM-DD)")),
                Ok,
            ),
        }
    }

    pub fn date(&mut self, key: &'static str) -> Result<Date, JsonError> {
        self.opt_date(key)?.map_or_else(|| self.err(key, "is required"), Ok)
    }

    fn datetime(&mut self, key: &'static str) -> Result<Option<OffsetDateTime>, JsonError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => match parse_datetime(text, DateTimeStrictness::Lenient) {
                Some((t, _)) => Ok(Some(t)),
                None => self.err(key, format!("`{text}` is not a date-time (expected e.g. 2025-09-02T14:05:00.000Z)")),
            },
            Some(other) => self.err(key, format!("expected a date-time string, got {other}")),
        }
    }

    /// A GUIDRef's sourcedId.
    pub fn guid(&mut self, key: &'static str) -> Result<Option<String>, JsonError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => self.guid_id(key, v).map(Some),
        }
    }

    pub fn req_guid(&mut self, key: &'static str) -> Result<String, JsonError> {
        self.guid(key)?.map_or_else(|| self.err(key, "is required"), Ok)
    }

    pub fn guids(&mut self, key: &'static str) -> Result<Vec<String>, JsonError> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => items.iter().map(|v| self.guid_id(key, v)).collect(),
            Some(_) => self.err(key, "expected a list of references"),
        }
    }

    fn guid_id(&self, key: &str, v: &Value) -> Result<String, JsonError> {
        match v.get("sourcedId").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Ok(id.to_string()),
            _ => self.err(key, "expected a reference with a sourcedId"),
        }
    }

    /// Nested objects (roles, userIds, ...), each read by `read`.
    pub fn objects<T>(
        &mut self,
        key: &'static str,
        read: impl Fn(&mut Reader<'a>) -> Result<T, JsonError>,
    ) -> Result<Vec<T>, JsonError> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut r = Reader::new(v, &format!("{}.{key}[{i}]", self.path))?;
                    read(&mut r)
                })
                .collect(),
            Some(_) => self.err(key, "expected a list"),
        }
    }

    pub fn base(&mut self) -> Result<Base, JsonError> {
        let sourced_id = self.str("sourcedId")?;
        let status = match self.opt_str("status")? {
            None => Status::Active,
            Some(text) => match Status::parse_with_legacy(&text) {
                Ok((s, _)) => s,
                Err(e) => return self.err("status", e.to_string()),
            },
        };
        let date_last_modified = self.datetime("dateLastModified")?;
        let metadata: Metadata = match self.get("metadata") {
            None => Metadata::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return self.err("metadata", "expected an object"),
        };
        Ok(Base { sourced_id, status, date_last_modified, metadata })
    }

    /// Warnings for fields that were present but not read.
    pub fn unknown_fields(&self) -> Vec<String> {
        self.map
            .keys()
            .filter(|k| !self.used.contains(k.as_str()))
            .map(|k| format!("{}.{k}: unknown field, ignored", self.path))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::write_str;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in ["", "plain", "O'Brien", "say \"hi\"", "back\\slash", "tab\tnew\nline\u{1}", "Zoë 日本 😀", "a/b", "\u{7f}"] {
            let mut out = Vec::new();
            write_str(&mut out, text);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }
}
