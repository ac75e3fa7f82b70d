//! Discourse Network Analyzer databases: DNA's sample imported gives DNA's own published
//! network figures (rDNA's tests), every statement at exactly DNA's place (UTF-16 offsets
//! converted, emoji included), edge cases, and malformed databases refused with the table
//! and row, nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;

use tagdesk::core::Workspace;

use crate::support::testdata;

fn sample() -> PathBuf {
    testdata().join("dna/sample.dna")
}

fn tagdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

/// A new empty project, and the result of importing `dna` into it.
fn imported(dna: &Path) -> (tempfile::TempDir, PathBuf, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(&root).unwrap();
    tagdesk::core::Project::init(&root, None, Some("dna")).unwrap();
    let out = tagdesk(&[
        "import",
        root.to_str().unwrap(),
        "--format",
        "dna",
        dna.to_str().unwrap(),
    ]);
    (dir, root, out)
}

/// A CSV matrix of whole numbers (counts): (row names, column names, values).
fn matrix(csv: &str) -> (Vec<String>, Vec<String>, Vec<Vec<i64>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    let mut records = reader.records().map(Result::unwrap);
    let header = records.next().unwrap();
    let columns: Vec<String> = header.iter().skip(1).map(str::to_owned).collect();
    let (mut rows, mut values) = (Vec::new(), Vec::new());
    for r in records {
        rows.push(r[0].to_owned());
        values.push(r.iter().skip(1).map(|x| x.parse().unwrap()).collect());
    }
    (rows, columns, values)
}

