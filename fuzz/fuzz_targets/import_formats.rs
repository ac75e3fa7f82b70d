//! Any bytes as an input file of every importable format: a corpus, or an error naming the
//! file — never a panic. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagdesk::formats::{self, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let importable: Vec<Format> = Format::all().filter(|f| f.can_import()).collect();
    let format = importable[usize::from(pick) % importable.len()];
    let dir = tempfile::tempdir().unwrap();
    // brat reads the .txt beside the .ann: give it one half as text, the other as annotations.
    let input = if format == Format::Brat {
        let (ann, txt) = body.split_at(body.len() / 2);
        std::fs::write(dir.path().join("doc.txt"), txt).unwrap();
        std::fs::write(dir.path().join("doc.ann"), ann).unwrap();
        dir.path().join("doc.ann")
    } else {
        let path = dir.path().join("input");
        std::fs::write(&path, body).unwrap();
        path
    };
    if let Err(err) = formats::read(format, &input) {
        let message = err.to_string();
        assert!(message.contains("doc.") || message.contains("input"), "{message}");
    }
});
