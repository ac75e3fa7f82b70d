//! Sources as analysts get them: converters, news-database batches split with their metadata,
//! duplicates, bad and hostile input, and the intake into a project (all or nothing).

use std::path::{Path, PathBuf};
use std::process::Command;

use tagdesk::formats::sources::{self, convert_file};

use crate::support::{sample_copy, testdata};

fn nexis(name: &str) -> PathBuf {
    testdata().join("nexis").join(name)
}

/// (date, outlet, title) of each article, as the classic TXT and the Nexis Uni DOCX give them.
fn rows(file: &Path) -> Vec<(String, String, String)> {
    let converted = convert_file(file).unwrap();
    let (batch, articles) = sources::articles(&converted);
    assert!(batch.is_some(), "{} is a batch", file.display());
    articles
        .into_iter()
        .map(|a| (a.date, a.outlet, a.title))
        .collect()
}

#[test]
fn the_classic_nexis_batch_makes_ten_articles_with_their_metadata() {
    let got = rows(&nexis("sample.TXT"));
    assert_eq!(got.len(), 10);
    let want = [
        ("2010-01-11", "Guardian.com", "Lorem ipsum dolor sit amet"),
        ("2010-01-11", "Guardian", "Lorem ipsum dolor sit amet"),
        (
            "2010-01-11",
            "The Sun (England)",
            "Lorem ipsum dolor sit amet",
        ),
        (
            "2010-01-08",
            "Guardian",
            "ranch noble ash voice declaration",
        ),
        (
            "2010-01-10",
            "MAIL ON SUNDAY (London)",
            "PRISONER OF HIS OWN CABINET",
        ),
        (
            "2010-01-10",
            "Sunday Mirror",
            "R (programming language) on Wikipedia",
        ),
        ("2010-01-09", "DAILY MAIL (London)", "Wikipedia"),
    ];
    for (date, outlet, title) in want {
        assert!(
            got.iter()
                .any(|(d, o, t)| d == date && o == outlet && t == title),
            "{date} {outlet} {title} in {got:#?}"
        );
    }
    let converted = convert_file(&nexis("sample.TXT")).unwrap();
    let (_, articles) = sources::articles(&converted);
    let first = &articles[0];
    assert_eq!(first.byline, "Andrew Sparrow");
    assert_eq!(first.length, "355 words");
    // The cover page and the trailer are not part of any article.
    for a in &articles {
        assert!(!a.text.contains("Download Request"), "{}", a.title);
        assert!(!a.text.contains("LOAD-DATE"), "{}", a.title);
        assert!(!a.text.contains("BYLINE:"), "{}", a.title);
        assert!(a.text.starts_with(&a.title), "the headline opens the text");
    }
}

#[test]
fn the_nexis_uni_docx_makes_ten_articles_with_their_metadata() {
    let got = rows(&nexis("sample.DOCX"));
    assert_eq!(got.len(), 10);
    assert_eq!(
        got[0],
        (
            "2019-07-01T09:20".to_owned(),
            "The Guardian(London)".to_owned(),
            "Lorem ipsum dolor sit amet".to_owned()
        )
    );
    assert_eq!(got[6].2, "Sample Headline");
    assert_eq!(got[9].2, "What is Wikipedia");
    assert!(
        got.iter()
            .all(|(d, o, _)| d.starts_with("2019-07-0") && o == "The Guardian(London)")
    );
    let converted = convert_file(&nexis("sample.DOCX")).unwrap();
    let (_, articles) = sources::articles(&converted);
    assert_eq!(articles[0].section, "POLITICS; Version:28");
    assert_eq!(articles[0].length, "355 words");
    assert_eq!(
        articles[0].byline,
        "Mattha Busby (now), Andrew Sparrow (earlier)"
    );
    for a in &articles {
        assert!(
            !a.text.contains("Client/Matter"),
            "no cover page in {}",
            a.title
        );
        assert!(!a.text.contains("End of Document"), "{}", a.title);
        assert!(!a.text.contains("Load-Date"), "{}", a.title);
    }
}