fn network(root: &Path, args: &[&str]) -> String {
    let mut all = vec!["network", root.to_str().unwrap(), "--format", "csv"];
    all.extend_from_slice(args);
    let out = tagdesk(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn dnas_sample_gives_dnas_published_networks() {
    let (_dir, root, out) = imported(&sample());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("7 documents, 41 statements by 2 (Coder 1, Coder 2), 20 entities"),
        "{said}"
    );
    assert!(
        said.contains("not carried over: 20 entity colours"),
        "{said}"
    );
    // rDNA: dna_network(networkType = "twomode"): 7 × 6, sum 40, "Ener*  2  0".
    let (rows, columns, values) = matrix(&network(
        &root,
        &["--mode", "twomode", "--aggregation", "ignore"],
    ));
    assert_eq!((rows.len(), columns.len()), (7, 6));
    assert_eq!(values.iter().flatten().sum::<i64>(), 40);
    assert_eq!(rows[0], "Alliance to Save Energy");
    assert_eq!(columns[0], "CO2 legislation will not hurt the economy.");
    let energy = rows.iter().position(|r| r.starts_with("Energy")).unwrap();
    assert_eq!(values[energy][..2], [2, 0]);
    // dna_network(networkType = "onemode"): 7 × 7, sum 276, "Envi*  10  2".
    let (rows, columns, values) = matrix(&network(
        &root,
        &["--mode", "onemode", "--aggregation", "ignore"],
    ));
    assert_eq!((rows.len(), columns.len()), (7, 7));
    assert_eq!(values.iter().flatten().sum::<i64>(), 276);
    let epa = rows
        .iter()
        .position(|r| r.starts_with("Environmental"))
        .unwrap();
    assert_eq!(values[epa][..2], [10, 2]);
    // The dates DNA prints (Start: 2005-01-26, Stop: 2005-02-16) are the documents' dates.
    let ws = Workspace::open(&root).unwrap();
    let dates: Vec<&str> = ws
        .project()
        .metadata
        .documents()
        .values()
        .map(|m| m.date.as_str())
        .collect();
    assert_eq!(dates.iter().min(), Some(&"2005-01-26"));
    assert_eq!(dates.iter().max(), Some(&"2005-02-16"));
    // One coder's statements only: Coder 1 made all 40 DNA statements, Coder 2 none.
    let one = network(
        &root,
        &[
            "--mode",
            "twomode",
            "--aggregation",
            "ignore",
            "--annotator",
            "Coder 1",
        ],
    );
    assert_eq!(matrix(&one).2.iter().flatten().sum::<i64>(), 40);
    let other = network(
        &root,
        &[
            "--mode",
            "twomode",
            "--aggregation",
            "ignore",
            "--annotator",
            "Coder 2",
        ],
    );
    assert_eq!(matrix(&other).2.iter().flatten().sum::<i64>(), 0);
}

#[test]
fn every_statement_is_at_dnas_place_with_its_variables() {
    let (_dir, root, out) = imported(&sample());
    assert!(out.status.success());
    let db = tagdesk::formats::dna::read(&sample()).unwrap();
    let mut ws = Workspace::open(&root).unwrap();
    let mut checked = 0;
    for s in &db.statements {
        let doc = db.documents.iter().find(|d| d.id == s.document).unwrap();
        let units: Vec<u16> = doc.text.encode_utf16().collect();
        let want = String::from_utf16(&units[s.start..s.stop]).unwrap();
        let name = ws
            .project()
            .metadata
            .documents()
            .iter()
            .find(|(_, m)| m.extra.get("dna_id") == Some(&doc.id.to_string()))
            .map(|(d, _)| d.clone())
            .unwrap();
        let coder = &db
            .coders
            .iter()
            .find(|c| Some(c.id) == s.coder)
            .unwrap()
            .name;
        let text = ws.text(&name).unwrap().text.as_str().to_owned();
        let layer = ws.layer(&name, coder).unwrap();
        let span = layer
            .annotations()
            .iter()
            .find(|a| a.id.as_str() == format!("{:016x}", s.id))
            .unwrap();
        let got: String = text
            .chars()
            .skip(span.start)
            .take(span.end - span.start)
            .collect();
        assert_eq!(got, want, "statement {}", s.id);
        checked += 1;
    }
    assert_eq!(checked, 41);
    // A statement's organization is a span linked to the entity, by a relation named after it.
    let layer = ws
        .project()
        .layers
        .values()
        .find(|l| !l.relations().is_empty())
        .unwrap();
    let r = layer
        .relations()
        .iter()
        .find(|r| r.kind == "organization")
        .unwrap();
    let target = layer.get(&r.to).unwrap();
    assert_eq!(target.label.as_str(), "organization");
    // The entities keep DNA's attributes; the schema knows them.
    let epa = ws
        .project()
        .entities
        .entities()
        .iter()
        .find(|e| e.name == "Environmental Protection Agency")
        .unwrap();
    assert!(!epa.attributes.is_empty(), "{epa:?}");
}

/// A copy of the sample with its statements and documents replaced, for the edge cases.
fn edge_case_db(dir: &Path) -> PathBuf {
    let path = dir.join("edge.dna");
    std::fs::copy(sample(), &path).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "DELETE FROM DATABOOLEAN; DELETE FROM DATAINTEGER; DELETE FROM DATASHORTTEXT;
         DELETE FROM DATALONGTEXT; DELETE FROM STATEMENTS; DELETE FROM DOCUMENTS;",
    )
    .unwrap();
    // Two emoji (two UTF-16 units each) and a Georgian word before the statement.
    let text = "🙂🌍 ქართული: the Senate backs cap and trade.";
    c.execute(
        "INSERT INTO DOCUMENTS (ID, Title, Text, Coder, Author, Source, Section, Notes, Type, Date)
         VALUES (1, 'Emoji', ?1, 2, 'A. Author', 'Paper', 'World', '', 'news', 1106700000)",
        [text],
    )
    .unwrap();
    let units: Vec<u16> = text.encode_utf16().collect();
    let start = String::from_utf16(&units)
        .unwrap()
        .encode_utf16()
        .take_while(|_| true)
        .count()
        - "the Senate backs cap and trade.".encode_utf16().count();
    let stop = units.len() - 1;
    c.execute(
        "INSERT INTO STATEMENTS (ID, StatementTypeId, DocumentId, Start, Stop, Coder) VALUES (1, 1, 1, ?1, ?2, 2)",
        [i64::try_from(start).unwrap(), i64::try_from(stop).unwrap()],
    )
    .unwrap();
    // Organization set, concept empty (left unset), agreement yes; and an Annotation statement
    // (another type) with a long-text note.
    c.execute_batch(
        "INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity)
           SELECT 1, 2, ID FROM ENTITIES WHERE VariableId = 2 AND Value = 'Senate';
         INSERT INTO DATABOOLEAN (StatementId, VariableId, Value) VALUES (1, 4, 1);
         INSERT INTO STATEMENTS (ID, StatementTypeId, DocumentId, Start, Stop, Coder) VALUES (2, 3, 1, 0, 4, 3);
         INSERT INTO DATALONGTEXT (StatementId, VariableId, Value) VALUES (2, 11, 'two emoji');",
    )
    .unwrap();
    path
}

