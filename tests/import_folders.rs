//! `tagdesk import --annotator-folders` (issue 37): one annotator's folder at a time, and all
//! of them or nothing — a bad folder, a full disk or a crash anywhere leaves the project as it
//! was (or, past the commit point, with everything once it is opened again).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tagdesk::core::Workspace;

use crate::support::{files_under, layers_summary, project_with};

const ANNOTATORS: [&str; 3] = ["ana", "ben", "cleo"];
const DOCUMENTS: usize = 12;

fn text(i: usize) -> String {
    format!("Kerry met Lavrov in Geneva on day {i}.")
}

/// brat-iaa's layout: `DIR/<annotator>/dNN.txt` and `.ann`, `annotation.conf` beside the
/// folders. Each annotator tags "Kerry" and, for all but `ana`, "Lavrov".
fn brat_folders(dir: &Path) -> PathBuf {
    let brat = dir.join("brat");
    for (n, who) in ANNOTATORS.iter().enumerate() {
        let folder = brat.join(who);
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..DOCUMENTS {
            std::fs::write(folder.join(format!("d{i:02}.txt")), text(i)).unwrap();
            let mut ann = "T1\tactor 0 5\tKerry\n".to_owned();
            if n > 0 {
                ann.push_str("T2\tperson 10 16\tLavrov\n");
            }
            std::fs::write(folder.join(format!("d{i:02}.ann")), ann).unwrap();
        }
    }
    std::fs::write(brat.join("annotation.conf"), "[entities]\nactor\nperson\n").unwrap();
    brat
}

