//! Makes a synthetic project for measuring: one long document built from the sample texts'
//! paragraphs in a seeded pseudo-random order, optionally with annotations.
//!
//! `cargo run --release --example synth_corpus -- OUT_DIR [MEGABYTES] [ANNOTATIONS] [SEED]`
//! (defaults: 5 MB, 0 annotations, seed 1). The same arguments give the same bytes.

use std::path::PathBuf;

use tagdesk::core::{Project, Workspace};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out =
        PathBuf::from(args.next().ok_or_else(|| {
            anyhow::anyhow!("usage: synth_corpus OUT_DIR [MB] [ANNOTATIONS] [SEED]")
        })?);
    let megabytes: f64 = args.next().map_or(Ok(5.0), |s| s.parse())?;
    let annotations: usize = args.next().map_or(Ok(0), |s| s.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;

    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks/sources");
    let paragraphs = tagdesk::synth::paragraphs(&seeds)?;
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bytes = (megabytes * 1024.0 * 1024.0) as usize;
    let text = tagdesk::synth::text(&paragraphs, bytes, seed);
    let sources = out.join("sources");
    std::fs::create_dir_all(&sources)?;
    std::fs::write(sources.join("big.txt"), &text)?;
    if !Project::is_project(&out) {
        Project::init(&out, Some(&sources), Some("synthetic"))?;
    }
    if annotations > 0 {
        let mut ws = Workspace::open(&out)?;
        tagdesk::synth::annotate(&mut ws, "big.txt", "synth", annotations, seed)?;
        let report = ws.save();
        anyhow::ensure!(report.errors.is_empty(), "{:?}", report.errors);
    }
    println!(
        "{}: {} bytes, {annotations} annotations",
        out.display(),
        text.len()
    );
    Ok(())
}
