//! Benchmarks of the document path: indexing a long text, offset conversion, edits in a big
//! layer, overlap queries, and the document view's frames (layout of the visible part only).
//!
//! `cargo bench --bench document` — numbers in BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tagdesk::core::annotation::{AnnotationLayer, Edit};
use tagdesk::core::{LayerKey, Schema, SourceText};
use tagdesk::gui::document_view::{DocumentView, ViewInput};

const MB: usize = 1024 * 1024;

fn big_text(bytes: usize) -> String {
    text_from("projects/syria-talks/sources", bytes)
}

/// A text of `bytes` made of the paragraphs of the `.txt` files in `folder` (of the repository).
fn text_from(folder: &str, bytes: usize) -> String {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let paragraphs = tagdesk::synth::paragraphs(&seeds).unwrap_or_default();
    tagdesk::synth::text(&paragraphs, bytes, 1)
}

fn layer_with(text: &SourceText, count: usize) -> AnnotationLayer {
    let annotations = tagdesk::synth::annotations(text, "bench", count, 7);
    AnnotationLayer::new("big.txt", "bench").with_annotations(annotations)
}

fn text_benches(c: &mut Criterion) {
    let raw = big_text(5 * MB);
    c.bench_function("text/index_5mb", |b| {
        b.iter_batched(
            || raw.clone(),
            |t| black_box(SourceText::new(t)),
            BatchSize::LargeInput,
        );
    });
    let text = SourceText::new(raw);
    let mut rng = fastrand::Rng::with_seed(3);
    let offsets: Vec<usize> = (0..1000).map(|_| rng.usize(..text.char_len())).collect();
    c.bench_function("text/byte_of_char_x1000_5mb", |b| {
        b.iter(|| offsets.iter().map(|&o| text.byte_of_char(o)).sum::<usize>());
    });
}

fn layer_benches(c: &mut Criterion) {
    let text = SourceText::new(big_text(10 * MB));
    let mut layer = layer_with(&text, 100_000);
    let middle = text.char_len() / 2;
    let new_span = tagdesk::synth::span(
        &text,
        middle..middle + 10,
        "actor",
        "bench",
        "ffffffffffffffff".to_owned(),
    );
    c.bench_function("layer/add_and_undo_in_100k_10mb", |b| {
        b.iter(|| {
            let inverse = layer.apply(Edit::Add(new_span.clone())).ok();
            if let Some(inverse) = inverse {
                black_box(layer.apply(inverse).ok());
            }
        });
    });
    // Relabelling (and resizing) replaces a span: the commonest edit.
    let existing = layer.annotations()[layer.len() / 2].clone();
    let mut relabelled = existing.clone();
    relabelled.label = if existing.label == "actor" {
        "claim"
    } else {
        "actor"
    }
    .into();
    c.bench_function("layer/relabel_and_undo_in_100k_10mb", |b| {
        b.iter(|| {
            let inverse = layer.apply(Edit::Replace(relabelled.clone())).ok();
            if let Some(inverse) = inverse {
                black_box(layer.apply(inverse).ok());
            }
        });
    });
    // Re-anchoring all 100k spans after the text changed on disk: a word inserted near the
    // start (every span shifts), and every CRLF turned into LF (each paragraph shifts more).
    let inserted = SourceText::new(format!("Breaking: {}", text.as_str()));
    c.bench_function("reanchor/100k_spans_after_an_insertion_10mb", |b| {
        b.iter(|| black_box(tagdesk::core::reanchor::plan_reanchor(&layer, &inserted)));
    });
    let (_, planned) = tagdesk::core::reanchor::plan_reanchor(&layer, &inserted);
    let mut moved = layer.clone();
    c.bench_function("reanchor/apply_and_undo_100k_moved_spans", |b| {
        b.iter(|| {
            for edit in planned.clone() {
                if let Ok(inverse) = moved.apply(edit) {
                    black_box(moved.apply(inverse).ok());
                }
            }
        });
    });
    let lf = SourceText::new(text.as_str().replace("\r\n", "\n"));
    c.bench_function("reanchor/100k_spans_after_crlf_to_lf_10mb", |b| {
        b.iter(|| black_box(tagdesk::core::reanchor::plan_reanchor(&layer, &lf)));
    });
    c.bench_function("layer/overlapping_2000_chars_in_100k", |b| {
        b.iter(|| layer.overlapping(middle, middle + 2000).count());
    });
}

fn frame(ctx: &egui::Context, view: &mut DocumentView, input: &ViewInput<'_>) {
    let raw = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1000.0, 800.0),
        )),
        ..Default::default()
    };
    let out = ctx.run_ui(raw, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            black_box(view.show(ui, input));
        });
    });
    black_box(ctx.tessellate(out.shapes.clone(), out.pixels_per_point));
    out.drop_without_applying_deltas();
}

fn view_benches(c: &mut Criterion) {
    view_benches_on(c, &SourceText::new(big_text(10 * MB)), "");
    // Right-to-left: the Arabic, Hebrew and Persian test paragraphs (one English among them),
    // laid out by the bidi path (parley) instead of epaint.
    view_benches_on(
        c,
        &SourceText::new(text_from("tests/data/rtl", 10 * MB)),
        "_arabic",
    );
}

