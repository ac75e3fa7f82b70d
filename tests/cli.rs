//! The command line, run as a user would: the real binary.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{project_with, sample_copy};

fn tagdesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn init_makes_a_project_with_the_default_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("texts");
    std::fs::create_dir_all(sources.join("sub")).unwrap();
    std::fs::write(sources.join("sub/a.txt"), "John Kerry").unwrap();
    let project = dir.path().join("proj");
    let out = tagdesk(&[
        "init",
        path(&project),
        "--sources",
        path(&sources),
        "--name",
        "Talks",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("tagdesk.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["name"], "Talks");
    assert_eq!(manifest["sources"], "../texts");
    let labels: Vec<_> = manifest["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].clone())
        .collect();
    assert_eq!(labels, ["actor", "claim", "disagreement"]);
    let again = tagdesk(&["init", path(&project)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already a tagdesk project"));
}

#[test]
fn export_writes_jsonl_to_a_file_or_stdout() {
    let (dir, root) = sample_copy();
    let file = dir.path().join("out.jsonl");
    let out = tagdesk(&[
        "export",
        path(&root),
        "--format",
        "jsonl",
        "-o",
        path(&file),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&file).unwrap();
    let to_stdout = tagdesk(&["export", path(&root), "--format", "jsonl"]);
    assert_eq!(stdout(&to_stdout), written);
    assert!(written.lines().count() >= 5);
    for line in written.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in ["id", "annotator", "text", "spans", "label"] {
            assert!(record.get(key).is_some(), "{key} missing");
        }
    }
    let bad = tagdesk(&["export", path(&root), "--format", "xml"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn validate_exit_status_is_0_clean_1_problems_2_usage() {
    let (_dir, root) = sample_copy();
    let clean = tagdesk(&["validate", path(&root)]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}{}",
        stdout(&clean),
        stderr(&clean)
    );

    // Corrupt one annotation's text and add an unreadable source.
    let annotations = root.join("annotations");
    let annotator = std::fs::read_dir(&annotations)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let file = std::fs::read_dir(&annotator)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let json = std::fs::read_to_string(&file).unwrap();
    let (before, after) = json.split_once("\"text\": \"").unwrap();
    std::fs::write(&file, format!("{before}\"text\": \"XX{after}")).unwrap();
    std::fs::write(root.join("sources/bad.txt"), b"\xff\xfe").unwrap();
    let problems = tagdesk(&["validate", path(&root)]);
    assert_eq!(problems.status.code(), Some(1));
    let report = stdout(&problems);
    let lines: Vec<_> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("bad.txt") && l.contains("not UTF-8")),
        "{report}"
    );
    let file_line = lines.iter().find(|l| l.contains(".json:")).unwrap();
    assert!(file_line.contains("covers"), "{file_line}");
    // file:line: names the line of that annotation's id.
    let line_no: usize = file_line
        .split(".json:")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let on_disk = std::fs::read_to_string(&file).unwrap();
    assert!(on_disk.lines().nth(line_no - 1).unwrap().contains("\"id\""));

    let usage = tagdesk(&["validate", "/no/such/project"]);
    assert_eq!(usage.status.code(), Some(2));
    let missing_arg = tagdesk(&["validate"]);
    assert_eq!(missing_arg.status.code(), Some(2));
}

#[test]
fn stats_counts_per_label_per_annotator() {
    let (_dir, root) = project_with(&[("a.txt", "John Kerry met Sergey Lavrov.".as_bytes())]);
    let mut ws = tagdesk::core::Workspace::open(&root).unwrap();
    ws.add_span("a.txt", "ana", 0..10, "actor").unwrap();
    ws.add_span("a.txt", "ana", 15..28, "actor").unwrap();
    ws.add_span("a.txt", "ben", 0..29, "claim").unwrap();
    ws.save();
    let out = tagdesk(&["stats", path(&root), "--json"]);
    assert!(out.status.success());
    let stats: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(stats["documents"], 1);
    assert_eq!(stats["annotations"], 3);
    assert_eq!(stats["annotators"][0]["annotator"], "ana");
    assert_eq!(stats["annotators"][0]["per_label"]["actor"], 2);
    assert_eq!(stats["annotators"][0]["per_label"]["claim"], 0);
    assert_eq!(stats["annotators"][1]["per_label"]["claim"], 1);
    let table = stdout(&tagdesk(&["stats", path(&root)]));
    assert!(
        table.lines().any(|l| l.starts_with("ana")
            && l.split_whitespace().collect::<Vec<_>>() == ["ana", "1", "0", "2", "0", "0", "2"]),
        "{table}"
    );
}

#[test]
fn validate_write_reanchors_after_the_source_changed_and_flags_what_needs_a_person() {
    let (_dir, root) = sample_copy();
    let doc = root.join("sources/001_966120f5ee3f0c58.txt");
    let text = std::fs::read_to_string(&doc).unwrap();
    let edited = format!(
        "EDITOR'S NOTE: this transcript was corrected.\n\n{}",
        text.replace("is a road to nowhere", "is a road to somewhere")
    );
    std::fs::write(&doc, &edited).unwrap();

    let before = tagdesk(&["validate", path(&root)]);
    assert_eq!(before.status.code(), Some(1));
    let report = stdout(&before);
    assert!(report.contains("re-anchors them"), "{report}");
    assert!(report.contains("its text moved from"), "{report}");
    assert!(
        report.contains("needs review: its text was edited or removed"),
        "{report}"
    );

    let write = tagdesk(&["validate", "--write", path(&root)]);
    assert_eq!(
        write.status.code(),
        Some(1),
        "the edited span still needs a person"
    );
    let after = stdout(&write);
    assert!(
        !after.contains("its text moved from"),
        "moves are stored: {after}"
    );
    assert!(after.contains("needs review"), "{after}");

    // Every moved span covers its text again; the flagged one kept its place and says why.
    let ws = tagdesk::core::Workspace::open(&root).unwrap();
    let chars: Vec<char> = edited.chars().collect();
    for annotator in ["maria", "sam"] {
        let layer = ws.layer("001_966120f5ee3f0c58.txt", annotator).unwrap();
        for a in layer.annotations() {
            let covered: String = chars[a.start..a.end].iter().collect();
            if a.review().is_some() {
                assert!(a.text.contains("nowhere"));
            } else {
                assert_eq!(covered, a.text, "{annotator} {}", a.id);
            }
        }
    }
}

#[test]
fn a_failed_export_leaves_the_previous_file_alone() {
    let (dir, root) = sample_copy();
    let file = dir.path().join("out.jsonl");
    std::fs::write(&file, "previous export\n").unwrap();
    let unknown = tagdesk(&[
        "export",
        path(&root),
        "--format",
        "jsonl",
        "--annotator",
        "nobody",
        "-o",
        path(&file),
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("nobody"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous export\n");
    let ok = tagdesk(&[
        "export",
        path(&root),
        "--format",
        "jsonl",
        "--annotator",
        "sam",
        "-o",
        path(&file),
    ]);
    assert!(ok.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 5);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tagdesk-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
}

#[test]
fn export_import_and_convert_through_the_binary() {
    let (_dir, root) = sample_copy();
    let out = tempfile::tempdir().unwrap();
    // A folder format needs a folder.
    let no_dir = tagdesk(&["export", path(&root), "--format", "brat"]);
    assert_eq!(no_dir.status.code(), Some(1), "{}", stderr(&no_dir));
    assert!(stderr(&no_dir).contains("--output DIR"));
    let brat = out.path().join("brat");
    let exported = tagdesk(&[
        "export",
        path(&root),
        "--format",
        "brat",
        "--annotator",
        "sam",
        "-o",
        path(&brat),
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(
        stderr(&exported).contains("Exported 29 annotations"),
        "{}",
        stderr(&exported)
    );
    // Imported back as a new annotator: the same 29 spans, one step, saved.
    let imported = tagdesk(&[
        "import",
        path(&root),
        "--format",
        "brat",
        "--annotator",
        "sam-copy",
        path(&brat),
    ]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stderr(&imported).contains("Imported 29 annotations"),
        "{}",
        stderr(&imported)
    );
    let stats = tagdesk(&["stats", path(&root), "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert!(stats.to_string().contains("sam-copy"), "{stats}");
    // Again: nothing new, nothing doubled.
    let again = tagdesk(&[
        "import",
        path(&root),
        "--format",
        "brat",
        "--annotator",
        "sam-copy",
        path(&brat),
    ]);
    assert!(
        stderr(&again).contains("Imported 0 annotations"),
        "{}",
        stderr(&again)
    );
    assert!(
        stderr(&again).contains("were already there"),
        "{}",
        stderr(&again)
    );
    // convert brat → WebAnno TSV → CoNLL needs no project.
    let tsv = out.path().join("tsv");
    let converted = tagdesk(&[
        "convert",
        "--from",
        "brat",
        "--to",
        "webanno-tsv",
        path(&brat),
        path(&tsv),
    ]);
    assert!(converted.status.success(), "{}", stderr(&converted));
    let conll = out.path().join("all.conll");
    let converted = tagdesk(&[
        "convert",
        "--from",
        "webanno-tsv",
        "--to",
        "conll",
        path(&tsv),
        path(&conll),
    ]);
    assert!(converted.status.success(), "{}", stderr(&converted));
    assert!(
        std::fs::read_to_string(&conll)
            .unwrap()
            .contains("\tB-actor")
    );
    // brat → REFI-QDA → UIMA XMI → brat: the same spans at the end.
    let qdpx = out.path().join("all.qdpx");
    let xmi = out.path().join("xmi");
    let back = out.path().join("back");
    for (from, to, input, output) in [
        ("brat", "refi-qda", &brat, &qdpx),
        ("refi-qda", "uima-xmi", &qdpx, &xmi),
        ("uima-xmi", "brat", &xmi, &back),
    ] {
        let converted = tagdesk(&[
            "convert",
            "--from",
            from,
            "--to",
            to,
            path(input),
            path(output),
        ]);
        assert!(
            converted.status.success(),
            "{from} → {to}: {}",
            stderr(&converted)
        );
    }
    let spans = |dir: &std::path::Path| -> Vec<String> {
        let mut out: Vec<String> = tagdesk::formats::read(tagdesk::formats::Format::Brat, dir)
            .unwrap()
            .documents
            .iter()
            .flat_map(|d| d.layers.iter().flat_map(|l| &l.spans))
            .map(|s| format!("{} {:?}", s.label, s.pieces))
            .collect();
        out.sort();
        out
    };
    assert!(!spans(&brat).is_empty());
    assert_eq!(spans(&brat), spans(&back));
    // Bad input: a clear error, exit 1, nothing changed.
    let bad = out.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"x\", \"label\": [[0, 9, \"actor\"]]}\n").unwrap();
    let before = std::fs::read_dir(root.join("annotations")).unwrap().count();
    let failed = tagdesk(&[
        "import",
        path(&root),
        "--format",
        "doccano",
        "--annotator",
        "z",
        path(&bad),
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("bad.jsonl:1"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(
        std::fs::read_dir(root.join("annotations")).unwrap().count(),
        before
    );
}

#[test]
fn agree_reports_every_measure_as_json_csv_or_table_and_refuses_unknown_annotators() {
    let root = crate::support::sample_project();
    let out = tagdesk(&["agree", path(&root), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actor = value["exact"]["per_label"]["actor"]["mean"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&actor));
    assert_eq!(
        value["exact"]["annotators"],
        serde_json::json!(["maria", "sam"])
    );
    let table = tagdesk(&["agree", path(&root), "--labels", "actor"]);
    assert!(
        stdout(&table).contains("per label\n  actor"),
        "{}",
        stdout(&table)
    );
    // Token and character measures are in every output.
    let kappa = value["token"]["overall"]["cohen"][0][2].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&kappa));
    assert!(value["unitizing"]["per_label"]["actor"]["alpha"].is_number());
    let csv = tagdesk(&["agree", path(&root), "--csv", "--tokens", "words"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    let csv = stdout(&csv);
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("measure,scope,key,annotator_a,annotator_b,value,sd,pairs")
    );
    for measure in [
        "f1_exact,",
        "f1_overlap,",
        "f1_token,",
        "cohen_kappa,label,actor,maria,sam,",
        "fleiss_kappa,",
        "krippendorff_alpha,",
        "alpha_unitizing,",
    ] {
        assert!(csv.contains(measure), "{measure} missing:\n{csv}");
    }
    assert!(csv.lines().all(|l| l.split(',').count() == 8));
    let bad = tagdesk(&["agree", path(&root), "--annotators", "maria,nobody"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("nobody"));
}

#[test]
fn a_folder_per_annotator_imports_in_one_step_as_four_imports_do() {
    let example = crate::support::testdata()
        .join("bratiaa_4annotators")
        .join("example-project");
    let dir = tempfile::tempdir().unwrap();
    let (one, four) = (dir.path().join("one"), dir.path().join("four"));
    for project in [&one, &four] {
        let init = tagdesk(&[
            "init",
            path(project),
            "--sources",
            path(&example.join("Lisa")),
        ]);
        assert!(init.status.success(), "{}", stderr(&init));
    }
    for who in ["Lisa", "Maria", "Max", "Peter"] {
        let import = tagdesk(&[
            "import",
            path(&four),
            "--format",
            "brat",
            "--annotator",
            who,
            "--add-labels",
            path(&example.join(who)),
        ]);
        assert!(import.status.success(), "{}", stderr(&import));
    }
    // Without saying so, the folders are not annotators: nothing is imported, and the message
    // says what to do.
    let plain = tagdesk(&[
        "import",
        path(&one),
        "--format",
        "brat",
        "--add-labels",
        path(&example),
    ]);
    assert!(!plain.status.success());
    assert!(
        stderr(&plain).contains("--annotator-folders"),
        "{}",
        stderr(&plain)
    );
    assert!(!one.join("annotations").exists());
    let folders = tagdesk(&[
        "import",
        path(&one),
        "--format",
        "brat",
        "--annotator-folders",
        "--add-labels",
        path(&example),
    ]);
    assert!(folders.status.success(), "{}", stderr(&folders));
    assert!(
        stderr(&folders).contains("into 7 documents"),
        "{}",
        stderr(&folders)
    );
    let agree = |p: &Path| {
        let out = tagdesk(&["agree", path(p), "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let (a, b) = (agree(&one), agree(&four));
    assert_eq!(
        a["exact"]["annotators"],
        serde_json::json!(["Lisa", "Maria", "Max", "Peter"])
    );
    assert_eq!(a, b, "the same figures as four imports");
    // convert reads the same layout: every document once per annotator, named.
    let jsonl = dir.path().join("all.jsonl");
    let convert = tagdesk(&[
        "convert",
        "--from",
        "brat",
        "--to",
        "jsonl",
        "--annotator-folders",
        path(&example),
        path(&jsonl),
    ]);
    assert!(convert.status.success(), "{}", stderr(&convert));
    let mut who: Vec<String> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["annotator"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(who.len(), 28, "7 documents x 4 annotators");
    who.sort();
    who.dedup();
    assert_eq!(who, ["Lisa", "Maria", "Max", "Peter"]);
    // --annotator and --annotator-folders contradict each other.
    let both = tagdesk(&[
        "import",
        path(&one),
        "--format",
        "brat",
        "--annotator",
        "x",
        "--annotator-folders",
        path(&example),
    ]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn search_prints_each_match_with_its_place_and_refuses_a_bad_pattern() {
    let root = crate::support::sample_project();
    let out = tagdesk(&[
        "search",
        path(&root),
        r"\bLavrov\b",
        "--regex",
        "--case-sensitive",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "000_6960b4d936e3359c.txt:15:185: Korea and Japan. And both he and Sergey [Lavrov] at \
         their opening session of the talks h"
    );
    assert!(text.lines().all(|l| l.contains("[Lavrov]")));
    assert!(stderr(&out).contains(&format!("{} matches in 5 documents", text.lines().count())));
    // JSON lines carry code-point ranges into the text.
    let out = tagdesk(&["search", path(&root), "დონალდ", "--json"]);
    let hit: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    let doc = hit["document"].as_str().unwrap();
    let project = tagdesk::core::Project::open(&root).unwrap();
    let text = project.read_text(doc).unwrap().text;
    let at = |k: &str| usize::try_from(hit["range"][k].as_u64().unwrap()).unwrap();
    let range = at("start")..at("end");
    assert_eq!(text.slice(range), "დონალდ");
    // Nothing found: exit 1; a bad pattern: exit 2 with the reason.
    assert_eq!(
        tagdesk(&["search", path(&root), "zzqqxx"]).status.code(),
        Some(1)
    );
    let bad = tagdesk(&["search", path(&root), "(", "--regex"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not a valid pattern"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn completions_and_man_pages_come_from_the_command_definitions() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(args)
            .output()
            .unwrap()
    };
    let bash = run(&["completions", "bash"]);
    assert!(bash.status.success());
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(
        script.contains("_tagdesk") && script.contains("network") && script.contains("annotate")
    );
    let man = run(&["manpage"]);
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH tagdesk"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let written = run(&["manpage", dir.path().to_str().unwrap()]);
    assert!(written.status.success());
    let network = std::fs::read_to_string(dir.path().join("tagdesk-network.1")).unwrap();
    assert!(network.contains("aggregation"));
}

#[test]
fn desktop_install_registers_the_menu_entry_icons_and_mime_type_and_uninstall_removes_them() {
    let data = tempfile::tempdir().unwrap();
    let run = |action: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(["desktop", action])
            .env("XDG_DATA_HOME", data.path())
            .output()
            .unwrap()
    };
    let done = run("install");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let entry = std::fs::read_to_string(data.path().join("applications/tagdesk.desktop")).unwrap();
    assert!(entry.starts_with("[Desktop Entry]"));
    assert!(entry.contains("MimeType=application/x-tagdesk-project;"));
    // The entry runs this binary, quoted, with the file clicked.
    let exec = entry.lines().find(|l| l.starts_with("Exec=")).unwrap();
    assert!(
        exec.ends_with("%f") && exec.contains(env!("CARGO_BIN_EXE_tagdesk")),
        "{exec}"
    );
    let mime = std::fs::read_to_string(data.path().join("mime/packages/tagdesk.xml")).unwrap();
    assert!(roxmltree::Document::parse(&mime).is_ok());
    assert!(mime.contains("tagdesk.json"));
    for size in [32, 48, 64, 128, 256] {
        let png = data
            .path()
            .join(format!("icons/hicolor/{size}x{size}/apps/tagdesk.png"));
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
        let info = decoder.read_info().unwrap();
        assert_eq!(info.info().width, size);
    }
    assert!(
        data.path()
            .join("icons/hicolor/scalable/apps/tagdesk.svg")
            .is_file()
    );
    let gone = run("uninstall");
    assert!(gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stdout).contains("8 files removed"));
    assert!(!data.path().join("applications/tagdesk.desktop").exists());
}