#[test]
fn emoji_empty_variables_and_two_statement_types() {
    let dir = tempfile::tempdir().unwrap();
    let db = edge_case_db(dir.path());
    let (_d, root, out) = imported(&db);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("empty entity variables (left unset)"),
        "{said}"
    );
    let mut ws = Workspace::open(&root).unwrap();
    let doc = ws.project().documents[0].path.clone();
    let text = ws.text(&doc).unwrap().text.as_str().to_owned();
    let statement = ws
        .layer(&doc, "Coder 1")
        .unwrap()
        .annotations()
        .iter()
        .find(|a| a.label.as_str() == "DNA Statement")
        .unwrap()
        .clone();
    let got: String = text
        .chars()
        .skip(statement.start)
        .take(statement.end - statement.start)
        .collect();
    assert_eq!(got, "the Senate backs cap and trade");
    assert_eq!(
        statement.attributes.get("agreement"),
        Some(&tagdesk::core::schema::AttributeValue::Text("yes".into()))
    );
    assert!(
        !statement.attributes.contains_key("entity"),
        "no concept: none linked"
    );
    let note = ws
        .layer(&doc, "Coder 2")
        .unwrap()
        .annotations()
        .iter()
        .find(|a| a.label.as_str() == "Annotation")
        .unwrap()
        .clone();
    assert_eq!(note.note(), Some("note: two emoji"));
    assert_eq!(note.end - note.start, 2, "two emoji are two characters");
    let meta = ws.project().metadata.get(&doc).unwrap().clone();
    assert_eq!(meta.date, "2005-01-26T00:40");
    assert_eq!(meta.extra["author"], "A. Author");
}

#[test]
fn malformed_databases_are_refused_naming_the_table_and_row_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.dna");
    std::fs::write(&junk, "this is not a database").unwrap();
    let no_table = dir.path().join("no-table.dna");
    std::fs::copy(sample(), &no_table).unwrap();
    rusqlite::Connection::open(&no_table)
        .unwrap()
        .execute_batch("DROP TABLE DATASHORTTEXT;")
        .unwrap();
    let past_end = dir.path().join("past-end.dna");
    std::fs::copy(sample(), &past_end).unwrap();
    rusqlite::Connection::open(&past_end)
        .unwrap()
        .execute_batch("UPDATE STATEMENTS SET Stop = 999999 WHERE ID = 7;")
        .unwrap();
    for (file, want) in [
        (&junk, "not a DNA database"),
        (&no_table, "the table DATASHORTTEXT is missing"),
        (&past_end, "table STATEMENTS, row 7"),
    ] {
        let (_d, root, out) = imported(file);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}", file.display());
        assert!(said.contains(want), "{}: {said}", file.display());
        assert!(said.contains("nothing was imported"), "{said}");
        let project = tagdesk::core::Project::open(&root).unwrap();
        assert!(project.documents.is_empty() && project.layers.is_empty());
        assert!(project.entities.is_empty());
    }
}

/// A statement as DNA holds it: (document title, coder, covered text, statement type, and every
/// variable's value by name).
type DnaStatement = (String, String, String, String, Vec<(String, String)>);