#[test]
fn the_same_story_twice_is_flagged_with_its_similarity() {
    let plan = sources::plan(&[nexis("sample.TXT")]).unwrap();
    let flagged: Vec<(usize, usize, f64)> = plan
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.duplicate_of.map(|(first, s)| (first, i, s)))
        .collect();
    assert!(!flagged.is_empty(), "the batch repeats a story");
    for (first, second, similarity) in &flagged {
        assert!(first < second && *similarity >= 0.95);
        assert_eq!(plan[*first].article.date, plan[*second].article.date);
    }
    // Across two batches too: the same file twice is all duplicates.
    let twice = sources::plan(&[nexis("sample.TXT"), nexis("sample.TXT")]).unwrap();
    assert!(twice[10..].iter().all(|p| p.duplicate_of.is_some()));
}

fn tagdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn inspect_shows_the_table_and_writes_nothing() {
    let out = tagdesk(&["sources", "inspect", nexis("sample.DOCX").to_str().unwrap()]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Nexis Uni batch, 10 articles"), "{table}");
    assert!(table.contains("2019-07-01T09:20"), "{table}");
    assert!(table.contains("Sample Headline"), "{table}");
    let json = tagdesk(&[
        "sources",
        "inspect",
        "--json",
        nexis("sample.TXT").to_str().unwrap(),
    ]);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 10);
    assert_eq!(rows[0]["outlet"], "Guardian.com");
}

