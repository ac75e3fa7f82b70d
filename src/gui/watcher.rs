//! Watching the project and source folders (notify): changed paths are sent to the app, which
//! debounces them and hands them to `Workspace::check_disk_in_background`. Native events where the system
//! has them; polling every second where it does not.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{PollWatcher, RecursiveMode};

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Paths(Vec<PathBuf>),
    /// Too many events to list (the channel overflowed) or the watcher lost track: look again
    /// at everything.
    Everything,
}

pub struct FolderWatcher {
    _watcher: Box<dyn notify::Watcher + Send>,
    rx: Receiver<Change>,
    /// Native events were unavailable; the folders are polled.
    pub polling: bool,
}

/// Paths the app writes itself and never needs to hear about: its private folder, temporary
/// files, and the files inside a new annotator's folder being written under a temporary name
/// (the rename that puts the folder in place is heard).
fn is_private(path: &Path) -> bool {
    path.components().any(|c| {
        c.as_os_str() == crate::core::project::PRIVATE_DIR
            || c.as_os_str()
                .to_str()
                .is_some_and(|n| n.starts_with(".tagdesk-tmp-"))
    })
}

fn handler(tx: SyncSender<Change>, ctx: egui::Context) -> impl notify::EventHandler + Clone {
    move |event: notify::Result<notify::Event>| {
        let change = match event {
            Ok(event) => {
                // Opening or reading a file is no change, and the app reads files itself (a
                // sync reads the changed text: reporting that would loop). A file closed after
                // writing is.
                if let notify::EventKind::Access(kind) = event.kind
                    && kind != AccessKind::Close(AccessMode::Write)
                {
                    return;
                }
                let paths: Vec<PathBuf> =
                    event.paths.into_iter().filter(|p| !is_private(p)).collect();
                if paths.is_empty() {
                    return;
                }
                Change::Paths(paths)
            }
            Err(_) => Change::Everything,
        };
        if tx.try_send(change).is_err() {
            // Full: the app is behind; one "look at everything" covers what was dropped.
            let _ = tx.try_send(Change::Everything);
        }
        ctx.request_repaint();
    }
}

impl FolderWatcher {
    /// Watches the project folder and the source folder (when outside it), recursively.
    pub fn start(ctx: &egui::Context, root: &Path, sources: &Path) -> Result<Self, String> {
        let (tx, rx) = sync_channel(1024);
        let handle = handler(tx, ctx.clone());
        let (mut watcher, polling): (Box<dyn notify::Watcher + Send>, bool) =
            if let Ok(w) = notify::recommended_watcher(handle.clone()) {
                (Box::new(w), false)
            } else {
                let config = notify::Config::default().with_poll_interval(Duration::from_secs(1));
                let w = PollWatcher::new(handle, config).map_err(|e| e.to_string())?;
                (Box::new(w), true)
            };
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_owned());
        let sources_canon = sources
            .canonicalize()
            .unwrap_or_else(|_| sources.to_owned());
        if !sources_canon.starts_with(&root_canon) {
            watcher
                .watch(sources, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", sources.display()))?;
        }
        Ok(Self {
            _watcher: watcher,
            rx,
            polling,
        })
    }

    /// Everything reported since the last call.
    pub fn drain(&self) -> Vec<Change> {
        let mut out = Vec::new();
        loop {
            match self.rx.try_recv() {
                Ok(change) => out.push(change),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::EventHandler as _;
    use notify::event::{CreateKind, EventKind, ModifyKind};

    #[test]
    fn reads_are_not_changes_but_writes_are() {
        let (tx, rx) = sync_channel(16);
        let mut handle = handler(tx, egui::Context::default());
        let event = |kind| notify::Event::new(kind).add_path(PathBuf::from("/p/sources/a.txt"));
        handle.handle_event(Ok(event(EventKind::Access(AccessKind::Open(
            AccessMode::Any,
        )))));
        handle.handle_event(Ok(event(EventKind::Access(AccessKind::Close(
            AccessMode::Read,
        )))));
        assert!(rx.try_recv().is_err(), "opening and reading are ignored");
        for kind in [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Modify(ModifyKind::Any),
            EventKind::Create(CreateKind::File),
        ] {
            handle.handle_event(Ok(event(kind)));
            assert_eq!(
                rx.try_recv(),
                Ok(Change::Paths(vec![PathBuf::from("/p/sources/a.txt")]))
            );
        }
    }
}