/// The view's frames on `text` with 100k spans; `suffix` names the text in the benchmarks.
fn view_benches_on(c: &mut Criterion, text: &SourceText, suffix: &str) {
    let layer = layer_with(text, 100_000);
    let schema = Schema::default();
    let ctx = egui::Context::default();
    tagdesk::gui::fonts::install(&ctx);
    let input = ViewInput {
        text,
        layer: Some(&layer),
        schema: &schema,
        entities: &tagdesk::core::entities::Registry::default(),
        selected: None,
        selection: None,
        link_target: None,
        caret: None,
        others: &[],
        marks: &[],
        suggestions: &[],
        focused_suggestion: None,
    };
    frame(&ctx, &mut DocumentView::default(), &input); // Fonts and atlas warm.
    c.bench_function(&format!("view/open_first_frame_10mb_100k{suffix}"), |b| {
        b.iter(|| {
            let mut view = DocumentView::default();
            frame(&ctx, &mut view, &input);
            frame(&ctx, &mut view, &input);
        });
    });
    let mut view = DocumentView::default();
    for _ in 0..3 {
        frame(&ctx, &mut view, &input);
    }
    c.bench_function(&format!("view/steady_frame_10mb_100k{suffix}"), |b| {
        b.iter(|| frame(&ctx, &mut view, &input));
    });
    let mut rng = fastrand::Rng::with_seed(5);
    c.bench_function(
        &format!("view/jump_to_random_char_10mb_100k{suffix}"),
        |b| {
            b.iter(|| {
                view.scroll_to_char(text, rng.usize(..text.char_len()));
                frame(&ctx, &mut view, &input);
                frame(&ctx, &mut view, &input);
            });
        },
    );
    let pos = egui::pos2(400.0, 300.0);
    c.bench_function(&format!("view/pointer_to_char{suffix}"), |b| {
        b.iter(|| view.char_at_screen_pos(text, black_box(pos)));
    });
}

/// A project of 200 documents with 100 annotations each, on disk: one edit and a save writes
/// only that document's file (with fsync), whatever the size of the project.
/// Review of two annotators' 100k-span layers on a 10 MB text: the second agrees with the first
/// except for every tenth span relabelled and every twentieth left out.
fn review_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("p");
    std::fs::create_dir_all(root.join("sources")).ok();
    let raw = big_text(10 * MB);
    std::fs::write(root.join("sources/big.txt"), &raw).ok();
    tagdesk::core::Project::init(&root, Some(&root.join("sources")), Some("bench")).ok();
    let mut project = tagdesk::core::Project::open(&root).unwrap_or_else(|e| panic!("{e}"));
    let text = SourceText::new(raw);
    let first = tagdesk::synth::annotations(&text, "ana", 100_000, 7);
    let second: Vec<_> = first
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 20 != 0)
        .map(|(i, a)| {
            let mut a = a.clone();
            if i % 10 == 5 {
                a.label = if a.label == "actor" { "claim" } else { "actor" }.into();
            }
            a
        })
        .collect();
    for (name, spans) in [("ana", first), ("ben", second)] {
        let layer = AnnotationLayer::new("big.txt", name).with_annotations(spans);
        project
            .layers
            .insert(LayerKey::new("big.txt".to_owned(), name.to_owned()), layer);
    }
    let compare = ["ana".to_owned(), "ben".to_owned()];
    c.bench_function("review/diff_two_100k_layers_10mb", |b| {
        b.iter(|| black_box(tagdesk::core::review::diff(&project, "big.txt", &compare)));
    });
}

fn project_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("p");
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks/sources");
    let paragraphs = tagdesk::synth::paragraphs(&seeds).unwrap_or_default();
    std::fs::create_dir_all(root.join("sources")).ok();
    for i in 0..200u64 {
        let text = tagdesk::synth::text(&paragraphs, 4 * 1024, i);
        std::fs::write(root.join(format!("sources/d{i:03}.txt")), text).ok();
    }
    tagdesk::core::Project::init(&root, Some(&root.join("sources")), Some("bench")).ok();
    let mut ws = tagdesk::core::Workspace::open(&root).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..200u64 {
        let doc = format!("d{i:03}.txt");
        let _ = tagdesk::synth::annotate(&mut ws, &doc, "bench", 100, i);
    }
    ws.save();
    let key = LayerKey::new("d100.txt".to_owned(), "bench".to_owned());
    let id = ws
        .layer("d100.txt", "bench")
        .map(|l| l.annotations()[0].id.clone())
        .unwrap_or_default();
    let mut flip = false;
    c.bench_function("project/edit_and_save_one_document_of_200", |b| {
        b.iter(|| {
            flip = !flip;
            let label = if flip { "claim" } else { "actor" };
            let _ = ws.relabel(&key, &id, label);
            black_box(ws.save());
        });
    });
    c.bench_function("project/open_200_docs_20k_annotations", |b| {
        b.iter(|| {
            black_box(tagdesk::core::Workspace::open(&root).map(|w| w.project().layers.len()))
        });
    });
    // Export of a freshly opened project (texts read in the timed part, as the CLI does).
    c.bench_function("project/export_jsonl_200_docs_20k_annotations", |b| {
        b.iter_batched(
            || tagdesk::core::Workspace::open(&root).unwrap_or_else(|e| panic!("{e}")),
            |mut ws| {
                let mut out = Vec::with_capacity(8 * MB);
                let report = tagdesk::formats::export::export(
                    &mut ws,
                    tagdesk::formats::Format::Jsonl,
                    &tagdesk::formats::export::ExportFilter::default(),
                    tagdesk::formats::Sink::Stream(Box::new(&mut out)),
                );
                black_box((report.map(|r| r.annotations).ok(), out.len()))
            },
            BatchSize::LargeInput,
        );
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = text_benches, layer_benches, view_benches, review_benches, project_benches
}
criterion_main!(benches);
