//! Agreement at the scale of the issue "Headless speed": the bratiaa example project (in
//! `tests/data/bratiaa_4annotators`) copied 150 times — 1,050 documents, 4 annotators, ~235k
//! spans — built in memory from its brat files, so only the computation is timed. What
//! `tagdesk agree` does after reading the project (`benches/peers/peers.py` times the whole
//! process against bratiaa).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: missing data is a setup error

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use tagdesk::core::SourceText;
use tagdesk::core::agreement::{
    Matching, Report, Study, StudyDocument, Tokens, Unit, span_agreement, token_agreement,
    unitizing_agreement,
};

const ANNOTATORS: [&str; 4] = ["Lisa", "Maria", "Max", "Peter"];

/// The text-bound annotations (`T` lines) of a brat file, one unit per fragment.
fn brat_units(ann: &str) -> Vec<Unit> {
    ann.lines()
        .filter(|l| l.starts_with('T'))
        .filter_map(|l| l.split('\t').nth(1))
        .flat_map(|head| {
            let (label, ranges) = head.split_once(' ').unwrap_or((head, ""));
            ranges
                .split(';')
                .filter_map(|r| {
                    let (s, e) = r.split_once(' ')?;
                    Some(Unit {
                        label: label.into(),
                        start: s.parse().ok()?,
                        end: e.parse().ok()?,
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn scaled_study(copies: usize) -> Study {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bratiaa_4annotators/example-project");
    let mut names: Vec<String> = std::fs::read_dir(root.join("Lisa"))
        .expect("the bratiaa example is in tests/data")
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter_map(|n| n.strip_suffix(".txt").map(str::to_owned))
        .collect();
    names.sort();
    let seeds: Vec<(Arc<SourceText>, Vec<Vec<Unit>>)> = names
        .iter()
        .map(|name| {
            let text = std::fs::read(root.join("Lisa").join(format!("{name}.txt"))).unwrap();
            let units = ANNOTATORS
                .iter()
                .map(|a| {
                    let ann =
                        std::fs::read_to_string(root.join(a).join(format!("{name}.ann"))).unwrap();
                    brat_units(&ann)
                })
                .collect();
            (Arc::new(SourceText::from_bytes(&text).unwrap()), units)
        })
        .collect();
    let documents = (0..copies)
        .flat_map(|c| {
            names
                .iter()
                .zip(&seeds)
                .map(move |(name, (text, units))| StudyDocument {
                    path: format!("c{c:03}-{name}.txt"),
                    text: Some(Arc::clone(text)),
                    units: units.clone(),
                })
        })
        .collect();
    Study {
        annotators: ANNOTATORS.iter().map(|&a| a.to_owned()).collect(),
        documents,
        warnings: Vec::new(),
    }
}

fn agreement(c: &mut Criterion) {
    let study = scaled_study(150);
    let mut group = c.benchmark_group("agreement");
    group.sample_size(10);
    group.bench_function("report_1050_docs_4_annotators", |b| {
        b.iter(|| black_box(Report::compute(&study, Tokens::Whitespace)));
    });
    for (name, matching) in [
        ("exact", Matching::Exact),
        ("overlap", Matching::Overlap),
        ("token_f1", Matching::Tokens),
    ] {
        group.bench_function(format!("span_{name}_1050_docs"), |b| {
            b.iter(|| black_box(span_agreement(&study, matching, Tokens::Whitespace)));
        });
    }
    group.bench_function("token_coefficients_1050_docs", |b| {
        b.iter(|| black_box(token_agreement(&study, Tokens::Whitespace)));
    });
    group.bench_function("unitizing_1050_docs", |b| {
        b.iter(|| black_box(unitizing_agreement(&study)));
    });
    group.finish();
}

criterion_group!(benches, agreement);
criterion_main!(benches);
