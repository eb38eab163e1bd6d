//! The filter grammar: `field op 'value'` clauses joined by ` AND ` / ` OR `.
//!
//! ```text
//! filter     := conjunction ( " OR " conjunction )*
//! conjunction:= predicate ( " AND " predicate )*
//! predicate  := field ws* op ws* "'" value "'"
//! field      := name ( "." name )*        name := [A-Za-z_][A-Za-z0-9_]*
//! op         := "=" | "!=" | ">" | ">=" | "<" | "<=" | "~"
//! ```

use std::fmt;

use super::{QueryError, QueryLimits};

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// `~`: contains (case-insensitive substring).
    Contains,
}

impl Op {
    /// The operator as written in a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Contains => "~",
        }
    }
}

/// A field name with optional dot notation into sub-objects (`roles.org.sourcedId`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<String>);

impl FieldPath {
    /// The segments joined with dots.
    pub fn dotted(&self) -> String {
        self.0.join(".")
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dotted())
    }
}

/// One `field op 'value'` clause, value unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Predicate {
    pub field: FieldPath,
    pub op: Op,
    pub value: String,
}

/// A parsed filter in disjunctive form: it matches when every predicate of at least one group
/// matches (`a AND b OR c` is `[[a, b], [c]]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    pub any_of: Vec<Vec<Predicate>>,
}

impl Filter {
    /// Parses a filter expression (already URL-decoded).
    pub fn parse(input: &str, limits: &QueryLimits) -> Result<Filter, QueryError> {
        if input.len() > limits.max_filter_len {
            return Err(QueryError::filter(format!(
                "filter: the expression is {} bytes long; at most {} are accepted",
                input.len(),
                limits.max_filter_len
            )));
        }
        Parser { src: input, pos: 0, limits }.filter()
    }

