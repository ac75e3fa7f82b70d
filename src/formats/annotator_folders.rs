//! Inputs with one folder per annotator: `Lisa/a.ann`, `Max/a.ann`, … — the layout `brat-iaa`
//! reads, and the one tagdesk's own brat, `WebAnno` TSV and UIMA XMI exports of several annotators
//! write. [`annotators_from_folders`] turns the first folder of each document's path into the
//! annotator of its layers and joins the copies of one document into one with a layer each.

use std::collections::HashMap;
use std::path::Path;

use super::{Corpus, Format, ImportError};

/// The annotators of an input with one folder per annotator, in a folder format (brat,
/// `WebAnno` TSV, UIMA XMI): its folders, sorted (hidden ones skipped), each a valid annotator
/// name. A document file outside them, or a folder that cannot name an annotator, is an error
/// naming it (nothing is guessed) — what [`annotators_from_folders`] says of a corpus read
/// whole. `None` for a format whose input is not a folder of documents.
pub fn annotator_folder_names(
    format: Format,
    root: &Path,
) -> Result<Option<Vec<String>>, ImportError> {
    let ext = match format {
        Format::Brat => "ann",
        Format::WebannoTsv => "tsv",
        Format::UimaXmi => "xmi",
        _ => return Ok(None),
    };
    if !root.is_dir() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let mut annotators = Vec::new();
    // Only the top level: a document file there is outside every annotator's folder (the
    // folders' own files are each folder reader's).
    let entries = std::fs::read_dir(root).map_err(|e| ImportError::io(root, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| ImportError::io(root, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if !entry.path().is_dir() {
            if crate::core::walk::has_extension(&name, ext) {
                problems.push(format!(
                    "{}: {name} is not inside an annotator's folder (with one folder per \
                     annotator, every file is in one)",
                    entry.path().display()
                ));
            }
            continue;
        }
        match crate::core::project::valid_layer_name(&name) {
            Ok(()) => annotators.push(name),
            Err(e) => problems.push(format!("{}: folder {name:?}: {e}", entry.path().display())),
        }
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(ImportError::Mismatch(problems));
    }
    annotators.sort();
    Ok(Some(annotators))
}

/// One annotator's folder of such an input, read as a corpus of that annotator's layers
/// (paths relative to the folder). A declaration beside the folders — brat's
/// `annotation.conf`, UIMA's `TypeSystem.xml` — applies to each.
pub fn read_annotator_folder(
    format: Format,
    root: &Path,
    annotator: &str,
) -> Result<Corpus, ImportError> {
    let folder = root.join(annotator);
    let mut corpus = match format {
        Format::Brat => super::brat::read_within(&folder, Some(root))?,
        Format::UimaXmi => super::uima_xmi::read_within(&folder, Some(root))?,
        _ => super::read(format, &folder)?,
    };
    for layer in corpus.documents.iter_mut().flat_map(|d| &mut d.layers) {
        layer.annotator = Some(annotator.to_owned());
    }
    Ok(corpus)
}

/// An input with one folder per annotator, in a folder format, read a document at a time
/// (agreement straight from the folders holds a few documents, never the corpus): the
/// folders (any name: nothing is written, as `brat-iaa`) and every document file any of them
/// has.
pub struct FolderDocuments {
    format: Format,
    root: std::path::PathBuf,
    /// The folders' names, sorted.
    pub annotators: Vec<String>,
    /// Every document file of any annotator, relative to their folder, sorted.
    pub documents: Vec<String>,
    /// brat: each document's text read once, from the first folder that has it.
    brat: Option<super::brat::AnnotatorFolders>,
    /// UIMA XMI: each annotator's type system (beside their folder or the folders).
    xmi: Vec<super::uima_xmi::FolderReader>,
}

impl FolderDocuments {
    /// `None` for a format whose input is not a folder of documents.
    pub fn open(format: Format, root: &Path) -> Result<Option<Self>, ImportError> {
        if !matches!(format, Format::Brat | Format::WebannoTsv | Format::UimaXmi) {
            return Ok(None);
        }
        if format == Format::Brat {
            // brat's own reader lists the folders and documents (and reads each text once).
            let folders = super::brat::AnnotatorFolders::open(root)?;
            return Ok(Some(Self {
                format,
                root: root.to_owned(),
                annotators: folders.annotators.clone(),
                documents: folders.documents.clone(),
                brat: Some(folders),
                xmi: Vec::new(),
            }));
        }
        let annotators = super::subfolders(root)?;
        let ext = if format == Format::UimaXmi {
            "xmi"
        } else {
            "tsv"
        };
        let mut documents = std::collections::BTreeSet::new();
        let mut xmi = Vec::new();
        for a in &annotators {
            let folder = root.join(a);
            for (_, rel) in super::files_with_extension(&folder, ext)? {
                documents.insert(rel);
            }
            if format == Format::UimaXmi {
                xmi.push(super::uima_xmi::FolderReader::new(&folder, Some(root))?);
            }
        }
        let documents = documents.into_iter().collect();
        let brat = None;
        Ok(Some(Self {
            format,
            root: root.to_owned(),
            annotators,
            documents,
            brat,
            xmi,
        }))
    }

    /// The document file `rel` (one of [`Self::documents`]): its path in the project, its text
    /// and the layer of each annotator in `which` (indexes into [`Self::annotators`]; `None`
    /// where that annotator has no such file). Two annotators' files of one document with
    /// different texts are an error naming both: agreement compares spans on one text.
    pub fn read(
        &self,
        rel: &str,
        which: &[usize],
    ) -> Result<super::brat::FolderDocument, ImportError> {
        if let Some(brat) = &self.brat {
            return brat.read(rel, which);
        }
        let mut first: Option<(std::path::PathBuf, String, String)> = None;
        let mut layers = Vec::with_capacity(which.len());
        for &i in which {
            let file = self.root.join(&self.annotators[i]).join(rel);
            if !file.is_file() {
                layers.push(None);
                continue;
            }
            let doc = if self.format == Format::UimaXmi {
                self.xmi[i].read(&file, rel)?
            } else {
                super::webanno::read_file_in_folder(&file, rel)?
            };
            match &first {
                Some((earlier, _, text)) if *text != doc.text => {
                    return Err(ImportError::Mismatch(vec![format!(
                        "{}: its text differs from {}'s; agreement compares spans on one text",
                        file.display(),
                        earlier.display()
                    )]));
                }
                Some(_) => {}
                None => {
                    let path = doc.path.clone().unwrap_or_else(|| rel.to_owned());
                    first = Some((file.clone(), path, doc.text.clone()));
                }
            }
            layers.push(doc.layers.into_iter().next());
        }
        let (_, path, text) = first.unwrap_or_default();
        Ok((path, text, layers))
    }
}

/// For every document of `corpus`: its path's first folder becomes the annotator of each of its
/// layers (replacing any name the file gave), the rest its path; documents then equal in path
/// and text are one document with the layers of all. A document outside any folder, or a folder
/// name that cannot name an annotator, is an error naming the file (nothing is guessed).
pub fn annotators_from_folders(corpus: &mut Corpus) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    let mut joined: Vec<super::Document> = Vec::with_capacity(corpus.documents.len());
    // (path, index in `joined`) of the documents so far; the text is compared on a match.
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for mut doc in std::mem::take(&mut corpus.documents) {
        let split = doc
            .path
            .as_deref()
            .and_then(|p| p.split_once('/'))
            .map(|(a, rest)| (a.to_owned(), rest.to_owned()));
        let Some((annotator, rest)) = split else {
            problems.push(format!(
                "{}: {} is not inside an annotator's folder (with one folder per annotator, \
                 every file is in one)",
                doc.at,
                doc.path.as_deref().unwrap_or("the document")
            ));
            continue;
        };
        if let Err(e) = crate::core::project::valid_layer_name(&annotator) {
            problems.push(format!("{}: folder {annotator:?}: {e}", doc.at));
            continue;
        }
        for layer in &mut doc.layers {
            layer.annotator = Some(annotator.clone());
        }
        let same = seen.get(&rest).and_then(|found| {
            found
                .iter()
                .copied()
                .find(|&i| joined[i].text == doc.text && joined[i].bom == doc.bom)
        });
        if let Some(i) = same {
            joined[i].layers.append(&mut doc.layers);
        } else {
            seen.entry(rest.clone()).or_default().push(joined.len());
            doc.path = Some(rest);
            joined.push(doc);
        }
    }
    corpus.documents = joined;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Mismatch(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{Document, Layer, Place};

    fn doc(path: &str, text: &str, annotator: Option<&str>) -> Document {
        Document {
            path: Some(path.to_owned()),
            text: text.to_owned(),
            bom: false,
            rebuilt: false,
            layers: vec![Layer {
                annotator: annotator.map(str::to_owned),
                ..Layer::default()
            }],
            at: Place::new(std::path::Path::new(&format!("in/{path}")), 0),
        }
    }

    #[test]
    fn the_first_folder_names_the_annotator_and_copies_join() {
        let mut corpus = Corpus {
            documents: vec![
                doc("Lisa/a.txt", "text a", None),
                doc("Lisa/sub/b.txt", "text b", None),
                doc("Max/a.txt", "text a", Some("ignored")),
                doc("Max/sub/b.txt", "text b changed", None),
            ],
            ..Corpus::default()
        };
        annotators_from_folders(&mut corpus).unwrap();
        let got: Vec<(String, Vec<String>)> = corpus
            .documents
            .iter()
            .map(|d| {
                (
                    d.path.clone().unwrap(),
                    d.layers
                        .iter()
                        .map(|l| l.annotator.clone().unwrap())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a.txt".to_owned(),
                    vec!["Lisa".to_owned(), "Max".to_owned()]
                ),
                ("sub/b.txt".to_owned(), vec!["Lisa".to_owned()]),
                // Another text under the same name stays a document of its own: the import
                // then says which copy does not fit the project.
                ("sub/b.txt".to_owned(), vec!["Max".to_owned()]),
            ]
        );
    }

    #[test]
    fn a_file_outside_any_folder_is_named() {
        let mut corpus = Corpus {
            documents: vec![doc("Lisa/a.txt", "a", None), doc("loose.txt", "b", None)],
            ..Corpus::default()
        };
        let err = annotators_from_folders(&mut corpus)
            .unwrap_err()
            .to_string();
        assert!(err.contains("in/loose.txt"), "{err}");
        assert!(err.contains("not inside an annotator's folder"), "{err}");
    }
}
