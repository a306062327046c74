//! Import throughput on a deterministic, clearly synthetic TidyTuesday-format CSV
//! (`catalog::import::synthetic`): CSV reading + row parsing alone, and the whole import
//! into a fresh SQLite database.
//!
//!     cargo bench --bench import
//!
//! For the million-row figure: `cargo run --release --example import_million`.

use std::{hint::black_box, path::Path, time::Duration};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use insights_hub::catalog::import::{
    import_database, source::CsvSource, synthetic::write_tidytuesday_csv, ImportOptions, NoProgress,
};

const ROWS: u64 = 50_000;
const SEED: u64 = 20_200_121;

fn synthetic_csv() -> Vec<u8> {
    let mut bytes = Vec::new();
    write_tidytuesday_csv(&mut bytes, ROWS, SEED).expect("generate synthetic CSV");
    bytes
}

fn parse(c: &mut Criterion) {
    let csv = synthetic_csv();
    let mut group = c.benchmark_group("import");
    group.throughput(Throughput::Elements(ROWS));
    group.sample_size(20);
    group.bench_function("parse_rows_50k", |b| {
        b.iter(|| {
            let mut source = CsvSource::from_reader(Path::new("synthetic.csv"), csv.as_slice())
                .expect("header maps");
            let mut good = 0u64;
            while let Some(row) = source.next_row() {
                if row.expect("readable").track.is_ok() {
                    good += 1;
                }
            }
            assert_eq!(good, ROWS);
            black_box(good)
        })
    });
    group.finish();
}

fn import(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv_path = dir.path().join("synthetic_spotify_songs.csv");
    std::fs::write(&csv_path, synthetic_csv()).expect("write CSV");
    let mut group = c.benchmark_group("import");
    group.throughput(Throughput::Elements(ROWS));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("import_rows_50k_into_empty_db", |b| {
        b.iter_batched(
            || {
                let db_dir = tempfile::tempdir().expect("temp dir");
                let db = db_dir.path().join("bench.db");
                // Create and migrate outside the measurement.
                drop(insights_hub::db::open_connection(&db).expect("open"));
                (db_dir, db)
            },
            |(db_dir, db)| {
                let report = import_database(
                    &db,
                    std::slice::from_ref(&csv_path),
                    ImportOptions::default(),
                    &mut NoProgress,
                )
                .expect("import");
                assert_eq!(report.rows_read(), ROWS);
                (db_dir, report)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, parse, import);
criterion_main!(benches);
