//! CSV speed on enrollments.csv (targets: read ≥ 1,000,000 rows/s and write ≥ 1,000,000 rows/s
//! on one core). Run: `cargo bench -p oneroster --bench csv`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use oneroster::{
    csv::{file_spec, Diagnostics, FileReader, FileWriter, Mode, Row},
    Version,
};

const ROWS: usize = 200_000;

/// A realistic bulk enrollments.csv: 200,000 rows, ids like a SIS export.
fn enrollments() -> Vec<u8> {
    let mut out = String::from(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\r\n",
    );
    for i in 0..ROWS {
        let role = if i % 25 == 0 { "teacher" } else { "student" };
        let primary = if i % 25 == 0 { "true" } else { "false" };
        out.push_str(&format!(
            "enr-{i:08},,,cls-{:06},sch-{:03},usr-{:07},{role},{primary},2025-08-20,2026-06-12\r\n",
            i / 30,
            i % 40,
            i % 1_000_000
        ));
    }
    out.into_bytes()
}

fn read(c: &mut Criterion) {
    let data = enrollments();
    let spec = file_spec(Version::V1p2, "enrollments.csv").unwrap();
    let mut group = c.benchmark_group("csv");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("read", "enrollments"), |b| {
        b.iter(|| {
            let mut diags = Diagnostics::default();
            let mut reader = FileReader::open(spec, Version::V1p2, Mode::Bulk, &data[..], &mut diags).unwrap();
            let mut n = 0;
            while reader.next_row(&mut diags).is_some() {
                n += 1;
            }
            assert_eq!((n, diags.errors), (ROWS, 0));
        })
    });
    let mut diags = Diagnostics::default();
    let mut reader = FileReader::open(spec, Version::V1p2, Mode::Bulk, &data[..], &mut diags).unwrap();
    let mut rows: Vec<Row> = Vec::with_capacity(ROWS);
    while let Some(row) = reader.next_row(&mut diags) {
        rows.push(row);
    }
    group.bench_function(BenchmarkId::new("write", "enrollments"), |b| {
        b.iter(|| {
            let mut writer = FileWriter::new(spec, vec![], Vec::with_capacity(data.len())).unwrap();
            for row in &rows {
                writer.write(row).unwrap();
            }
            let out = writer.finish().unwrap();
            assert_eq!(out.len(), data.len());
        })
    });
    group.finish();
}

criterion_group!(benches, read);
criterion_main!(benches);
