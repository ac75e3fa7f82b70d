//! A layer's file on disk as this project last saw it: whether it changed since, taking in a
//! colleague's version, keeping a copy of ours, and writing it (prepare on the caller's
//! thread, write anywhere, finish here).

use std::path::PathBuf;

use super::super::annotation::AnnotationLayer;
use super::layer_file::{LayerSource, file_stamp};
use super::{
    DocumentEntry, FileStamp, LayerCheck, LayerKey, LayerLoadError, LayerOnDisk, LayerRead,
    LayerWrite, LayerWritten, PRIVATE_DIR, Project, ProjectError, content_hash, layer_to_json,
    read_layer, write_atomic,
};

impl Project {
    /// The layer's file has the size and time it had when we last read or wrote it.
    fn stamp_unchanged(&self, key: &LayerKey) -> bool {
        self.disk_stamps
            .get(key)
            .is_some_and(|s| file_stamp(&self.layer_file(key)).as_ref() == Some(s))
    }

    /// Whether a layer's file on disk differs from what was last read or written. When it is
    /// the same (by hash), its stamp is taken, so later checks and saves need not read it.
    pub fn layer_file_changed(&mut self, key: &LayerKey) -> bool {
        match self.layer_check(key).run() {
            LayerOnDisk::Unchanged => false,
            LayerOnDisk::Same { hash, stamp } => {
                self.note_layer_unchanged(key, &hash, stamp);
                false
            }
            LayerOnDisk::Changed(_) => true,
        }
    }

    /// Reads a layer's file again and takes it as the layer (the file on disk wins). A file
    /// that is gone removes the layer; one that does not parse locks it, as at opening.
    pub fn reload_layer(&mut self, key: &LayerKey) {
        let read = read_layer(&self.layer_file(key));
        self.install_layer(key, read);
    }

    /// Takes a layer file as read ([`read_layer`], perhaps on another thread) as the layer.
    pub fn install_layer(&mut self, key: &LayerKey, read: LayerRead) {
        self.layer_errors.retain(|e| &e.key != key);
        self.conflicts.remove(key);
        self.disk_stamps.remove(key);
        match read {
            LayerRead::Gone => {
                self.layers.remove(key);
                self.on_disk.remove(key);
            }
            LayerRead::Read {
                hash,
                stamp,
                parsed: Ok(mut layer),
            } => {
                layer.document.clone_from(&key.document);
                layer.annotator.clone_from(&key.annotator);
                self.layers.insert(key.clone(), *layer);
                self.on_disk.insert(key.clone(), hash);
                if let Some(stamp) = stamp {
                    self.disk_stamps.insert(key.clone(), stamp);
                }
            }
            LayerRead::Read {
                parsed: Err(err), ..
            } => {
                self.layers.remove(key);
                self.layer_errors.push(LayerLoadError {
                    key: key.clone(),
                    file: self.layer_file(key),
                    message: err.to_string(),
                });
            }
        }
    }

    /// What a check of these layer files against what we last read or wrote needs, so it can
    /// run on another thread ([`LayerCheck::run`]).
    pub fn layer_check(&self, key: &LayerKey) -> LayerCheck {
        LayerCheck {
            key: key.clone(),
            path: self.layer_file(key),
            known_hash: self.on_disk.get(key).cloned(),
            known_stamp: self.disk_stamps.get(key).cloned(),
        }
    }

    /// Records that a layer's file is, by hash, the one we know (so later checks and saves
    /// need not read it while its stamp holds). Nothing if the known hash moved on meanwhile.
    pub fn note_layer_unchanged(&mut self, key: &LayerKey, hash: &str, stamp: Option<FileStamp>) {
        if self.disk_hash(key) != Some(hash) {
            return;
        }
        match stamp {
            Some(stamp) => self.disk_stamps.insert(key.clone(), stamp),
            None => self.disk_stamps.remove(key),
        };
    }

    /// Takes a fresh listing of the source folder ([`scan_documents`]); returns the documents
    /// added and removed.
    pub fn set_documents(&mut self, documents: Vec<DocumentEntry>) -> (Vec<String>, Vec<String>) {
        let old: std::collections::BTreeSet<&str> =
            self.documents.iter().map(|d| d.path.as_str()).collect();
        let new: std::collections::BTreeSet<&str> =
            documents.iter().map(|d| d.path.as_str()).collect();
        let added = new.difference(&old).map(|s| (*s).to_owned()).collect();
        let removed = old.difference(&new).map(|s| (*s).to_owned()).collect();
        self.documents = documents;
        (added, removed)
    }

    /// Takes the file on disk as the base of the next save (used when the user chooses to keep
    /// their own version over a changed file; the other version is copied aside first).
    pub fn adopt_disk_version_as_base(
        &mut self,
        key: &LayerKey,
    ) -> Result<Option<PathBuf>, ProjectError> {
        let path = self.layer_file(key);
        self.disk_stamps.remove(key);
        let Ok(bytes) = std::fs::read(&path) else {
            self.on_disk.remove(key);
            return Ok(None);
        };
        let kept = self.conflict_copy_path(&format!("{}/{}.theirs", key.annotator, key.document));
        write_atomic(&kept, &bytes)
            .map_err(|e| ProjectError::io("cannot keep their version", &kept, e))?;
        self.on_disk.insert(key.clone(), content_hash(&bytes));
        self.conflicts.remove(key);
        Ok(Some(kept))
    }