#[test]
fn add_makes_the_documents_with_their_metadata_and_titles() {
    let (_dir, root) = sample_copy();
    let before = tagdesk::core::Project::open(&root).unwrap().documents.len();
    let out = tagdesk(&[
        "sources",
        "add",
        root.to_str().unwrap(),
        nexis("sample.DOCX").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = tagdesk::core::Project::open(&root).unwrap();
    assert_eq!(project.documents.len(), before + 10);
    let meta = project.metadata.get("sample-01.txt").expect("metadata");
    assert_eq!(meta.date, "2019-07-01T09:20");
    assert_eq!(meta.source, "The Guardian(London)");
    assert_eq!(meta.title, "Lorem ipsum dolor sit amet");
    assert_eq!(
        meta.extra["byline"],
        "Mattha Busby (now), Andrew Sparrow (earlier)"
    );
    assert_eq!(meta.extra["position"], "1");
    assert!(
        meta.extra["original"].ends_with("nexis/sample.DOCX")
            && Path::new(&meta.extra["original"]).is_absolute(),
        "the original's whole path, to convert it again: {}",
        meta.extra["original"]
    );
    assert!(meta.extra["original_sha256"].starts_with("sha256:"));
    let text = project.read_text("sample-07.txt").unwrap();
    assert!(text.text.as_str().starts_with("Sample Headline\n\n"));
    // `metadata --export`: outlet as source, headline as title, the rest as further columns.
    let csv = root.parent().unwrap().join("meta.csv");
    assert!(
        tagdesk(&[
            "metadata",
            root.to_str().unwrap(),
            "--export",
            csv.to_str().unwrap()
        ])
        .status
        .success()
    );
    let table = std::fs::read_to_string(&csv).unwrap();
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("document,date,source,title,section,"),
        "{header}"
    );
    assert!(
        header.contains("byline") && header.contains("position"),
        "{header}"
    );
    // Adding the same batch again changes nothing: the documents exist.
    let again = tagdesk(&[
        "sources",
        "add",
        root.to_str().unwrap(),
        nexis("sample.DOCX").to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        tagdesk::core::Project::open(&root).unwrap().documents.len(),
        before + 10
    );
}

#[test]
fn a_full_disk_leaves_no_document_and_no_metadata() {
    let (_dir, root) = sample_copy();
    let documents = std::fs::read_dir(root.join("sources")).map_or(0, Iterator::count);
    let metadata = std::fs::read(root.join("metadata.json")).ok();
    for at in ["nospace@1", "nospace@5", "nospace@11"] {
        let out = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(["sources", "add", root.to_str().unwrap()])
            .arg(nexis("sample.DOCX"))
            .env("TAGDESK_INJECT_FAULT", at)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{at}");
        assert!(
            said.contains("No space") || said.contains("space"),
            "{at}: {said}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("added"),
            "{at}: no success line"
        );
        assert_eq!(
            std::fs::read_dir(root.join("sources")).map_or(0, Iterator::count),
            documents,
            "{at}: no document left"
        );
        assert_eq!(
            std::fs::read(root.join("metadata.json")).ok(),
            metadata,
            "{at}"
        );
    }
}

#[test]
fn malformed_files_are_refused_with_their_name_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.docx");
    std::fs::write(&junk, b"\x00\x01 this is not a zip file at all").unwrap();
    let truncated = dir.path().join("truncated.docx");
    let whole = std::fs::read(nexis("sample.DOCX")).unwrap();
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9").unwrap();
    for (file, says) in [
        (&junk, "damaged"),
        (&truncated, "damaged"),
        (&latin1, "not UTF-8"),
    ] {
        let err = convert_file(file).unwrap_err().to_string();
        assert!(
            err.contains(file.to_str().unwrap()) && err.contains(says),
            "{err}"
        );
    }
    let (_tmp, root) = sample_copy();
    let before = std::fs::read_dir(root.join("sources")).map_or(0, Iterator::count);
    let out = tagdesk(&[
        "sources",
        "add",
        root.to_str().unwrap(),
        nexis("sample.DOCX").to_str().unwrap(),
        junk.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.docx"));
    assert_eq!(
        std::fs::read_dir(root.join("sources")).map_or(0, Iterator::count),
        before
    );
}

/// A zip bomb: a member that unpacks to more than the limit is refused, within the limit's
/// memory, not unpacked.
#[test]
fn a_zip_bomb_and_an_entity_expansion_are_refused() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.docx");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", options).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..80 {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
    }
    assert!(
        std::fs::metadata(&bomb).unwrap().len() < 1 << 20,
        "small on disk"
    );
    let err = convert_file(&bomb).unwrap_err().to_string();
    assert!(err.contains("MiB"), "{err}");
    let laughs = dir.path().join("laughs.docx");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&laughs).unwrap());
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(
            br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"#,
        )
        .unwrap();
        zip.finish().unwrap();
    }
    let err = convert_file(&laughs).unwrap_err().to_string();
    assert!(
        err.contains("not well-formed") || err.contains("DTD"),
        "{err}"
    );
}

/// Each fixture made by `LibreOffice` (`tests/data/sources/make.sh`: Word, `OpenDocument`, EPUB,
/// XHTML, HTML with `<pre>`, RTF) converts to exactly the text it
/// was made from: paragraphs as lines, nothing added, scripts as they were.
#[test]
fn word_opendocument_and_epub_fixtures_convert_to_their_text() {
    let dir = testdata().join("sources");
    for (name, kinds) in [
        ("english", &["docx", "odt", "epub", "html", "rtf"][..]),
        ("georgian", &["docx", "odt", "epub", "html", "rtf"][..]),
        ("arabic", &["docx", "odt", "epub", "html", "rtf"][..]),
        ("english-pre", &["html"][..]),
    ] {
        let want = std::fs::read_to_string(dir.join(format!("{name}.expected.txt"))).unwrap();
        let want = want.strip_suffix('\n').unwrap_or(&want);
        for ext in kinds {
            let file = dir.join(format!("{name}.{ext}"));
            let got = convert_file(&file).unwrap().text;
            if got != want {
                let line = got
                    .lines()
                    .zip(want.lines())
                    .position(|(a, b)| a != b)
                    .map_or_else(
                        || "the line count".to_owned(),
                        |l| format!("line {}", l + 1),
                    );
                let at = got.lines().zip(want.lines()).find(|(a, b)| a != b);
                panic!("{}: differs at {line}: {at:?}", file.display());
            }
        }
    }
}

