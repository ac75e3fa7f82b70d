//! Adding documents to the project's source folder as part of a step (an import that brings
//! its own texts, converted sources): the files are written first, never over an existing
//! one, and the step is applied after; on any failure the files written are removed again.

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
        let mut written = Vec::new();
        let undo_files = |written: &[std::path::PathBuf]| {
            for p in written {
                let _ = std::fs::remove_file(p);
            }
        };
        for doc in documents {
            let file = self.project.document_file(&doc.path);
            if file.exists() {
                undo_files(&written);
                return Err(WorkspaceError::Disk(format!(
                    "{} already exists; it is not replaced",
                    file.display()
                )));
            }
            let mut bytes = Vec::with_capacity(doc.text.len() + 3);
            if doc.bom {
                bytes.extend_from_slice(b"\xEF\xBB\xBF");
            }
            bytes.extend_from_slice(doc.text.as_bytes());
            let written_ok = match file.parent() {
                Some(parent) => std::fs::create_dir_all(parent),
                None => Ok(()),
            }
            .and_then(|()| crate::core::project::write_atomic(&file, &bytes));
            if let Err(e) = written_ok {
                undo_files(&written);
                return Err(WorkspaceError::Disk(format!(
                    "cannot write {}: {e}",
                    file.display()
                )));
            }
            written.push(file);
        }
        if !written.is_empty()
            && let Err(e) = self.project.rescan_documents()
        {
            undo_files(&written);
            return Err(WorkspaceError::Disk(e.to_string()));
        }
        if pending.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.apply_changes(description, None, pending) {
            undo_files(&written);
            if !written.is_empty() {
                let _ = self.project.rescan_documents();
            }
            return Err(e);
        }
        Ok(())
    }

    /// `metadata.json` was just written with this (metadata is written at once, outside the
    /// undo history): the project holds it now.
    pub fn metadata_written(&mut self, metadata: crate::core::metadata::Metadata) {
        self.project.metadata = metadata;
    }
}