fn statements_of(db: &tagdesk::formats::dna::Database) -> Vec<DnaStatement> {
    let mut out = Vec::new();
    for s in &db.statements {
        let doc = db.documents.iter().find(|d| d.id == s.document).unwrap();
        let units: Vec<u16> = doc.text.encode_utf16().collect();
        let text = String::from_utf16(&units[s.start..s.stop]).unwrap();
        let coder = db
            .coders
            .iter()
            .find(|c| Some(c.id) == s.coder)
            .unwrap()
            .name
            .clone();
        let kind = db
            .statement_types
            .iter()
            .find(|t| t.id == s.type_id)
            .unwrap()
            .label
            .clone();
        let mut values = Vec::new();
        for v in db.variables.iter().filter(|v| v.type_id == s.type_id) {
            let value = match v.data_type.as_str() {
                "short text" => db
                    .short_texts
                    .iter()
                    .find(|d| d.statement == s.id && d.variable == v.id)
                    .and_then(|d| db.entities.iter().find(|e| e.id == d.entity))
                    .map(|e| e.value.clone())
                    .filter(|v| !v.is_empty()),
                "boolean" => db
                    .booleans
                    .iter()
                    .find(|d| d.statement == s.id && d.variable == v.id)
                    .map(|d| d.value.to_string()),
                _ => None,
            };
            if let Some(value) = value {
                values.push((v.name.clone(), value));
            }
        }
        values.sort();
        out.push((doc.title.clone(), coder, text, kind, values));
    }
    out.sort();
    out
}

#[test]
fn a_dna_database_comes_back_whole_through_tagdesk() {
    let (dir, root, out) = imported(&sample());
    assert!(out.status.success());
    let back = dir.path().join("back.dna");
    let written = tagdesk(&[
        "export",
        root.to_str().unwrap(),
        "--format",
        "dna",
        "-o",
        back.to_str().unwrap(),
    ]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    // DNA → tagdesk → DNA: the same statements, with the same coders, places and values.
    let (before, after) = (
        tagdesk::formats::dna::read(&sample()).unwrap(),
        tagdesk::formats::dna::read(&back).unwrap(),
    );
    assert_eq!(statements_of(&after), statements_of(&before));
    // The tables are DNA 3's own.
    let tables = |p: &Path| -> Vec<String> {
        let c = rusqlite::Connection::open(p).unwrap();
        let mut q = c
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        q.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(tables(&back), tables(&sample()));
    // → tagdesk again: DNA's figures still.
    let (_d2, again, out) = imported(&back);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, _, values) = matrix(&network(
        &again,
        &["--mode", "onemode", "--aggregation", "ignore"],
    ));
    assert_eq!(values.iter().flatten().sum::<i64>(), 276);
    // Never into the project.
    let inside = tagdesk(&[
        "export",
        root.to_str().unwrap(),
        "--format",
        "dna",
        "-o",
        root.join("x.dna").to_str().unwrap(),
    ]);
    assert!(!inside.status.success());
}

/// Any two entity variables, as DNA allows: person × organization.
#[test]
fn a_network_over_any_two_entity_variables() {
    let (_dir, root, out) = imported(&sample());
    assert!(out.status.success());
    let db = tagdesk::formats::dna::read(&sample()).unwrap();
    // DNA's count: statements of type 1 with both a person and an organization.
    let with = |var: i64, s: i64| {
        db.short_texts.iter().any(|d| {
            d.statement == s
                && d.variable == var
                && db
                    .entities
                    .iter()
                    .any(|e| e.id == d.entity && !e.value.is_empty())
        })
    };
    let both = db
        .statements
        .iter()
        .filter(|s| s.type_id == 1 && with(1, s.id) && with(2, s.id))
        .count();
    let csv = network(
        &root,
        &[
            "--mode",
            "twomode",
            "--actor-relation",
            "person",
            "--concept-relation",
            "organization",
        ],
    );
    let (rows, columns, values) = matrix(&csv);
    assert!(
        columns
            .iter()
            .any(|c| c == "Environmental Protection Agency"),
        "{csv}"
    );
    assert!(!rows.is_empty());
    assert_eq!(
        usize::try_from(values.iter().flatten().sum::<i64>()).unwrap(),
        both
    );
}