/// RTF: deep nesting is refused within a fixed depth, not recursed into; a file that is not RTF
/// says so; a code page other than Windows-1252 is decoded as the document declares it.
#[test]
fn rtf_bounds_and_code_pages() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.rtf");
    let mut bytes = b"{\\rtf1 ".to_vec();
    bytes.extend(std::iter::repeat_n(b'{', 200_000));
    std::fs::write(&deep, &bytes).unwrap();
    let err = convert_file(&deep).unwrap_err().to_string();
    assert!(
        err.contains("deep.rtf") && err.contains("nest deeper"),
        "{err}"
    );
    let fake = dir.path().join("fake.rtf");
    std::fs::write(&fake, "plain words").unwrap();
    assert!(
        convert_file(&fake)
            .unwrap_err()
            .to_string()
            .contains("not an RTF")
    );
    // Cyrillic in Windows-1251 hex escapes, a Unicode escape with its fallback, and a \par.
    let cyrillic = dir.path().join("cp1251.rtf");
    std::fs::write(
        &cyrillic,
        "{\\rtf1\\ansi\\ansicpg1251{\\fonttbl{\\f0 Arial;}}\\f0 \\'cc\\'ee\\'f1\\'ea\\'e2\\'e0\\par \\u1076?\\'e0}",
    )
    .unwrap();
    assert_eq!(convert_file(&cyrillic).unwrap().text, "Москва\nда");
}

/// The Nexis Uni batch as RTF and as HTML (the other layouts it is delivered in) splits into the
/// same ten articles as its DOCX; given together, they are duplicates of each other, and their
/// documents are told apart by the extension.
#[test]
fn the_nexis_uni_batch_as_rtf_and_html_splits_as_its_docx() {
    let docx = rows(&nexis("sample.DOCX"));
    assert_eq!(rows(&nexis("nexis-uni.rtf")), docx);
    assert_eq!(rows(&nexis("nexis-uni.html")), docx);
    let plan = sources::plan(&[nexis("nexis-uni.rtf"), nexis("nexis-uni.html")]).unwrap();
    assert_eq!(plan.len(), 20);
    assert_eq!(plan[0].document, "nexis-uni-rtf-01.txt");
    assert_eq!(plan[10].document, "nexis-uni-html-01.txt");
    assert!(plan[10..].iter().all(|p| p.duplicate_of.is_some()));
}

/// Factiva's "Full Article/Report plus Indexing" layout, as HTML (field tables) and as RTF
/// (a paragraph per field code): three articles in English, German and French, with source,
/// date, byline, section and length; the lead and the text are the body; indexing and the
/// accession number are not part of it.
#[test]
fn a_factiva_batch_splits_from_html_and_from_rtf_alike() {
    let dir = testdata().join("factiva");
    let read = |name: &str| {
        let converted = convert_file(&dir.join(name)).unwrap();
        let (batch, articles) = sources::articles(&converted);
        assert_eq!(batch, Some("Factiva"), "{name}");
        articles
    };
    let html = read("batch.html");
    let rtf = read("batch.rtf");
    assert_eq!(html, rtf, "the same articles from both layouts");
    let rows: Vec<(&str, &str, &str)> = html
        .iter()
        .map(|a| (a.date.as_str(), a.outlet.as_str(), a.title.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "2016-09-09",
                "The Example Times",
                "Kerry and Lavrov meet again in Geneva"
            ),
            (
                "2016-09-10",
                "Beispiel-Zeitung",
                "Waffenruhe für Syrien vereinbart"
            ),
            (
                "2016-09-10",
                "Le Journal d'exemple",
                "Accord sur une trêve en Syrie"
            ),
        ]
    );
    let first = &html[0];
    assert_eq!(first.byline, "By Anne Example");
    assert_eq!(first.section, "World");
    assert_eq!(first.length, "61 words");
    assert!(
        first
            .text
            .starts_with("Kerry and Lavrov meet again in Geneva\n\nU.S. Secretary")
    );
    assert!(
        first
            .text
            .contains("Lavrov said Moscow would not accept conditions on Aleppo.")
    );
    for a in &html {
        assert!(!a.text.contains("Document "), "{}", a.title);
        assert!(!a.text.contains("usdos") && !a.text.contains("searchContext"));
    }
}

