//! Discourse networks at the scale: 500 actors, 60 concepts, 20,000 statements
//! (random stances, seed 11). What the Network window does off the UI thread (the network,
//! its groups, its layout) and what a frame costs on it (the picture and the lists, with
//! tessellation).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tagdesk::core::network::statements::Extracted;
use tagdesk::core::network::{
    Aggregation, Levels, Network, Normalization, Statement, groups, layout,
};
use tagdesk::gui::windows::network::{Settings, View, compute, picture_and_details_ui};

fn synthetic(actors: usize, concepts: usize, statements: usize) -> Extracted {
    let mut rng = fastrand::Rng::with_seed(11);
    let statements = (0..statements)
        .map(|_| Statement {
            actor: format!("actor {:03}", rng.usize(..actors)),
            concept: format!("concept {:02}", rng.usize(..concepts)),
            level: rng.i64(-1..=1),
            document: format!("doc{}.txt", rng.usize(..1000)),
            date: None,
            claim: None,
        })
        .collect();
    Extracted {
        statements,
        ..Extracted::default()
    }
}

fn settings(view: View) -> Settings {
    Settings {
        annotator: "a".into(),
        view,
        from: None,
        to: None,
        attribute: None,
        min_weight: 0.0,
    }
}

fn benches(c: &mut Criterion) {
    let extracted = synthetic(500, 60, 20_000);
    let levels = Levels::new([-1, 0, 1]);
    let mut group = c.benchmark_group("network");
    group.sample_size(10);
    let subtract = settings(View::Actors(Aggregation::Subtract));
    group.bench_function("compute_500_actors_20k_statements", |b| {
        b.iter(|| compute(&extracted, &subtract, &levels));
    });
    group.bench_function("actor_network_500_actors_20k_statements", |b| {
        b.iter(|| {
            Network::actors(
                &extracted,
                &extracted.statements,
                &[],
                &levels,
                Aggregation::Subtract,
                Normalization::None,
            )
        });
    });
    let network = Network::actors(
        &extracted,
        &extracted.statements,
        &[],
        &levels,
        Aggregation::Subtract,
        Normalization::None,
    );
    group.bench_function("groups_500_actors", |b| {
        b.iter(|| groups::assign(&mut network.clone()));
    });
    // As the window does: the 4,000 strongest ties pull.
    let ties: Vec<(usize, usize, f64)> = network
        .edges
        .iter()
        .take(4000)
        .map(|e| (e.source, e.target, e.weight.abs()))
        .collect();
    group.bench_function("layout_500_actors", |b| {
        b.iter(|| layout::force_layout(network.nodes.len(), &ties, 300));
    });
    let drawn = compute(&extracted, &subtract, &levels);
    let ctx = egui::Context::default();
    let mut chosen = None;
    let mut frame = || {
        let raw = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(900.0, 800.0),
            )),
            ..Default::default()
        };
        let out = ctx.run_ui(raw, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let mut actions = Vec::new();
                let size = egui::vec2(ui.available_width(), 440.0);
                black_box(picture_and_details_ui(
                    ui,
                    size,
                    &drawn,
                    &mut chosen,
                    &mut actions,
                ));
            });
        });
        black_box(ctx.tessellate(out.shapes.clone(), out.pixels_per_point));
        out.drop_without_applying_deltas();
    };
    frame();
    group.bench_function("frame_500_actors_20k_statements", |b| b.iter(&mut frame));
    group.finish();
}

/// A project of 200 documents with 100 claims each (20,000 statements): every claim has a
/// stance, a concept (of 60) and a `said_by` actor span linked to one of 500 actors.
fn coded_project(root: &std::path::Path) -> tagdesk::core::Workspace {
    use tagdesk::core::entities::{EntityKind, Registry};
    use tagdesk::core::schema::AttributeValue;
    let seeds =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks/sources");
    let paragraphs = tagdesk::synth::paragraphs(&seeds).unwrap_or_default();
    std::fs::create_dir_all(root.join("sources")).ok();
    for i in 0..200u64 {
        let text = tagdesk::synth::text(&paragraphs, 16 * 1024, i);
        std::fs::write(root.join(format!("sources/d{i:03}.txt")), text).ok();
    }
    tagdesk::core::Project::init(root, Some(&root.join("sources")), Some("bench")).ok();
    let mut ws = tagdesk::core::Workspace::open(root).unwrap_or_else(|e| panic!("{e}"));
    let mut registry = Registry::default();
    let mut actors = Vec::new();
    let mut concepts = Vec::new();
    for (kind, count, ids) in [
        (EntityKind::Actor, 500, &mut actors),
        (EntityKind::Concept, 60, &mut concepts),
    ] {
        for n in 0..count {
            let (next, id) = registry
                .with_new(kind, &format!("{} {n}", kind.as_str()))
                .unwrap_or_else(|e| panic!("{e}"));
            registry = next;
            ids.push(id);
        }
    }
    ws.replace_entities(registry, "entities")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut rng = fastrand::Rng::with_seed(5);
    for i in 0..200u64 {
        let doc = format!("d{i:03}.txt");
        let key = tagdesk::core::LayerKey::new(doc.clone(), "bench".to_owned());
        let text = ws.text(&doc).unwrap_or_else(|e| panic!("{e}"));
        let mut made = 0;
        while made < 100 {
            let (Some(a), Some(c)) = (
                tagdesk::synth::random_span(&text.text, &mut rng),
                tagdesk::synth::random_span(&text.text, &mut rng),
            ) else {
                continue;
            };
            let (Ok(actor), Ok(claim)) = (
                ws.add_span(&doc, "bench", a, "actor"),
                ws.add_span(&doc, "bench", c, "claim"),
            ) else {
                continue;
            };
            let stance = ["support", "neutral", "oppose"][rng.usize(..3)];
            let _ = ws.set_attribute(
                &key,
                &claim,
                "stance",
                Some(AttributeValue::Text(stance.into())),
            );
            let _ = ws.add_relation(&key, "said_by", &claim, &actor);
            let _ = ws.link_entity(&key, &actor, Some(&actors[rng.usize(..actors.len())]));
            let _ = ws.link_entity(&key, &claim, Some(&concepts[rng.usize(..concepts.len())]));
            made += 1;
        }
    }
    ws
}

fn extraction(c: &mut Criterion) {
    use tagdesk::core::network::statements::{Coding, Snapshot, statements};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let ws = coded_project(&dir.path().join("p"));
    let coding = Coding::standard(ws.project(), "bench");
    let found = statements(ws.project(), &coding).statements.len();
    assert!(found >= 19_000, "{found} statements");
    let mut group = c.benchmark_group("network");
    group.sample_size(20);
    // What the Network window takes on the UI thread when the layer changed: a snapshot of
    // the layers (copy-on-write clones) for its job …
    group.bench_function("snapshot_200_layers", |b| {
        b.iter(|| black_box(Snapshot::of(ws.project(), "bench").layers.len()));
    });
    // … which reads the statements from it.
    group.bench_function("statements_from_200_docs_20k_claims", |b| {
        b.iter(|| black_box(statements(ws.project(), &coding).statements.len()));
    });
    group.finish();
}

criterion_group!(network, benches, extraction);
criterion_main!(network);
