//! Benchmarks of corpus-wide work: listing a 3,000-file / 25 MB corpus (what the document list
//! needs before anything is read) and searching all of it with a regex.
//!
//! `cargo bench --bench corpus` — numbers in BENCHMARKS.md. The corpus is made in a temporary
//! folder from the sample texts' paragraphs (seeded), as `examples/synth_corpus` makes it.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use criterion::{Criterion, criterion_group, criterion_main};
use tagdesk::core::Project;
use tagdesk::core::search::{Query, search_corpus};

const FILES: usize = 3000;
/// 3,000 × 8.5 KiB ≈ 25 MiB.
const FILE_BYTES: usize = 8704;

fn make_corpus(root: &Path) {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks/sources");
    let paragraphs = tagdesk::synth::paragraphs(&seeds).unwrap_or_default();
    for i in 0..FILES {
        let file = root.join(format!("sources/part{:02}/doc{i:05}.txt", i / 500));
        std::fs::create_dir_all(file.parent().unwrap_or(root)).ok();
        let text = tagdesk::synth::text(&paragraphs, FILE_BYTES, i as u64);
        std::fs::write(file, text).ok();
    }
    Project::init(root, Some(&root.join("sources")), Some("corpus")).ok();
}

fn documents(project: &Project) -> Vec<(String, PathBuf)> {
    project
        .documents
        .iter()
        .map(|d| (d.path.clone(), project.document_file(&d.path)))
        .collect()
}

fn corpus_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("corpus");
    make_corpus(&root);
    c.bench_function("corpus/scan_3000_files", |b| {
        b.iter(|| black_box(Project::scan(&root).map(|p| p.documents.len())));
    });
    let project = Project::scan(&root).unwrap_or_else(|e| panic!("{e}"));
    let docs = documents(&project);
    let never = AtomicBool::new(false);
    for (name, pattern, regex) in [
        ("corpus/search_regex_25mb", r"\bRuss\w+", true),
        ("corpus/search_literal_25mb", "Lavrov", false),
        ("corpus/search_no_match_25mb", "zzqqxx", false),
    ] {
        let query = Query {
            pattern: pattern.into(),
            regex,
            case_sensitive: false,
        };
        let pattern = query.compile().unwrap_or_else(|e| panic!("{e}"));
        c.bench_function(name, |b| {
            b.iter(|| {
                let mut hits = 0;
                search_corpus(&docs, &pattern, 1_000_000, &never, &mut |e| {
                    if let tagdesk::core::search::SearchEvent::Hits(h) = e {
                        hits += h.len();
                    }
                });
                black_box(hits)
            });
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = corpus_benches
}
criterion_main!(benches);
