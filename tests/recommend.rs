//! Suggestions that learn (`core::recommend`), run as a user would: the CoNLL-2002 Spanish
//! documents imported as one annotator's coding, then `tagdesk suggest --evaluate`.

use std::path::Path;
use std::process::Command;

use crate::support::testdata;

fn tagdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tagdesk"))
        .args(args)
        .output()
        .unwrap()
}

fn conll_project(dir: &Path) -> std::path::PathBuf {
    let corpus = testdata().join("brat_corpora/CoNLL-ST_2002/esp");
    let root = dir.join("esp");
    for args in [
        vec![
            "init",
            root.to_str().unwrap(),
            "--sources",
            corpus.to_str().unwrap(),
        ],
        vec![
            "import",
            root.to_str().unwrap(),
            "--format",
            "brat",
            "--annotator",
            "gold",
            "--add-labels",
            corpus.to_str().unwrap(),
        ],
    ] {
        let out = tagdesk(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    root
}

/// 5-fold cross-validation by document on the ten documents gives the committed table, figure
/// for figure (training is deterministic), for the learned recommender and for string matching.
#[test]
fn the_cross_validation_of_the_conll_documents_gives_the_committed_figures() {
    let dir = tempfile::tempdir().unwrap();
    let root = conll_project(dir.path());
    let out = tagdesk(&["suggest", root.to_str().unwrap(), "--evaluate", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(testdata().join("recommend/conll2002-esp-5fold.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(got, want);
    // The table says the same in words.
    let out = tagdesk(&[
        "suggest",
        root.to_str().unwrap(),
        "--evaluate",
        "--folds",
        "5",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("5-fold cross-validation by document (10 documents)"),
        "{table}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("all (micro)")),
        "{table}"
    );
}

/// A label with too few coded spans, too many folds, or an unknown annotator are refused with
/// what to do, and exit non-zero.
#[test]
fn evaluating_what_cannot_be_learned_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = conll_project(dir.path());
    let root = root.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--label", "nothing"],
            "label \"nothing\" has 0 coded span(s)",
        ),
        (vec!["--folds", "11"], "11 folds need at least 11 documents"),
        (vec!["--annotator", "nobody"], "no annotator \"nobody\""),
    ] {
        let mut all = vec!["suggest", root, "--evaluate"];
        all.extend(args);
        let out = tagdesk(&all);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(says), "{said}");
    }
}

mod learning {
    //! The model trained from a project as the window and `suggest --apply-to` train it.

    use std::path::{Path, PathBuf};
    use std::sync::atomic::AtomicBool;

    use tagdesk::core::faults::{self, Fault, Plan};
    use tagdesk::core::recommend::{
        Example, RecommendError, Recommender, Snapshot, Span, Training, learn, model_path,
    };
    use tagdesk::core::suggest::{Rejected, Settings};
    use tagdesk::core::{LayerKey, Workspace};

    use crate::support::{char_offset_of, project_with};

    use crate::support::MINISTERS as TEXTS;

    fn word(doc: usize, w: &str) -> std::ops::Range<usize> {
        let start = char_offset_of(TEXTS[doc].1, w, 0);
        start..start + w.chars().count()
    }

    /// Ana coded the actors of a.txt and b.txt.
    fn coded() -> (tempfile::TempDir, PathBuf) {
        let files: Vec<(&str, &[u8])> = TEXTS.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
        let (dir, root) = project_with(&files);
        let mut ws = Workspace::open(&root).unwrap();
        for (doc, w) in [(0, "Lavrov"), (0, "Kerry"), (1, "Zarif"), (1, "Kerry")] {
            ws.add_span(TEXTS[doc].0, "ana", word(doc, w), "actor")
                .unwrap();
        }
        assert!(ws.save().errors.is_empty());
        (dir, root)
    }

    fn snapshot(root: &Path, rejected: Vec<Rejected>) -> Snapshot {
        let ws = Workspace::open(root).unwrap();
        let mut snapshot = Snapshot::of(ws.project(), "ana", &Settings::default(), true);
        snapshot.labels = vec!["actor".to_owned(), "claim".to_owned()];
        snapshot.rejected = rejected;
        snapshot.rank = true;
        snapshot
    }

    fn finds(model: &Recommender, doc: usize) -> Vec<Span> {
        model
            .find(TEXTS[doc].1, &[])
            .0
            .into_iter()
            .map(|f| f.span)
            .collect()
    }

    fn merkel() -> Span {
        Span {
            range: word(2, "Merkel"),
            label: "actor".to_owned(),
        }
    }

    #[test]
    fn a_project_trains_a_model_that_is_measured_stored_and_read_back_the_same() {
        let (_dir, root) = coded();
        let never = AtomicBool::new(false);
        let learned = learn(&snapshot(&root, Vec::new()), Training::default(), &never).unwrap();
        assert_eq!(learned.labels.get("actor"), Some(&4));
        assert_eq!(learned.skipped.get("claim"), Some(&0), "too few claims");
        assert_eq!(learned.documents, 2);
        let evaluation = learned.evaluation.as_ref().unwrap();
        assert_eq!(evaluation.folds, 2);
        assert!(learned.model.f1["actor"] > 0.0);
        // The documents not coded, most unsure first, each once.
        let unsure: Vec<&str> = learned.unsure.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(unsure.len(), 2);
        assert!(unsure.contains(&"c.txt") && unsure.contains(&"d.txt"));
        assert!(learned.unsure[0].1 >= learned.unsure[1].1);
        // A name never coded, found by its company.
        assert!(finds(&learned.model, 2).contains(&merkel()));
        // Stored under .tagdesk; read back, it suggests the same, as sure, with its figures.
        let path = learned.stored.as_ref().unwrap();
        assert_eq!(*path, model_path(&root, "ana"));
        assert!(path.starts_with(root.join(".tagdesk")));
        let bytes = std::fs::read(path).unwrap();
        let back = Recommender::from_bytes(&bytes).unwrap();
        assert_eq!(
            back.find(TEXTS[2].1, &[]),
            learned.model.find(TEXTS[2].1, &[])
        );
        assert_eq!(back.f1, learned.model.f1);
        assert_eq!(back.to_bytes(), bytes, "the stored form is stable");
        // A cut file is refused with the reason.
        let err = Recommender::from_bytes(&bytes[..bytes.len() - 10])
            .err()
            .unwrap();
        assert!(err.contains("bytes long"), "{err}");
        // The same coding trains the same model.
        let again = learn(&snapshot(&root, Vec::new()), Training::default(), &never).unwrap();
        assert_eq!(again.model.to_bytes(), bytes);
    }

    #[test]
    fn a_rejected_suggestion_is_not_suggested_again_and_teaches_the_model() {
        let (_dir, root) = coded();
        let never = AtomicBool::new(false);
        let learned = learn(&snapshot(&root, Vec::new()), Training::default(), &never).unwrap();
        let (found, _) = learned.model.find(TEXTS[2].1, &[]);
        let mut settings = Settings::default();
        let shown = settings.admit_learned("c.txt", &found, &learned.model.f1, None, &[]);
        let suggestion = shown
            .iter()
            .find(|s| s.range == merkel().range)
            .expect("Merkel is suggested")
            .clone();
        // Delete on it: never shown again by this model…
        settings.reject("c.txt", &suggestion);
        let shown = settings.admit_learned("c.txt", &found, &learned.model.f1, None, &[]);
        assert!(!shown.iter().any(|s| s.range == merkel().range));
        // …and the next model learns the words as not a name.
        let rejected: Vec<Rejected> = settings.rejected.iter().cloned().collect();
        let next = learn(&snapshot(&root, rejected), Training::default(), &never).unwrap();
        assert!(
            !finds(&next.model, 2).contains(&merkel()),
            "{:?}",
            finds(&next.model, 2)
        );
    }

    #[test]
    fn too_little_coding_is_refused_in_plain_words() {
        let files: Vec<(&str, &[u8])> = TEXTS.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
        let (_dir, root) = project_with(&files);
        let never = AtomicBool::new(false);
        let mut ws = Workspace::open(&root).unwrap();
        ws.add_span("a.txt", "ana", word(0, "Lavrov"), "actor")
            .unwrap();
        assert!(ws.save().errors.is_empty());
        let err = learn(&snapshot(&root, Vec::new()), Training::default(), &never)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "label \"actor\" has 1 coded span(s) in the documents learned from; the model needs at least 2"
        );
        let mut none = snapshot(&root, Vec::new());
        none.labels.clear();
        assert!(matches!(
            learn(&none, Training::default(), &never),
            Err(RecommendError::NoLabels)
        ));
        // One example of a label, straight to the trainer: refused the same way.
        let one = [Example::coded(
            TEXTS[0].1,
            vec![Span {
                range: word(0, "Lavrov"),
                label: "actor".to_owned(),
            }],
        )];
        assert!(matches!(
            Recommender::train(
                &one,
                &["actor".to_owned()],
                Training::default(),
                &std::collections::BTreeMap::default()
            ),
            Err(RecommendError::TooFewExamples { found: 1, .. })
        ));
    }

    #[test]
    fn cancelled_learning_stops_and_stores_nothing() {
        let (_dir, root) = coded();
        let cancel = AtomicBool::new(true);
        assert!(matches!(
            learn(&snapshot(&root, Vec::new()), Training::default(), &cancel),
            Err(RecommendError::Cancelled)
        ));
        assert!(!model_path(&root, "ana").exists());
    }

    /// The model is a cache: a disk that refuses it leaves the model in use and says so,
    /// and nothing half-written is left where the next opening would read it.
    #[test]
    fn a_model_that_cannot_be_written_is_reported_and_not_left_half_written() {
        for fault in [Fault::NoSpace, Fault::Short, Fault::Io] {
            let (_dir, root) = coded();
            let never = AtomicBool::new(false);
            let armed = faults::arm(
                &root,
                Plan {
                    fault,
                    at: 1,
                    persistent: true,
                },
            );
            let learned = learn(&snapshot(&root, Vec::new()), Training::default(), &never).unwrap();
            drop(armed);
            let err = learned.stored.expect_err("the write failed");
            assert!(err.contains("ana.model"), "{fault:?}: {err}");
            let path = model_path(&root, "ana");
            assert!(
                !path.exists() || Recommender::from_bytes(&std::fs::read(&path).unwrap()).is_ok(),
                "{fault:?}: nothing half-written"
            );
            assert!(
                finds(&learned.model, 2).contains(&merkel()),
                "still suggests"
            );
        }
    }

    /// Claims coded as whole sentences, with a stance: the claim label is learned by sentence,
    /// and a new sentence phrased the same way is suggested whole, with a stance.
    #[test]
    fn claims_coded_as_sentences_are_suggested_as_sentences_with_a_stance() {
        let texts = [
            (
                "a.txt",
                "Lavrov said the ceasefire must hold. The weather was fine. Kerry said the talks must go on.",
                ["support", "support"].as_slice(),
            ),
            (
                "b.txt",
                "Assad said the rebels must leave. The hall was full. Zarif said sanctions must end.",
                ["oppose", "oppose"].as_slice(),
            ),
            (
                "c.txt",
                "Merkel said the border must close. Lunch was served late.",
                ["support"].as_slice(),
            ),
            (
                "d.txt",
                "Putin said the bombing must continue. The cars were parked outside.",
                ["oppose"].as_slice(),
            ),
            (
                "e.txt",
                "Obama said the war must stop. The room was cold.",
                [].as_slice(),
            ),
        ];
        let files: Vec<(&str, &[u8])> = texts.iter().map(|(p, t, _)| (*p, t.as_bytes())).collect();
        let (_dir, root) = project_with(&files);
        let mut ws = Workspace::open(&root).unwrap();
        let at = |text: &str, part: &str| {
            let start = char_offset_of(text, part, 0);
            start..start + part.chars().count()
        };
        for (doc, text, stances) in &texts {
            let claims: Vec<&str> = text
                .split_inclusive(". ")
                .map(str::trim_end)
                .filter(|s| s.contains(" said "))
                .collect();
            for (claim, stance) in claims.iter().zip(stances.iter()) {
                let actor = claim.split(' ').next().unwrap();
                ws.add_span(doc, "ana", at(text, actor), "actor").unwrap();
                let id = ws.add_span(doc, "ana", at(text, claim), "claim").unwrap();
                let key = LayerKey {
                    document: (*doc).to_owned(),
                    annotator: "ana".to_owned(),
                };
                ws.set_attribute(
                    &key,
                    &id,
                    "stance",
                    Some(tagdesk::core::schema::AttributeValue::Text(
                        (*stance).to_owned(),
                    )),
                )
                .unwrap();
            }
        }
        assert!(ws.save().errors.is_empty());
        let never = AtomicBool::new(false);
        let learned = learn(&snapshot(&root, Vec::new()), Training::default(), &never).unwrap();
        let kinds = learned.model.kinds();
        assert_eq!(kinds["claim"], tagdesk::core::recommend::Kind::Sentence);
        assert_eq!(kinds["actor"], tagdesk::core::recommend::Kind::Span);
        let evaluation = learned.evaluation.as_ref().unwrap();
        assert_eq!(
            evaluation.kinds["claim"],
            tagdesk::core::recommend::Kind::Sentence
        );
        let text = texts[4].1;
        let (found, _) = learned.model.find(text, &[]);
        let claim = found
            .iter()
            .find(|f| f.span.label == "claim")
            .expect("a claim is suggested");
        assert_eq!(claim.span.range, at(text, "Obama said the war must stop."));
        assert!(claim.confidence >= 0.5);
        let stance = claim.attributes.iter().find(|(k, _)| k == "stance");
        assert!(
            stance.is_some_and(|(_, v)| v == "support" || v == "oppose"),
            "{:?}",
            claim.attributes
        );
    }

    /// Learning from everyone: each annotator's layer is an example, and the cross-validation
    /// holds a document's layers in one fold; from the annotator's own coding, only theirs.
    #[test]
    fn the_model_learns_from_the_chosen_layers() {
        let files: Vec<(&str, &[u8])> = TEXTS.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
        let (_dir, root) = project_with(&files);
        let mut ws = Workspace::open(&root).unwrap();
        for (who, doc, w) in [
            ("ana", 0, "Lavrov"),
            ("ana", 0, "Kerry"),
            ("bob", 0, "Lavrov"),
            ("bob", 1, "Zarif"),
            ("bob", 1, "Kerry"),
        ] {
            ws.add_span(TEXTS[doc].0, who, word(doc, w), "actor")
                .unwrap();
        }
        assert!(ws.save().errors.is_empty());
        let never = AtomicBool::new(false);
        let mut settings = Settings::default();
        let learned_with = |settings: &Settings| {
            let ws = Workspace::open(&root).unwrap();
            let mut snapshot = Snapshot::of(ws.project(), "ana", settings, true);
            snapshot.labels = vec!["actor".to_owned()];
            learn(&snapshot, Training::default(), &never).unwrap()
        };
        let mine = learned_with(&settings);
        assert_eq!(mine.labels["actor"], 2);
        assert_eq!(mine.documents, 1);
        assert!(
            mine.evaluation.is_err(),
            "one coded document cannot be measured"
        );
        settings.learned.from = tagdesk::core::suggest::LearnFrom::Everyone;
        let everyone = learned_with(&settings);
        assert_eq!(everyone.labels["actor"], 5);
        assert_eq!(everyone.documents, 2);
        let evaluation = everyone.evaluation.as_ref().unwrap();
        assert_eq!((evaluation.folds, evaluation.documents), (2, 2));
        settings.learned.from = tagdesk::core::suggest::LearnFrom::Curated;
        let ws = Workspace::open(&root).unwrap();
        let snapshot = Snapshot::of(ws.project(), "ana", &settings, true);
        assert!(snapshot.layers.is_empty(), "no curated layer yet");
        assert_eq!(
            snapshot.coded_by_annotator,
            std::collections::BTreeSet::from(["a.txt".to_owned()])
        );
    }

    /// The entity registry is part of the gazetteer: each entity's name and aliases with the
    /// labels of the spans linked to it, or its kind's label when none is; and a trained model
    /// carries them.
    #[test]
    fn the_entity_registry_names_go_into_the_gazetteer() {
        let (_dir, root) = coded();
        let mut ws = Workspace::open(&root).unwrap();
        let key = LayerKey {
            document: "a.txt".to_owned(),
            annotator: "ana".to_owned(),
        };
        let lavrov = ws.project().layers[&key].annotations()[0].id.to_string();
        ws.link_new_entity(
            &key,
            &lavrov,
            tagdesk::core::entities::EntityKind::Actor,
            "Sergei Lavrov",
        )
        .unwrap();
        let (registry, id) = ws
            .project()
            .entities
            .with_new(
                tagdesk::core::entities::EntityKind::Actor,
                "Volodymyr Zelensky",
            )
            .unwrap();
        let registry = registry.with_alias(&id, "Zelensky").unwrap();
        let (registry, _) = registry
            .with_new(tagdesk::core::entities::EntityKind::Concept, "ceasefire")
            .unwrap();
        ws.replace_entities(registry, "entities").unwrap();
        assert!(ws.save().errors.is_empty());
        let labels = vec!["actor".to_owned()];
        let mut names = tagdesk::core::recommend::registry_names(
            &ws.project().entities,
            ws.project().layers.values(),
            &labels,
        );
        names.sort();
        let pairs: Vec<(&str, &str)> = names
            .iter()
            .map(|(n, l)| (n.as_str(), l.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("Lavrov", "actor"),
                ("Sergei Lavrov", "actor"),
                ("Volodymyr Zelensky", "actor"),
                ("Zelensky", "actor"),
            ],
            "a concept no span links to, with no label of its kind, is left out"
        );
        // The model learned from the project carries them (its stored header).
        let never = AtomicBool::new(false);
        let learned = learn(&snapshot(&root, Vec::new()), Training::default(), &never).unwrap();
        let bytes = learned.model.to_bytes();
        let header = String::from_utf8_lossy(&bytes[..memchr_newline(&bytes)]).to_string();
        assert!(header.contains("\"zelensky\":[\"actor\"]"), "{header}");
        assert!(header.contains("\"volodymyr\":[\"actor\"]"), "{header}");
    }

    fn memchr_newline(bytes: &[u8]) -> usize {
        bytes.iter().position(|&b| b == b'\n').unwrap()
    }

    fn layer_spans(root: &Path, doc: &str) -> Vec<(usize, usize, String)> {
        let ws = Workspace::open(root).unwrap();
        ws.project()
            .layers
            .get(&LayerKey {
                document: doc.to_owned(),
                annotator: "ana".to_owned(),
            })
            .map(|l| {
                l.annotations()
                    .iter()
                    .map(|a| (a.start, a.end, a.label.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn suggest_apply_to_adds_what_the_model_finds_or_only_shows_it_with_dry_run() {
        let (_dir, root) = coded();
        let r = root.to_str().unwrap();
        let out = super::tagdesk(&[
            "suggest",
            r,
            "--annotator",
            "ana",
            "--apply-to",
            "uncoded",
            "--label",
            "actor",
            "--dry-run",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("c.txt:1:10: would add actor [Merkel] ("),
            "{stdout}"
        );
        assert!(
            layer_spans(&root, "c.txt").is_empty(),
            "a dry run changes nothing"
        );
        assert!(!root.join("annotations/ana/c.txt.json").exists());
        // For real, as one step; then nothing is left to add.
        let out = super::tagdesk(&[
            "suggest",
            r,
            "--annotator",
            "ana",
            "--apply-to",
            "c.txt",
            "--min-confidence",
            "0.5",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["dry_run"], false);
        assert!(report["added"][0]["confidence"].as_f64().unwrap() >= 0.5);
        let m = word(2, "Merkel");
        assert!(layer_spans(&root, "c.txt").contains(&(m.start, m.end, "actor".to_owned())));
        let out = super::tagdesk(&["validate", r]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        // Bad requests are refused with what is wrong.
        for (args, says) in [
            (vec!["--apply-to", "nope.txt"], "no document \"nope.txt\""),
            (
                vec!["--apply-to", "c.txt", "--min-confidence", "2"],
                "not between 0 and 1",
            ),
            (
                vec!["--apply-to", "c.txt", "--label", "actr"],
                "no label \"actr\"",
            ),
        ] {
            let mut all = vec!["suggest", r, "--annotator", "ana"];
            all.extend(args);
            let out = super::tagdesk(&all);
            assert_eq!(out.status.code(), Some(2));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(says), "{stderr}");
        }
    }
}
