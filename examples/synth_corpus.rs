//! Makes a synthetic project for measuring: one long document built from the sample texts'
//! paragraphs in a seeded pseudo-random order, optionally with annotations.
//!
//! `cargo run --release --example synth_corpus -- OUT_DIR [MEGABYTES] [ANNOTATIONS] [SEED]`
//! (defaults: 5 MB, 0 annotations, seed 1). The same arguments give the same bytes.

use std::path::PathBuf;

use tagdesk::core::{Project, Workspace};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!("usage: synth_corpus OUT_DIR [MB] [ANNOTATIONS] [SEED]"))?);
    let megabytes: f64 = args.next().map_or(Ok(5.0), |s| s.parse())?;
    let annotations: usize = args.next().map_or(Ok(0), |s| s.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;

    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("projects/syria-talks/sources");
    let mut paragraphs = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&seeds)?.filter_map(Result::ok).map(|e| e.path()).collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path)?;
        paragraphs.extend(text.split('\n').filter(|p| p.len() > 40).map(str::to_owned));
    }
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let target = (megabytes * 1024.0 * 1024.0) as usize;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut text = String::with_capacity(target + 1024);
    while text.len() < target {
        text.push_str(&paragraphs[rng.usize(..paragraphs.len())]);
        text.push_str(if rng.u8(..10) == 0 { "\r\n" } else { "\n\n" });
    }
    let sources = out.join("sources");
    std::fs::create_dir_all(&sources)?;
    std::fs::write(sources.join("big.txt"), &text)?;
    if !Project::is_project(&out) {
        Project::init(&out, Some(&sources), Some("synthetic"))?;
    }
    if annotations > 0 {
        let mut ws = Workspace::open(&out)?;
        let source = ws.text("big.txt")?;
        let len = source.text.char_len();
        let labels = ["actor", "claim", "disagreement"];
        let mut made = 0;
        while made < annotations {
            let start = rng.usize(..len - 60);
            let range = source.text.snap_to_words(start..start + rng.usize(1..40));
            if let Some(range) = range
                && ws.add_span("big.txt", "synth", range, labels[rng.usize(..3)]).is_ok()
            {
                made += 1;
            }
        }
        let report = ws.save();
        anyhow::ensure!(report.errors.is_empty(), "{:?}", report.errors);
    }
    println!("{}: {} bytes, {annotations} annotations", out.display(), text.len());
    Ok(())
}
