//! `tagdesk import --annotator-folders` of a folder format: one annotator at a time, all or
//! nothing.
//!
//! Each annotator's folder is read, planned and applied in a workspace holding only that
//! annotator's layers; the changed layers are written to temporary files beside their own
//! ([`Workspace::stage_save`]) and the workspace is dropped before the next annotator's folder
//! is read — so only one annotator's spans are ever in memory. Once every annotator is staged,
//! all the layer files are put in place as one commit ([`commit_staged`]): one sync, all or none
//! across a crash, the manifest with the labels the import added among them. Should an
//! annotator's folder fail (a file that does not parse, a text that does not fit the
//! project's, a full disk), nothing is committed and the new documents earlier annotators'
//! steps wrote into the source folder are removed again, so "nothing was imported" is true.

use std::path::{Path, PathBuf};

use super::CliError;
use crate::core::Workspace;
use crate::core::project::StagedLayers;
use crate::core::workspace::commit_staged;
use crate::formats::{self, Format, import::ImportOptions, import::ImportReport};

/// Imports `input` (one folder per annotator, in `format`) when the format reads folders;
/// `None` when it does not (the caller reads the input whole).
pub(super) fn import(
    project: &Path,
    format: Format,
    input: &Path,
    options: &ImportOptions,
) -> Option<Result<(), CliError>> {
    let annotators = match formats::annotator_folder_names(format, input) {
        Ok(Some(annotators)) => annotators,
        Ok(None) => return None,
        Err(err) => {
            return Some(Err(CliError::Failed(format!(
                "nothing was imported:\n{err}"
            ))));
        }
    };
    let mut import = FolderImport::new(project);
    let mut report = ImportReport::default();
    for annotator in &annotators {
        let done = formats::read_annotator_folder(format, input, annotator)
            .map_err(|e| e.to_string())
            .and_then(|corpus| import.one(corpus, annotator, options));
        match done {
            Ok(done) => report.merge(done),
            Err(err) => {
                import.take_back();
                return Some(Err(CliError::Failed(format!(
                    "nothing was imported; in {annotator}'s folder:\n{err}"
                ))));
            }
        }
    }
    let staged = std::mem::take(&mut import.staged);
    let saved = commit_staged(project, staged);
    import.dropped();
    Some(super::import_saved(&report.summary(), &saved, move || {
        import.take_back();
    }))
}

/// What the annotators' steps so far left: staged files, and new documents on disk.
struct FolderImport {
    root: PathBuf,
    /// Every annotator's layers so far, and the manifest with the labels they added.
    staged: StagedLayers,
    /// The schema as the last step left it: the next starts from it (the manifest on disk
    /// changes only with the commit).
    schema: Option<crate::core::schema::Schema>,
    /// New documents' files written into the source folder.
    documents: Vec<PathBuf>,
    /// The project's texts the last step read (the next needs the same).
    texts: Vec<(String, std::sync::Arc<crate::core::project::LoadedText>)>,
    /// The last step's workspace, being freed on a thread of its own while the next folder is
    /// read (a quarter of a million spans take tens of milliseconds to free).
    dropping: Option<std::thread::JoinHandle<()>>,
}

impl FolderImport {
    fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            staged: StagedLayers::default(),
            schema: None,
            documents: Vec::new(),
            texts: Vec::new(),
            dropping: None,
        }
    }

    /// Waits until the last step's workspace is freed: one annotator's spans in memory at a
    /// time, give or take the folder being read.
    fn dropped(&mut self) {
        if let Some(dropping) = self.dropping.take() {
            let _ = dropping.join();
        }
    }

    /// One annotator's folder read, planned, applied and staged; its workspace is dropped.
    fn one(
        &mut self,
        corpus: formats::Corpus,
        annotator: &str,
        options: &ImportOptions,
    ) -> Result<ImportReport, String> {
        self.dropped();
        let mut workspace = Workspace::open_annotators(&self.root, &[annotator.to_owned()])
            .map_err(|e| e.to_string())?;
        let first = self.schema.is_none();
        if first {
            for warning in &workspace.project().warnings {
                eprintln!("warning: {warning}");
            }
        }
        for message in workspace.recover() {
            eprintln!("{message}");
        }
        // Staged below, committed with the other annotators' layers: no journal.
        workspace.save_each_step_at_once();
        for (path, text) in std::mem::take(&mut self.texts) {
            workspace.insert_text(&path, Ok(text));
        }
        if let Some(schema) = self.schema.take() {
            workspace
                .set_schema(schema, "import", None)
                .map_err(|e| e.to_string())?;
        }
        let plan =
            formats::import::plan(&mut workspace, corpus, options).map_err(|e| e.to_string())?;
        let report = formats::import::apply(&mut workspace, plan).map_err(|e| e.to_string())?;
        self.documents.extend(
            report
                .added_documents
                .iter()
                .map(|d| workspace.project().document_file(d)),
        );
        let saved = workspace.stage_save(&mut self.staged);
        self.schema = Some(workspace.project().schema().clone());
        self.texts = workspace.take_texts();
        self.dropping = std::thread::Builder::new()
            .spawn(move || drop(workspace))
            .ok();
        let mut errors = saved.errors;
        errors.extend(self.staged.errors());
        if !errors.is_empty() {
            return Err(format!("cannot write it:\n{}", super::briefly(&errors, "")));
        }
        Ok(report)
    }

    /// Takes back what earlier steps did: the staged files are dropped (their temporary files
    /// deleted; no layer and not the manifest changed), the new documents removed.
    fn take_back(mut self) {
        self.dropped();
        drop(self.staged);
        for file in &self.documents {
            let _ = std::fs::remove_file(file);
        }
    }
}
