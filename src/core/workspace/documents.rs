//! Adding documents to the project's source folder as part of a step (an import that brings
//! its own texts, converted sources): the files are written first, never over an existing
//! one, and the step is applied after; on any failure the files written are removed again.

use std::path::{Path, PathBuf};

use super::{Pending, Workspace, WorkspaceError};

/// A document to write into the source folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// Its path in the source folder ('/'-separated).
    pub path: String,
    pub text: String,
    /// Written with a UTF-8 byte order mark (as the file it came from had one).
    pub bom: bool,
}

impl Workspace {
    /// Writes `documents` into the source folder, then applies `pending` as one undo step
    /// (nothing when it is empty). All or nothing: a file that exists already, a failed write
    /// or a step that does not apply leaves the folder and the annotations as they were.
    pub fn add_documents(
        &mut self,
        documents: &[NewDocument],
        description: impl Into<String>,
        pending: Vec<Pending>,
    ) -> Result<(), WorkspaceError> {
        let files = self.new_document_files(documents);
        write_new_files(&files)?;
        let written: Vec<PathBuf> = files.into_iter().map(|(path, _)| path).collect();
        self.documents_written(&written)?;
        if pending.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.apply_changes(description, None, pending) {
            self.remove_written(&written);
            return Err(e);
        }
        Ok(())
    }

    /// Where each new document goes and its bytes (a byte-order mark first where asked):
    /// what [`write_new_files`] writes, on any thread.
    pub fn new_document_files(&self, documents: &[NewDocument]) -> Vec<(PathBuf, Vec<u8>)> {
        documents
            .iter()
            .map(|doc| {
                let mut bytes = Vec::with_capacity(doc.text.len() + 3);
                if doc.bom {
                    bytes.extend_from_slice(b"\xEF\xBB\xBF");
                }
                bytes.extend_from_slice(doc.text.as_bytes());
                (self.project.document_file(&doc.path), bytes)
            })
            .collect()
    }

    /// Files [`write_new_files`] wrote into the source folder: the document list is read
    /// again. If that fails, the files are removed.
    pub fn documents_written(&mut self, written: &[PathBuf]) -> Result<(), WorkspaceError> {
        if written.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.project.rescan_documents() {
            self.remove_written(written);
            return Err(WorkspaceError::Disk(e.to_string()));
        }
        Ok(())
    }

    /// Takes back documents written by a step that then failed: the files go, and the
    /// document list is read again.
    pub fn remove_written(&mut self, written: &[PathBuf]) {
        for p in written {
            let _ = std::fs::remove_file(p);
        }
        let _ = self.project.rescan_documents();
    }

    /// `metadata.json` was just written with this (metadata is written at once, outside the
    /// undo history): the project holds it now.
    pub fn metadata_written(&mut self, metadata: crate::core::metadata::Metadata) {
        self.project.metadata = metadata;
    }
}

/// Writes new documents' files, never over an existing one: all or nothing (what was written
/// is removed again on a failure). Runs on any thread (thousands of articles are written off
/// the UI thread).
pub fn write_new_files(files: &[(PathBuf, Vec<u8>)]) -> Result<(), WorkspaceError> {
    let mut written: Vec<&Path> = Vec::new();
    let undo = |written: &[&Path]| {
        for p in written {
            let _ = std::fs::remove_file(p);
        }
    };
    for (file, bytes) in files {
        if file.exists() {
            undo(&written);
            return Err(WorkspaceError::Disk(format!(
                "{} already exists; it is not replaced",
                file.display()
            )));
        }
        let result = match file.parent() {
            Some(parent) => std::fs::create_dir_all(parent),
            None => Ok(()),
        }
        .and_then(|()| crate::core::project::write_atomic(file, bytes));
        if let Err(e) = result {
            undo(&written);
            return Err(WorkspaceError::Disk(format!(
                "cannot write {}: {e}",
                file.display()
            )));
        }
        written.push(file);
    }
    Ok(())
}
