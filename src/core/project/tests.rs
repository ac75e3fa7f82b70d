//! The project's file-level tests: atomic writes, batches.

use super::*;
use atomic::WRITEBACK_STEP;

#[test]
fn a_big_atomic_write_lands_whole_and_only_on_commit() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    std::fs::write(&path, "old").unwrap();
    // Odd-sized pieces past several writeback steps.
    let piece: Vec<u8> = (0..777_777u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut expected = Vec::new();
    let mut file = AtomicFile::create(&path).unwrap();
    for _ in 0..40 {
        file.write_all(&piece).unwrap();
        expected.extend_from_slice(&piece);
    }
    assert!(expected.len() as u64 > 3 * WRITEBACK_STEP);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"old",
        "nothing in place before commit"
    );
    file.commit().unwrap();
    assert!(std::fs::read(&path).unwrap() == expected);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left");
}

/// Every file name under `dir`, relative, sorted (temporary files included).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            out.extend(tree(&path).into_iter().map(|n| format!("{name}/{n}")));
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

#[test]
fn a_file_batch_changes_nothing_until_its_commit_and_everything_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.txt"), "old a").unwrap();
    let batch = FileBatch::new(root);
    batch.stage(1, &root.join("a.txt"), b"new a").unwrap();
    batch.stage(1, &root.join("sub/b.txt"), b"b").unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "old a"
    );
    assert!(!root.join("sub/b.txt").exists());
    // Dropped without a commit (an export that failed): nothing changed, nothing left over
    // but the folder the stage made.
    drop(batch);
    assert_eq!(tree(root), ["a.txt"]);
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "old a"
    );

    let batch = FileBatch::new(root);
    // Staged out of order (as threads do): the larger key is the later write and wins.
    batch.stage(7, &root.join("a.txt"), b"from 7").unwrap();
    batch.stage(3, &root.join("a.txt"), b"from 3").unwrap();
    batch.stage(3, &root.join("sub/b.txt"), b"b").unwrap();
    batch.commit().unwrap();
    assert_eq!(tree(root), ["a.txt", "sub/b.txt"], "no temporary file left");
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "from 7"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("sub/b.txt")).unwrap(),
        "b"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &str| {
            std::fs::metadata(root.join(p))
                .unwrap()
                .permissions()
                .mode()
        };
        assert_eq!(
            mode("sub/b.txt") & 0o777,
            0o644,
            "a new file is readable by all"
        );
        std::fs::set_permissions(root.join("a.txt"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        let batch = FileBatch::new(root);
        batch.stage(0, &root.join("a.txt"), b"again").unwrap();
        batch.commit().unwrap();
        assert_eq!(
            mode("a.txt") & 0o777,
            0o600,
            "a replaced file keeps its permissions"
        );
    }
}

#[test]
fn relative_sources_path() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("proj");
    let b = dir.path().join("texts/news");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    assert_eq!(relative_or_absolute(&b, &a), "../texts/news");
    assert_eq!(relative_or_absolute(&a, &a), ".");
}

#[test]
fn annotator_names() {
    assert!(valid_annotator_name("ana").is_ok());
    assert!(valid_annotator_name("Ana María").is_ok());
    assert!(valid_annotator_name("").is_err());
    assert!(valid_annotator_name("../x").is_err());
    assert!(valid_annotator_name("_curated").is_err());
}

#[test]
fn document_paths() {
    assert!(valid_document_path("a/b.txt"));
    assert!(!valid_document_path("../b.txt"));
    assert!(!valid_document_path("/etc/passwd"));
    assert!(!valid_document_path(""));
}

#[test]
fn content_hash_is_sha256() {
    assert_eq!(
        content_hash(b"abc"),
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
