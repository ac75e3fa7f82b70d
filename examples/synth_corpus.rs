//! Makes synthetic projects for measuring, from the sample texts' paragraphs in a seeded
//! pseudo-random order (the same arguments give the same bytes):
//!
//! * one long document: `cargo run --release --example synth_corpus -- OUT --big-mb 5 --annotations 20000`
//! * a 10 MB right-to-left document (Arabic, Hebrew, Persian test paragraphs):
//!   `cargo run --release --example synth_corpus -- OUT --big-mb 10 --annotations 100000 --seeds tests/data/rtl`
//! * a corpus of many files: `cargo run --release --example synth_corpus -- OUT --files 10000
//!   --file-kb 2.5 --annotations-per-file 100`

use std::path::PathBuf;

use clap::Parser;
use tagdesk::core::LayerKey;
use tagdesk::core::{AnnotationLayer, Project, SourceText, Workspace};

#[derive(Parser)]
struct Args {
    /// The project folder to make (its sources go to OUT/sources).
    out: PathBuf,
    /// One document of this many megabytes.
    #[arg(long)]
    big_mb: Option<f64>,
    /// Annotations on the big document (made through the workspace, as edits).
    #[arg(long, default_value_t = 0)]
    annotations: usize,
    /// Many documents instead: how many.
    #[arg(long)]
    files: Option<usize>,
    /// Size of each of the many documents, in kilobytes.
    #[arg(long, default_value_t = 2.5)]
    file_kb: f64,
    /// Annotations per document (written directly as annotation files).
    #[arg(long, default_value_t = 0)]
    annotations_per_file: usize,
    /// Annotators, each with a layer of every document (`synth` for one; `annotator1` … for
    /// more).
    #[arg(long, default_value_t = 1)]
    annotators: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Take the paragraphs from the `.txt` files of this folder (default: the sample's sources).
    #[arg(long)]
    seeds: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let seeds = args.seeds.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks/sources")
    });
    let paragraphs = tagdesk::synth::paragraphs(&seeds)?;
    let sources = args.out.join("sources");
    std::fs::create_dir_all(&sources)?;
    let kb = |x: f64| {
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bytes = (x * 1024.0) as usize;
        bytes
    };
    let mut written = 0usize;
    let mut documents = Vec::new();
    if let Some(mb) = args.big_mb {
        let text = tagdesk::synth::text(&paragraphs, kb(mb * 1024.0), args.seed);
        std::fs::write(sources.join("big.txt"), &text)?;
        written += text.len();
    }
    if let Some(files) = args.files {
        for i in 0..files {
            // Folders of 500 files, as a real corpus might be organised.
            let path = format!("part{:03}/doc{i:06}.txt", i / 500);
            let text = tagdesk::synth::text(&paragraphs, kb(args.file_kb), args.seed + i as u64);
            let file = sources.join(&path);
            std::fs::create_dir_all(file.parent().unwrap_or(&sources))?;
            std::fs::write(&file, &text)?;
            written += text.len();
            documents.push((path, text));
        }
    }
    if !Project::is_project(&args.out) {
        Project::init(&args.out, Some(&sources), Some("synthetic"))?;
    }
    if args.annotations > 0 && args.big_mb.is_some() {
        let mut ws = Workspace::open(&args.out)?;
        tagdesk::synth::annotate(&mut ws, "big.txt", "synth", args.annotations, args.seed)?;
        let report = ws.save();
        anyhow::ensure!(report.errors.is_empty(), "{:?}", report.errors);
    }
    let mut annotations = 0;
    if args.annotations_per_file > 0 {
        let mut project = Project::open(&args.out)?;
        let names: Vec<String> = if args.annotators <= 1 {
            vec!["synth".to_owned()]
        } else {
            (1..=args.annotators)
                .map(|n| format!("annotator{n}"))
                .collect()
        };
        for (a, name) in names.iter().enumerate() {
            for (i, (path, text)) in documents.iter().enumerate() {
                let source = SourceText::new(text.clone());
                let spans = tagdesk::synth::annotations(
                    &source,
                    name,
                    args.annotations_per_file,
                    args.seed + (i + a * documents.len()) as u64,
                );
                annotations += spans.len();
                let mut layer =
                    AnnotationLayer::new(path.clone(), name.as_str()).with_annotations(spans);
                layer.source_sha256 = tagdesk::core::project::content_hash(text.as_bytes());
                let key = LayerKey::new(path.clone(), name.clone());
                project.layers.insert(key.clone(), layer);
                project.save_layer(&key)?;
                project.layers.remove(&key);
            }
        }
    }
    println!(
        "{}: {} documents, {written} bytes of text, {} annotations",
        args.out.display(),
        documents.len() + usize::from(args.big_mb.is_some()),
        annotations + args.annotations
    );
    Ok(())
}
