//! Filter parsing speed (target: a typical filter in ≤ 5 µs). Run: `cargo bench -p oneroster`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use oneroster::query::{Filter, QueryLimits};

fn parse_filters(c: &mut Criterion) {
    let limits = QueryLimits::default();
    let cases = [
        ("status", "status='active'"),
        ("delta-sync", "dateLastModified>'2025-09-01T00:00:00.000Z'"),
        ("two-clauses", "givenName~'an' AND status='active'"),
        ("nested-or", "roles.org.sourcedId='school-12' OR familyName='O''Brien'"),
    ];
    for (name, text) in cases {
        c.bench_function(&format!("filter/parse/{name}"), |b| {
            b.iter(|| Filter::parse(black_box(text), &limits).expect("valid"))
        });
    }
}

criterion_group!(benches, parse_filters);
criterion_main!(benches);
