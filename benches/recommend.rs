//! The learned span recommender (`core::recommend`, issue 38): training on the ten CoNLL-2002
//! Spanish documents in `tests/data` (540 spans), and the suggestions for one opened document
//! from the trained model (the goal: < 50 ms).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: missing data is a setup error

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use tagdesk::core::recommend::{Example, Recommender, Span, Training};

/// The documents: text and brat spans (`T` lines; brat's offsets are code points).
fn documents() -> Vec<(String, Vec<Span>)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/brat_corpora/CoNLL-ST_2002/esp");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let ann = std::fs::read_to_string(p.with_extension("ann")).unwrap();
            let spans = ann
                .lines()
                .filter(|l| l.starts_with('T'))
                .filter_map(|l| l.split('\t').nth(1))
                .map(|head| {
                    let f: Vec<&str> = head.split(' ').collect();
                    Span {
                        range: f[1].parse().unwrap()..f[2].parse().unwrap(),
                        label: f[0].to_owned(),
                    }
                })
                .collect();
            (text, spans)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = documents();
    let examples: Vec<Example<'_>> = docs
        .iter()
        .map(|(text, spans)| Example::coded(text, spans.clone()))
        .collect();
    let labels: Vec<String> = ["LOC", "MISC", "ORG", "PER"].map(String::from).to_vec();
    let mut group = c.benchmark_group("recommend");
    group.sample_size(10);
    group.bench_function("train_10_documents", |b| {
        b.iter(|| {
            Recommender::train(
                black_box(&examples),
                &labels,
                Training::default(),
                &std::collections::BTreeMap::new(),
            )
            .unwrap()
        });
    });
    let model = Recommender::train(
        &examples,
        &labels,
        Training::default(),
        &std::collections::BTreeMap::new(),
    )
    .unwrap();
    // The longest document, as opened in the window.
    let longest = docs.iter().map(|(t, _)| t).max_by_key(|t| t.len()).unwrap();
    group.bench_function("suggest_one_document", |b| {
        // With each span's confidence, as the window asks for them.
        b.iter(|| model.find(black_box(longest), &[]));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