fn import(root: &Path, brat: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    cmd.args(["import", s(root), "--format", "brat", "--annotator-folders"])
        .args(["--add-labels", "--add-documents", s(brat)]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(root)
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            (rel, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// What three one-annotator imports of the same folders make: the reference.
fn imported_one_by_one(brat: &Path) -> (tempfile::TempDir, Vec<String>) {
    let (dir, root) = project_with(&[]);
    for who in ANNOTATORS {
        let out = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(["import", s(&root), "--format", "brat", "--annotator", who])
            .args(["--add-labels", "--add-documents", s(&brat.join(who))])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let summary = layers_summary(&Workspace::open(&root).unwrap());
    (dir, summary)
}

#[test]
fn a_folder_per_annotator_into_an_empty_project_adds_the_documents_once_and_every_layer() {
    let (dir, root) = project_with(&[]);
    let brat = brat_folders(dir.path());
    let out = import(&root, &brat, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            "Imported {} annotations and 0 relations into {DOCUMENTS} documents",
            DOCUMENTS * 5
        )),
        "{said}"
    );
    // The documents were added once (by the first folder), the labels once, from the conf
    // beside the folders.
    assert_eq!(said.matches("Added documents").count(), 1, "{said}");
    assert!(said.contains("Added to the schema: label person"), "{said}");
    let ws = Workspace::open(&root).unwrap();
    assert_eq!(ws.project().documents.len(), DOCUMENTS);
    let (_reference_dir, reference) = imported_one_by_one(&brat);
    assert_eq!(layers_summary(&ws), reference, "as three imports make it");
    // One commit, finished: no record and no temporary file left.
    assert_eq!(
        std::fs::read_dir(root.join(".tagdesk/commits")).map_or(0, Iterator::count),
        0
    );
    assert!(
        files_under(&root)
            .iter()
            .all(|p| !p.to_string_lossy().contains(".tagdesk-tmp")),
        "no temporary file left"
    );
}

#[test]
fn a_bad_last_folder_leaves_the_project_as_it_was() {
    for (what, spoil) in [
        (
            "an .ann that does not parse",
            (|brat: &Path| std::fs::write(brat.join("cleo/d05.ann"), "T1\tactor 0\tKerry\n"))
                as fn(&Path) -> std::io::Result<()>,
        ),
        ("another text under the same name", |brat: &Path| {
            std::fs::write(
                brat.join("cleo/d05.txt"),
                "Another text altogether, not d05.",
            )
        }),
    ] {
        let (dir, root) = project_with(&[]);
        let brat = brat_folders(dir.path());
        spoil(&brat).unwrap();
        let before = snapshot(&root);
        let out = import(&root, &brat, &[]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {said}");
        assert!(said.contains("nothing was imported"), "{what}: {said}");
        assert!(said.contains("cleo"), "{what}: names the folder: {said}");
        assert!(said.contains("d05"), "{what}: names the file: {said}");
        assert!(
            !said.contains("Imported"),
            "{what}: no success line: {said}"
        );
        // The documents and labels the first two folders added are taken back.
        assert!(
            snapshot(&root) == before,
            "{what}: the project is as it was"
        );
    }
}

#[test]
fn a_document_outside_the_annotators_folders_is_named_and_nothing_is_imported() {
    let (dir, root) = project_with(&[]);
    let brat = brat_folders(dir.path());
    std::fs::write(brat.join("stray.txt"), "Stray.").unwrap();
    std::fs::write(brat.join("stray.ann"), "T1\tactor 0 5\tStray\n").unwrap();
    let before = snapshot(&root);
    let out = import(&root, &brat, &[]);
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("stray.ann"), "{said}");
    assert!(said.contains("not inside an annotator's folder"), "{said}");
    assert_eq!(snapshot(&root), before);
}

/// A disk that fills at any write of the import — a new document, the manifest, any staged
/// layer file of any annotator, the commit record: the import either fails with the project
/// as it was and no success line, or (the fault past its last write) succeeds whole.
#[test]
fn a_disk_that_fills_at_any_write_leaves_all_or_nothing() {
    let (dir, _) = project_with(&[]);
    let brat = brat_folders(dir.path());
    let (_reference_dir, reference) = imported_one_by_one(&brat);
    let mut failed = 0;
    for at in 1.. {
        let (_d, root) = project_with(&[]);
        let before = snapshot(&root);
        let fault = format!("nospace@{at}+");
        let out = import(&root, &brat, &[("TAGDESK_INJECT_FAULT", &fault)]);
        let said = stderr(&out);
        if out.status.success() {
            assert_eq!(
                layers_summary(&Workspace::open(&root).unwrap()),
                reference,
                "{fault}"
            );
            break;
        }
        failed += 1;
        assert!(
            !said.contains("Imported"),
            "{fault}: no success line: {said}"
        );
        assert!(said.contains("nothing was imported"), "{fault}: {said}");
        assert!(snapshot(&root) == before, "{fault}: the project as it was");
        assert!(at < 200, "the import ends up succeeding");
    }
    // Documents, manifest, 36 layer files, the record: every one of them was a failure point.
    assert!(failed > 3 * DOCUMENTS, "{failed} failure points");
}

/// A crash at any point of the commit: the next open finds every annotator's layers or none.
#[test]
fn a_crash_during_the_commit_leaves_every_annotators_layers_or_none() {
    let (dir, _) = project_with(&[]);
    let brat = brat_folders(dir.path());
    let (_reference_dir, reference) = imported_one_by_one(&brat);
    let layers = ANNOTATORS.len() * DOCUMENTS;
    for (point, all) in [
        ("staged", false),
        ("recorded", true),
        // Each new annotator's folder is one rename: after the first, after the third.
        ("renamed:1", true),
        ("renamed:3", true),
    ] {
        let (_d, root) = project_with(&[]);
        let out = import(&root, &brat, &[("TAGDESK_TEST_CRASH_AFTER", point)]);
        assert!(!out.status.success(), "{point}: the process crashed");
        let ws = Workspace::open(&root).unwrap();
        let found = ws.project().layers.len();
        if all {
            assert_eq!(found, layers, "{point}");
            assert_eq!(layers_summary(&ws), reference, "{point}");
        } else {
            assert_eq!(found, 0, "{point}: no annotator's layer");
            // The import can be run again, whole.
            drop(ws);
            let again = import(&root, &brat, &[]);
            assert!(again.status.success(), "{point}: {}", stderr(&again));
            let ws = Workspace::open(&root).unwrap();
            assert_eq!(layers_summary(&ws), reference, "{point}: run again");
        }
    }
}

/// The folder formats tagdesk exports for several annotators (`<annotator>/<document>`, the
/// type system or conf beside the folders) import back one annotator at a time, whole.
#[test]
fn each_folder_export_of_several_annotators_imports_back_one_annotator_at_a_time() {
    let (_sample_dir, sample) = crate::support::sample_copy();
    let original = Workspace::open(&sample).unwrap();
    assert!(
        original.project().annotators().len() >= 2,
        "several annotators"
    );
    for format in ["brat", "uima-xmi", "webanno-tsv"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("export");
        let export = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(["export", s(&sample), "--format", format, "-o", s(&out)])
            .output()
            .unwrap();
        assert!(export.status.success(), "{format}: {}", stderr(&export));
        let (_d, root) = project_with(&[]);
        let import = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args([
                "import",
                s(&root),
                "--format",
                format,
                "--annotator-folders",
            ])
            .args(["--add-labels", "--add-documents", s(&out)])
            .output()
            .unwrap();
        assert!(import.status.success(), "{format}: {}", stderr(&import));
        let back = Workspace::open(&root).unwrap();
        let spans = |ws: &Workspace| -> Vec<String> {
            let mut all: Vec<String> = ws
                .project()
                .layers
                .iter()
                .flat_map(|(k, l)| {
                    l.annotations().iter().map(move |a| {
                        format!(
                            "{} {} {}-{} {}",
                            k.document, k.annotator, a.start, a.end, a.label
                        )
                    })
                })
                .collect();
            all.sort();
            all
        };
        assert_eq!(spans(&back), spans(&original), "{format}");
    }
}
