//! The share document as the browser edits it.
//!
//! [`ShareDraft`] has the JSON shape of the store's share (README "Sharing"), so a share read
//! from the server comes back unchanged when nothing was edited. [`EditorState`] is the form's
//! view of it: picked schools, picked classes, and the remaining rules as rows of text fields.

use serde::{Deserialize, Serialize};

/// A share document (the store checks it on preview and save).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareDraft {
    #[serde(default)]
    pub all: bool,
    #[serde(default)]
    pub include: Vec<RuleDraft>,
    #[serde(default)]
    pub exclude: Vec<RuleDraft>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub withhold: Vec<String>,
    #[serde(default)]
    pub demographics: bool,
}

/// Conditions on a class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schools: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub courses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class_types: Vec<String>,
}

/// A rule as a form row: lists as comma-separated text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleRow {
    /// Exclude rather than include.
    pub exclude: bool,
    pub label: String,
    pub schools: String,
    pub courses: String,
    pub subjects: String,
    pub grades: String,
    pub terms: String,
    pub class_types: String,
}

/// Everything the editor's form holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditorState {
    pub all: bool,
    /// Schools picked in the tree (one include rule).
    pub schools: Vec<String>,
    /// Classes picked by search (one include rule).
    pub classes: Vec<String>,
    /// Every other rule.
    pub rules: Vec<RuleRow>,
    pub roles: Vec<String>,
    pub withhold: Vec<String>,
    pub demographics: bool,
}

/// The roles a share can give, with their labels.
pub const ROLE_CHOICES: &[(&str, &str)] = &[
    ("student", "Students of shared classes"),
    ("teacher", "Teachers of shared classes"),
    ("guardian", "Guardians and parents of shared students"),
    ("administrator", "Administrators of the schools"),
    ("unenrolled_staff", "Other staff of the schools"),
];

const SCHOOLS_LABEL: &str = "Schools picked in the console";
const CLASSES_LABEL: &str = "Classes picked in the console";