    /// Every predicate, in order.
    pub fn predicates(&self) -> impl Iterator<Item = &Predicate> {
        self.any_of.iter().flatten()
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.any_of.iter().enumerate() {
            if i > 0 {
                f.write_str(" OR ")?;
            }
            for (j, p) in group.iter().enumerate() {
                if j > 0 {
                    f.write_str(" AND ")?;
                }
                write!(f, "{}{}'{}'", p.field, p.op.as_str(), p.value.replace('\'', "''"))?;
            }
        }
        Ok(())
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    limits: &'a QueryLimits,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    /// 1-based character position for messages.
    fn at(&self) -> usize {
        self.src[..self.pos].chars().count() + 1
    }

    fn fail<T>(&self, what: impl fmt::Display) -> Result<T, QueryError> {
        Err(QueryError::filter(format!("filter: {what} at character {} of `{}`", self.at(), self.src)))
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t']);
        self.pos = self.src.len() - trimmed.len();
    }

    fn filter(mut self) -> Result<Filter, QueryError> {
        self.skip_spaces();
        if self.rest().is_empty() {
            return self.fail("the filter is empty; expected a clause such as status='active'");
        }
        let mut any_of = vec![vec![]];
        let mut clauses = 0;
        loop {
            let predicate = self.predicate()?;
            clauses += 1;
            if clauses > self.limits.max_clauses {
                return Err(QueryError::filter(format!(
                    "filter: more than {} clauses; simplify the filter",
                    self.limits.max_clauses
                )));
            }
            any_of.last_mut().expect("one group").push(predicate);
            // A value only ends at the end of input or before whitespace (see `closes`).
            self.skip_spaces();
            if self.rest().is_empty() {
                return Ok(Filter { any_of });
            }
            if let Some(after) = self.rest().strip_prefix("AND") {
                self.pos = self.src.len() - after.len();
            } else if let Some(after) = self.rest().strip_prefix("OR") {
                self.pos = self.src.len() - after.len();
                any_of.push(vec![]);
            } else {
                return self.fail("expected AND or OR (upper case) between clauses");
            }
            let before = self.pos;
            self.skip_spaces();
            if before == self.pos || self.rest().is_empty() {
                return self.fail("expected a clause after AND/OR");
            }
        }
    }

    fn predicate(&mut self) -> Result<Predicate, QueryError> {
        let field = self.field()?;
        self.skip_spaces();
        let op = self.op(&field)?;
        self.skip_spaces();
        let value = self.value(&field)?;
        Ok(Predicate { field, op, value })
    }

    fn field(&mut self) -> Result<FieldPath, QueryError> {
        let mut segments = Vec::new();
        loop {
            let rest = self.rest();
            let len = rest
                .char_indices()
                .take_while(|(i, c)| c.is_ascii_alphabetic() || *c == '_' || (*i > 0 && c.is_ascii_digit()))
                .map(|(i, c)| i + c.len_utf8())
                .last()
                .unwrap_or(0);
            if len == 0 {
                return self.fail("expected a field name");
            }
            segments.push(rest[..len].to_string());
            self.pos += len;
            match self.rest().strip_prefix('.') {
                Some(_) => self.pos += 1,
                None => return Ok(FieldPath(segments)),
            }
        }
    }

    fn op(&mut self, field: &FieldPath) -> Result<Op, QueryError> {
        let rest = self.rest();
        let (op, len) = if rest.starts_with(">=") {
            (Op::Ge, 2)
        } else if rest.starts_with("<=") {
            (Op::Le, 2)
        } else if rest.starts_with("!=") {
            (Op::Ne, 2)
        } else if rest.starts_with('=') {
            (Op::Eq, 1)
        } else if rest.starts_with('>') {
            (Op::Gt, 1)
        } else if rest.starts_with('<') {
            (Op::Lt, 1)
        } else if rest.starts_with('~') {
            (Op::Contains, 1)
        } else {
            return self.fail(format!("expected an operator (=, !=, >, >=, <, <=, ~) after `{field}`"));
        };
        self.pos += len;
        Ok(op)
    }

    fn value(&mut self, field: &FieldPath) -> Result<String, QueryError> {
        if !self.rest().starts_with('\'') {
            return self.fail(format!("the value for `{field}` must be in single quotes"));
        }
        self.pos += 1;
        let start = self.pos;
        let mut value = String::new();
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                let after = &self.src[i + 1..];
                if closes(after) {
                    self.pos = i + 1;
                    return self.check_len(field, value);
                }
                if after.starts_with('\'') {
                    value.push('\'');
                    i += 2;
                } else {
                    // A lone quote inside the value (O'Brien), kept as written.
                    value.push('\'');
                    i += 1;
                }
                continue;
            }
            let ch = self.src[i..].chars().next().expect("in bounds");
            value.push(ch);
            i += ch.len_utf8();
        }
        self.pos = start - 1;
        self.fail(format!("the value for `{field}` has no closing quote"))
    }

    fn check_len(&self, field: &FieldPath, value: String) -> Result<String, QueryError> {
        if value.len() > self.limits.max_value_len {
            return Err(QueryError::filter(format!(
                "filter: the value for `{field}` is {} bytes long; at most {} are accepted",
                value.len(),
                self.limits.max_value_len
            )));
        }
        Ok(value)
    }
}

/// Whether a quote followed by `after` ends the value: at the end of the filter, or before
/// whitespace and a logical operator. Lower-case `and`/`or` count here too, so that the parser
/// can then refuse them clearly instead of reading them as part of the value.
fn closes(after: &str) -> bool {
    let trimmed = after.trim_start_matches([' ', '\t']);
    if trimmed.is_empty() {
        return true;
    }
    if trimmed.len() == after.len() {
        return false;
    }
    let word_len = if starts_with_ignore_case(trimmed, "and") {
        3
    } else if starts_with_ignore_case(trimmed, "or") {
        2
    } else {
        return false;
    };
    let tail = &trimmed[word_len..];
    tail.is_empty() || tail.starts_with([' ', '\t'])
}