/// `tagdesk init` over a downloads folder that holds Word files and batches makes a project of
/// all of it: the text files as they are, the batch converted and split (its duplicates left
/// out); a file that cannot be converted is named and nothing of the sources is added.
#[test]
fn init_over_a_downloads_folder_converts_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("texts");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "A text.").unwrap();
    std::fs::copy(nexis("sample.DOCX"), folder.join("batch.docx")).unwrap();
    let proj = dir.path().join("proj");
    let out = tagdesk(&[
        "init",
        proj.to_str().unwrap(),
        "--sources",
        folder.to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("Converted 1 source file(s) into 10 documents"),
        "{said}"
    );
    let project = tagdesk::core::Project::open(&proj).unwrap();
    assert_eq!(project.documents.len(), 11);
    assert_eq!(
        project.metadata.get("batch-01.txt").unwrap().extra["position"],
        "1"
    );
    // A damaged Word file among them: named; the project is there, no source was added.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("a.txt"), "A text.").unwrap();
    std::fs::copy(nexis("sample.DOCX"), bad.join("batch.docx")).unwrap();
    std::fs::write(bad.join("broken.docx"), b"PK\x03\x04 not a zip").unwrap();
    let proj = dir.path().join("proj2");
    let out = tagdesk(&[
        "init",
        proj.to_str().unwrap(),
        "--sources",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("broken.docx") && said.contains("not converted"),
        "{said}"
    );
    assert_eq!(
        tagdesk::core::Project::open(&proj).unwrap().documents.len(),
        1
    );
}

fn words_of(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// PDFs made by `LibreOffice`: the text layer gives the words of the text they were made from,
/// in order (lines wrap where the page did). Right-to-left text comes back in reading order
/// too: the Arabic letters, the Latin names and the numbers inside its lines.
#[test]
fn pdf_fixtures_give_their_text_in_reading_order() {
    let dir = testdata().join("sources");
    let want = std::fs::read_to_string(dir.join("arabic.expected.txt")).unwrap();
    // Two places where the PDF itself says something else than was typed (its ToUnicode map,
    // checked by hand): the damma over "أُعلن" is drawn with the code it maps to "o", and the
    // closing guillemet of «الهدنة … الجميع» with the opening one's.
    let want = want.replace("أُعلن", "أoعلن").replace("الجميع»", "الجميع«");
    let got = convert_file(&dir.join("arabic.pdf")).unwrap().text;
    assert_eq!(words_of(&got), words_of(&want), "arabic.pdf");
    assert!(
        got.contains("قال وزير الخارجية الأمريكي John Kerry يوم الجمعة"),
        "{got}"
    );
    // The same text with its paragraphs running right to left (the other way a page can set
    // it): the runs of a line stand the other way round, and read back the same. This PDF maps
    // the damma to "W", and keeps the closing guillemet.
    let want = std::fs::read_to_string(dir.join("arabic.expected.txt")).unwrap();
    let got = convert_file(&dir.join("arabic-rtl.pdf")).unwrap().text;
    let want = want.replace("أُعلن", "أWعلن");
    assert_eq!(words_of(&got), words_of(&want), "arabic-rtl.pdf");
    assert!(
        got.contains("المتحدة (UN) إلى") && got.contains("Staffan de Mistura أن"),
        "{got}"
    );
    for name in ["english", "georgian"] {
        let want = std::fs::read_to_string(dir.join(format!("{name}.expected.txt"))).unwrap();
        let got = convert_file(&dir.join(format!("{name}.pdf"))).unwrap().text;
        // A line the page broke after a word's hyphen ("hand-" / "wringing") is one word again.
        let mut joined = String::new();
        for line in got.lines() {
            joined.push_str(line);
            let mut end = line.chars().rev();
            let word_hyphen =
                end.next() == Some('-') && end.next().is_some_and(char::is_alphanumeric);
            if !word_hyphen {
                joined.push('\n');
            }
        }
        let got = joined;
        assert_eq!(words_of(&got), words_of(&want), "{name}.pdf");
    }
}

/// The Nexis Uni batch as PDF (the third layout it is delivered in) splits into the ten
/// articles, with the DOCX's dates and outlets, and its headlines (letters the page set apart
/// aside). Read through the CLI, so the text is taken out in the bounded child process.
#[test]
fn the_nexis_uni_batch_as_pdf_splits_in_the_child_process() {
    let out = tagdesk(&[
        "sources",
        "inspect",
        "--json",
        nexis("nexis-uni.pdf").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    for (row, (date, outlet, title)) in rows.iter().zip(self::rows(&nexis("sample.DOCX"))) {
        assert_eq!(row["date"], date.as_str());
        assert_eq!(row["outlet"], outlet.as_str());
        assert_eq!(squeeze(row["title"].as_str().unwrap()), squeeze(&title));
    }
}

/// A PDF without a text layer, an encrypted one and one whose page tree loops are refused with
/// their name and why, through the child process and in this one alike, and nothing hangs.
#[test]
fn pdfs_without_text_encrypted_or_looping_are_refused() {
    let dir = testdata().join("pdf");
    for (name, says) in [
        ("no-text-layer.pdf", "run OCR first"),
        ("encrypted.pdf", "encrypted"),
        ("loop.pdf", "run OCR first"),
    ] {
        let file = dir.join(name);
        let here = convert_file(&file).unwrap_err().to_string();
        assert!(here.contains(name) && here.contains(says), "{here}");
        let out = tagdesk(&["sources", "inspect", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(name) && said.contains(says), "{said}");
    }
}

/// The plan counts the files it has read (the window's progress bar), and a cancelled plan
/// reads no more and ends as cancelled.
#[test]
fn a_plan_counts_its_files_and_stops_when_cancelled() {
    let files = [
        nexis("sample.TXT"),
        nexis("sample.DOCX"),
        nexis("nexis-uni.html"),
    ];
    let progress = sources::Progress::default();
    let plan = sources::plan_watched(&files, &progress).unwrap();
    assert_eq!(plan.len(), 30);
    assert_eq!(progress.done.load(std::sync::atomic::Ordering::Relaxed), 3);
    let cancelled = sources::Progress::default();
    cancelled
        .cancel
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let err = sources::plan_watched(&files, &cancelled)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cancelled"), "{err}");
    assert_eq!(cancelled.done.load(std::sync::atomic::Ordering::Relaxed), 0);
}

/// The head a Nexis Uni PDF repeats atop each page an article runs on to ("Page 5 of 25" and
/// the headline again) is not part of the article: each article's body from the PDF has the
/// words of the same article from the DOCX, and no page line.
#[test]
fn the_nexis_uni_pdf_articles_leave_the_page_heads_out() {
    let bodies = |file: &std::path::Path| {
        let converted = convert_file(file).unwrap();
        sources::articles(&converted)
            .1
            .into_iter()
            .map(|a| a.text)
            .collect::<Vec<_>>()
    };
    let from_pdf = bodies(&nexis("nexis-uni.pdf"));
    let from_docx = bodies(&nexis("sample.DOCX"));
    assert_eq!(from_pdf.len(), from_docx.len());
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    for (n, (pdf, docx)) in from_pdf.iter().zip(&from_docx).enumerate() {
        assert!(!pdf.lines().any(|l| l.starts_with("Page ")), "{n}: {pdf}");
        assert_eq!(squeeze(pdf), squeeze(docx), "article {}", n + 1);
    }
}
