//! Property tests of the filter grammar: printing then parsing gives back the same filter, and
//! no input makes the parser panic.

use oneroster::query::{FieldPath, Filter, Op, Predicate, QueryLimits};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Eq),
        Just(Op::Ne),
        Just(Op::Gt),
        Just(Op::Ge),
        Just(Op::Lt),
        Just(Op::Le),
        Just(Op::Contains)
    ]
}

fn field() -> impl Strategy<Value = FieldPath> {
    prop::collection::vec("[A-Za-z_][A-Za-z0-9_]{0,8}", 1..4).prop_map(FieldPath)
}

fn value() -> impl Strategy<Value = String> {
    // any Unicode, with the characters that matter to the grammar made likely
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop_oneof![Just("'".to_string()), Just(" AND ".to_string()), Just(" OR ".to_string()),
            Just("=".to_string()), Just(" ".to_string()), "[a-zé✓]{0,3}"], 0..8).prop_map(|parts| parts.concat()),
    ]
}

fn filter() -> impl Strategy<Value = Filter> {
    let predicate = (field(), op(), value()).prop_map(|(field, op, value)| Predicate { field, op, value });
    prop::collection::vec(prop::collection::vec(predicate, 1..3), 1..4).prop_map(|any_of| Filter { any_of })
}

fn roomy() -> QueryLimits {
    QueryLimits { max_clauses: 64, max_value_len: 1 << 20, max_filter_len: 1 << 22, ..QueryLimits::default() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn print_then_parse_is_identity(f in filter()) {
        let text = f.to_string();
        let parsed = Filter::parse(&text, &roomy());
        prop_assert_eq!(parsed.as_ref().ok(), Some(&f), "text: {}", text);
    }

    #[test]
    fn parser_never_panics_and_its_output_reprints_stably(input in any::<String>()) {
        if let Ok(f) = Filter::parse(&input, &roomy()) {
            let again = Filter::parse(&f.to_string(), &roomy()).expect("printed filters parse");
            prop_assert_eq!(again, f);
        }
    }

    #[test]
    fn parser_never_panics_on_grammar_shaped_noise(input in "[a-z.=!<>~' ANDOR]{0,40}") {
        let _ = Filter::parse(&input, &QueryLimits::default());
    }
}
