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

/// "Label all" at scale: 10,000 matches across 1,000 of the documents. What the UI thread does
/// (plan: clones and paths; apply: one undo step over 1,000 layers) and what the job does
/// (read the texts, snap, cut the context).
fn label_all_benches(c: &mut Criterion) {
    use criterion::BatchSize;
    use tagdesk::core::workspace::Place;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("corpus");
    make_corpus(&root);
    let ws = tagdesk::core::Workspace::open(&root).unwrap_or_else(|e| panic!("{e}"));
    let query = Query {
        pattern: r"\bRuss\w+".into(),
        regex: true,
        case_sensitive: false,
    };
    let pattern = query.compile().unwrap_or_else(|e| panic!("{e}"));
    let docs: Vec<(String, PathBuf)> = documents(ws.project()).into_iter().take(1000).collect();
    let mut places = Vec::new();
    search_corpus(
        &docs,
        &pattern,
        1_000_000,
        &AtomicBool::new(false),
        &mut |e| {
            if let tagdesk::core::search::SearchEvent::Hits(hits) = e {
                for h in hits {
                    let taken = places
                        .iter()
                        .filter(|p: &&Place| p.document == h.document)
                        .count();
                    if taken < 10 {
                        places.push(Place {
                            document: h.document,
                            range: h.range,
                            label: "actor".into(),
                            entity: None,
                            attributes: Vec::new(),
                            snap: true,
                        });
                    }
                }
            }
        },
    );
    assert!(places.len() >= 9_000, "{} places", places.len());
    let mut group = c.benchmark_group("label_all");
    group.sample_size(10);
    group.bench_function("plan_on_ui_thread_10k_in_1000_docs", |b| {
        b.iter(|| black_box(ws.plan_places("bench", places.clone(), "add actor").is_ok()));
    });
    group.bench_function("job_10k_in_1000_docs", |b| {
        b.iter_batched(
            || {
                ws.plan_places("bench", places.clone(), "add actor")
                    .unwrap_or_else(|e| panic!("{e}"))
            },
            |job| black_box(job.run().map(|p| p.report.total())),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("apply_on_ui_thread_10k_in_1000_docs", |b| {
        b.iter_batched(
            || {
                let ws = tagdesk::core::Workspace::open(&root).unwrap_or_else(|e| panic!("{e}"));
                let planned = ws
                    .plan_places("bench", places.clone(), "add actor")
                    .and_then(tagdesk::core::workspace::PlacesJob::run)
                    .unwrap_or_else(|e| panic!("{e}"));
                (ws, planned)
            },
            |(mut ws, planned)| black_box(ws.apply_planned(planned).map(|r| r.total())),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

/// Suggestions over the 3,000-file corpus: what the app's job does after an edit (build the
/// patterns from the annotator's spans, read every text, one pass each).
fn suggestion_benches(c: &mut Criterion) {
    use tagdesk::core::suggest::{Settings, Suggester};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("corpus");
    make_corpus(&root);
    let mut ws = tagdesk::core::Workspace::open(&root).unwrap_or_else(|e| panic!("{e}"));
    // 100 tagged spans in the first documents: random word-snapped spans, as synth makes them.
    let first: Vec<String> = ws
        .project()
        .documents
        .iter()
        .take(10)
        .map(|d| d.path.clone())
        .collect();
    for (i, doc) in first.iter().enumerate() {
        let _ = tagdesk::synth::annotate(&mut ws, doc, "bench", 10, i as u64);
    }
    let settings = Settings::default();
    let files = documents(ws.project());
    let mut group = c.benchmark_group("suggest");
    group.sample_size(10);
    group.bench_function("patterns_and_corpus_count_3000_files", |b| {
        b.iter(|| {
            let suggester = Suggester::new(ws.project(), "bench", &settings);
            let mut count = 0;
            for (doc, file) in &files {
                let Ok(bytes) = std::fs::read(file) else {
                    continue;
                };
                if let Ok(text) = tagdesk::core::text::SourceText::from_bytes(&bytes) {
                    count += suggester
                        .suggest(doc, &text, ws.layer(doc, "bench"), &settings)
                        .len();
                }
            }
            black_box(count)
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = corpus_benches, label_all_benches, suggestion_benches
}
criterion_main!(benches);