    /// Keeps a copy of a layer as it is in memory under `.tagdesk/conflicts/`.
    pub fn keep_copy(&self, key: &LayerKey) -> Result<PathBuf, ProjectError> {
        let json = self.layers.get(key).map(layer_to_json).unwrap_or_default();
        self.keep_conflicting_copy(key, &json)
    }

    /// Hash of a layer's file as last read or written; `None` when there is no file yet.
    pub fn disk_hash(&self, key: &LayerKey) -> Option<&str> {
        self.on_disk.get(key).map(String::as_str)
    }

    /// Hash of the manifest as last read or written.
    pub fn manifest_hash(&self) -> &str {
        &self.manifest_on_disk
    }

    /// A layer that may not be edited or saved: its file could not be read, or it changed on
    /// disk under unsaved edits.
    pub fn is_locked(&self, key: &LayerKey) -> bool {
        self.layer_errors.iter().any(|e| &e.key == key) || self.conflicts.contains_key(key)
    }

    /// Writes one layer to its file, atomically. Refuses locked layers (their file on disk
    /// could not be read, and would be lost).
    pub fn save_layer(&mut self, key: &LayerKey) -> Result<(), ProjectError> {
        let Some(job) = self.prepare_layer_write(key, None)? else {
            return Ok(());
        };
        let written = job.run();
        self.finish_layer_write(written)
    }

    /// What writing a layer needs, taken from the project so it can run on another thread
    /// ([`LayerWrite::run`]); `snapshot` is the layer to write (a copy), or the project's own
    /// when `None` (then the write must run before the layer changes). `Ok(None)`: nothing to
    /// write.
    pub fn prepare_layer_write(
        &self,
        key: &LayerKey,
        snapshot: Option<AnnotationLayer>,
    ) -> Result<Option<LayerWrite>, ProjectError> {
        let path = self.layer_file(key);
        if self.read_only {
            return Err(ProjectError::Invalid {
                path,
                message: "the project was opened read-only".to_owned(),
            });
        }
        if let Some(kept) = self.conflicts.get(key) {
            return Err(ProjectError::ChangedOnDisk {
                path,
                kept: kept.clone(),
            });
        }
        if self.is_locked(key) {
            return Err(ProjectError::Invalid {
                path,
                message: "this annotation file could not be read when the project was opened; \
                          it is not overwritten"
                    .to_owned(),
            });
        }
        let json = match snapshot {
            Some(layer) => LayerSource::Owned(Box::new(layer)),
            None => match self.layers.get(key) {
                Some(layer) => LayerSource::Json(super::layer_file::layer_bytes(layer)),
                None => return Ok(None),
            },
        };
        Ok(Some(LayerWrite {
            key: key.clone(),
            path,
            source: json,
            base: self.on_disk.get(key).cloned(),
            base_unchanged: self.stamp_unchanged(key),
            absent: false,
            conflict_copy: self.conflict_copy_path(&format!("{}/{}", key.annotator, key.document)),
            checkpoint: None,
        }))
    }

    /// Takes in the outcome of a [`LayerWrite`]: the file's new hash, or the conflict.
    pub fn finish_layer_write(&mut self, written: LayerWritten) -> Result<(), ProjectError> {
        match written.outcome {
            Ok((hash, stamp)) => {
                self.on_disk.insert(written.key.clone(), hash);
                match stamp {
                    Some(stamp) => self.disk_stamps.insert(written.key, stamp),
                    None => self.disk_stamps.remove(&written.key),
                };
                Ok(())
            }
            Err(err) => {
                if let ProjectError::ChangedOnDisk { kept, .. } = &err {
                    self.conflicts.insert(written.key, kept.clone());
                }
                Err(err)
            }
        }
    }

    /// Where a kept copy of `name` goes: `.tagdesk/conflicts/<name>.<time>.json` (ignored by git).
    pub(super) fn conflict_copy_path(&self, name: &str) -> PathBuf {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace(':', "-");
        self.root
            .join(PRIVATE_DIR)
            .join("conflicts")
            .join(format!("{name}.{stamp}.json"))
    }

    /// Writes our version of a conflicting layer under `.tagdesk/conflicts/` (ignored by git).
    fn keep_conflicting_copy(&self, key: &LayerKey, json: &str) -> Result<PathBuf, ProjectError> {
        let kept = self.conflict_copy_path(&format!("{}/{}", key.annotator, key.document));
        write_atomic(&kept, json.as_bytes())
            .map_err(|e| ProjectError::io("cannot keep your version", &kept, e))?;
        Ok(kept)
    }
}