fn starts_with_ignore_case(text: &str, word: &str) -> bool {
    text.len() >= word.len() && text.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Filter, QueryError> {
        Filter::parse(s, &QueryLimits::default())
    }

    fn pred(field: &str, op: Op, value: &str) -> Predicate {
        Predicate { field: FieldPath(field.split('.').map(String::from).collect()), op, value: value.into() }
    }

    #[test]
    fn single_and_combined_clauses() {
        assert_eq!(parse("status='active'").unwrap().any_of, vec![vec![pred("status", Op::Eq, "active")]]);
        let f = parse("givenName~'an' AND status='active' OR sourcedId='u1'").unwrap();
        assert_eq!(
            f.any_of,
            vec![
                vec![pred("givenName", Op::Contains, "an"), pred("status", Op::Eq, "active")],
                vec![pred("sourcedId", Op::Eq, "u1")],
            ]
        );
        let f = parse("dateLastModified>='2025-09-01T00:00:00.000Z'").unwrap();
        assert_eq!(f.any_of[0][0].op, Op::Ge);
        for (text, op) in [("a!='x'", Op::Ne), ("a>'x'", Op::Gt), ("a<'x'", Op::Lt), ("a<='x'", Op::Le)] {
            assert_eq!(parse(text).unwrap().any_of[0][0].op, op, "{text}");
        }
    }

    #[test]
    fn dots_spaces_and_quotes() {
        let f = parse("roles.org.sourcedId = 'org-1'").unwrap();
        assert_eq!(f.any_of[0][0], pred("roles.org.sourcedId", Op::Eq, "org-1"));
        assert_eq!(parse("familyName='O''Brien'").unwrap().any_of[0][0].value, "O'Brien");
        assert_eq!(parse("familyName='O'Brien'").unwrap().any_of[0][0].value, "O'Brien");
        assert_eq!(parse("title='a=b'").unwrap().any_of[0][0].value, "a=b");
        assert_eq!(parse("title=''").unwrap().any_of[0][0].value, "");
        assert_eq!(parse("title='Rock AND Roll'").unwrap().any_of[0][0].value, "Rock AND Roll");
        assert_eq!(parse("title='Ünïcødé ✓'").unwrap().any_of[0][0].value, "Ünïcødé ✓");
    }

    #[test]
    fn malformed_filters_say_where_and_what() {
        let msg = |s: &str| parse(s).unwrap_err().message;
        assert_eq!(msg("status='active"), "filter: the value for `status` has no closing quote at character 8 of `status='active`");
        assert_eq!(msg("status='active' AND"), "filter: expected a clause after AND/OR at character 20 of `status='active' AND`");
        assert_eq!(msg("status"), "filter: expected an operator (=, !=, >, >=, <, <=, ~) after `status` at character 7 of `status`");
        assert_eq!(msg("status=active"), "filter: the value for `status` must be in single quotes at character 8 of `status=active`");
        assert_eq!(msg(""), "filter: the filter is empty; expected a clause such as status='active' at character 1 of ``");
        assert_eq!(msg("a='x' and b='y'"), "filter: expected AND or OR (upper case) between clauses at character 7 of `a='x' and b='y'`");
        // without a space after it, a quote is part of the value (clients send O'Brien raw)
        assert_eq!(parse("a='x'b='y'").unwrap().any_of[0][0].value, "x'b='y");
        assert_eq!(msg("='x'"), "filter: expected a field name at character 1 of `='x'`");
        assert_eq!(parse("status='active").unwrap_err().code, super::super::ErrorCode::InvalidFilterField);
    }

    #[test]
    fn limits_are_enforced() {
        let limits = QueryLimits { max_clauses: 2, max_value_len: 5, max_filter_len: 40, ..QueryLimits::default() };
        assert!(Filter::parse("a='1' AND b='2'", &limits).is_ok());
        assert_eq!(
            Filter::parse("a='1' AND b='2' OR c='3'", &limits).unwrap_err().message,
            "filter: more than 2 clauses; simplify the filter"
        );
        assert_eq!(
            Filter::parse("a='123456'", &limits).unwrap_err().message,
            "filter: the value for `a` is 6 bytes long; at most 5 are accepted"
        );
        assert!(Filter::parse(&format!("a='{}'", "x".repeat(50)), &limits).unwrap_err().message.contains("at most 40"));
    }

    #[test]
    fn printing_escapes_quotes() {
        let f = Filter { any_of: vec![vec![pred("familyName", Op::Eq, "O'Brien' AND x='y")], vec![pred("a.b", Op::Contains, "")]] };
        let text = f.to_string();
        assert_eq!(text, "familyName='O''Brien'' AND x=''y' OR a.b~''");
        assert_eq!(parse(&text).unwrap(), f);
    }
}