fn split(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn join(list: &[String]) -> String {
    list.join(", ")
}

impl RuleDraft {
    fn only_schools(&self) -> bool {
        !self.schools.is_empty()
            && self.classes.is_empty()
            && self.courses.is_empty()
            && self.subjects.is_empty()
            && self.grades.is_empty()
            && self.terms.is_empty()
            && self.class_types.is_empty()
    }

    fn only_classes(&self) -> bool {
        !self.classes.is_empty()
            && self.schools.is_empty()
            && self.courses.is_empty()
            && self.subjects.is_empty()
            && self.grades.is_empty()
            && self.terms.is_empty()
            && self.class_types.is_empty()
    }
}

impl EditorState {
    /// The form for a stored share. A share never set starts with the sensitive fields in
    /// `sensitive` withheld and demographics off.
    pub fn from_draft(draft: &ShareDraft, new_share: bool, sensitive: &[String]) -> EditorState {
        let mut state = EditorState {
            all: draft.all,
            roles: draft.roles.clone(),
            withhold: draft.withhold.clone(),
            demographics: draft.demographics,
            ..EditorState::default()
        };
        if new_share {
            state.roles = vec!["student".into(), "teacher".into()];
            state.withhold = sensitive.to_vec();
        }
        for rule in &draft.include {
            if rule.only_schools() {
                state.schools.extend(rule.schools.iter().cloned());
            } else if rule.only_classes() {
                state.classes.extend(rule.classes.iter().cloned());
            } else {
                state.rules.push(RuleRow::from_rule(rule, false));
            }
        }
        for rule in &draft.exclude {
            state.rules.push(RuleRow::from_rule(rule, true));
        }
        state.schools.dedup();
        state.classes.dedup();
        state
    }

    /// The share document this form describes.
    pub fn to_draft(&self) -> ShareDraft {
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        if !self.all {
            if !self.schools.is_empty() {
                include.push(RuleDraft { label: Some(SCHOOLS_LABEL.into()), schools: self.schools.clone(), ..Default::default() });
            }
            if !self.classes.is_empty() {
                include.push(RuleDraft { label: Some(CLASSES_LABEL.into()), classes: self.classes.clone(), ..Default::default() });
            }
        }
        for row in &self.rules {
            let rule = row.to_rule();
            if row.exclude {
                exclude.push(rule);
            } else if !self.all {
                include.push(rule);
            }
        }
        ShareDraft {
            all: self.all,
            include,
            exclude,
            roles: self.roles.clone(),
            withhold: self.withhold.clone(),
            demographics: self.demographics,
        }
    }
}

impl RuleRow {
    fn from_rule(rule: &RuleDraft, exclude: bool) -> RuleRow {
        let mut schools = rule.schools.clone();
        // A rule naming classes as well keeps them in the schools box's neighbour: classes
        // are picked by search, so they are appended to the label for the reader.
        schools.extend(rule.classes.iter().map(|c| format!("class:{c}")));
        RuleRow {
            exclude,
            label: rule.label.clone().unwrap_or_default(),
            schools: join(&schools),
            courses: join(&rule.courses),
            subjects: join(&rule.subjects),
            grades: join(&rule.grades),
            terms: join(&rule.terms),
            class_types: join(&rule.class_types),
        }
    }

    fn to_rule(&self) -> RuleDraft {
        let (classes, schools): (Vec<String>, Vec<String>) =
            split(&self.schools).into_iter().partition(|s| s.starts_with("class:"));
        let label = self.label.trim();
        RuleDraft {
            label: (!label.is_empty()).then(|| label.to_string()),
            schools,
            classes: classes.into_iter().map(|c| c["class:".len()..].to_string()).collect(),
            courses: split(&self.courses),
            subjects: split(&self.subjects),
            grades: split(&self.grades),
            terms: split(&self.terms),
            class_types: split(&self.class_types),
        }
    }
}

/// Adds or removes `value` in a list kept without duplicates.
pub fn set_member(list: &mut Vec<String>, value: &str, on: bool) {
    list.retain(|v| v != value);
    if on {
        list.push(value.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ShareDraft {
        serde_json::from_str(
            r#"{"all":false,
                "include":[{"label":"Schools picked in the console","schools":["s1","s2"]},
                           {"classes":["c9"]},
                           {"label":"Math","subjects":["Mathematics"],"grades":["09","10"]}],
                "exclude":[{"class_types":["homeroom"]}],
                "roles":["student"],"withhold":["users.email"],"demographics":false}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_share_read_into_the_form_comes_back_with_the_same_meaning() {
        let state = EditorState::from_draft(&sample(), false, &[]);
        assert_eq!(state.schools, ["s1", "s2"]);
        assert_eq!(state.classes, ["c9"]);
        assert_eq!(state.rules.len(), 2);
        assert_eq!(state.rules[0].subjects, "Mathematics");
        assert_eq!(state.rules[0].grades, "09, 10");
        assert!(state.rules[1].exclude);
        let back = state.to_draft();
        let text = serde_json::to_string(&back).unwrap();
        assert_eq!(
            text,
            r#"{"all":false,"include":[{"label":"Schools picked in the console","schools":["s1","s2"]},{"label":"Classes picked in the console","classes":["c9"]},{"label":"Math","subjects":["Mathematics"],"grades":["09","10"]}],"exclude":[{"class_types":["homeroom"]}],"roles":["student"],"withhold":["users.email"],"demographics":false}"#
        );
        // And once more: stable.
        assert_eq!(EditorState::from_draft(&back, false, &[]).to_draft(), back);
    }

    #[test]
    fn a_new_share_starts_with_students_and_teachers_and_sensitive_fields_withheld() {
        let sensitive = vec!["users.email".to_string(), "demographics.birthDate".to_string()];
        let state = EditorState::from_draft(&ShareDraft::default(), true, &sensitive);
        assert_eq!(state.roles, ["student", "teacher"]);
        assert_eq!(state.withhold, sensitive);
        assert!(!state.demographics);
        assert_eq!(state.to_draft().include, Vec::<RuleDraft>::new());
    }

    #[test]
    fn every_class_drops_the_include_rules_but_keeps_exclusions() {
        let mut state = EditorState::from_draft(&sample(), false, &[]);
        state.all = true;
        let draft = state.to_draft();
        assert!(draft.all);
        assert!(draft.include.is_empty());
        assert_eq!(draft.exclude.len(), 1);
    }

    #[test]
    fn rule_rows_split_lists_and_keep_classes_apart() {
        let row = RuleRow { schools: "s1, class:c2 ,, s3".into(), grades: " 09 ,10".into(), ..Default::default() };
        let rule = row.to_rule();
        assert_eq!(rule.schools, ["s1", "s3"]);
        assert_eq!(rule.classes, ["c2"]);
        assert_eq!(rule.grades, ["09", "10"]);
        assert_eq!(rule.label, None);
    }

    #[test]
    fn set_member_adds_once_and_removes() {
        let mut list = vec!["a".to_string()];
        set_member(&mut list, "b", true);
        set_member(&mut list, "b", true);
        assert_eq!(list, ["a", "b"]);
        set_member(&mut list, "a", false);
        assert_eq!(list, ["b"]);
    }
}
