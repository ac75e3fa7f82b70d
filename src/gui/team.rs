//! The open project's team state (what the status bar shows, a sync under way); the app's
//! team logic (`app/team.rs`) keeps it.

use std::sync::Arc;

use crate::core::team::{Status, SyncReport, TeamError, history::Change};
use crate::gui::jobs::Task;

/// The open project's team state.
#[derive(Default)]
pub struct TeamState {
    /// Where the project stands (`None`: not shared, or no git; then the bar says nothing).
    pub status: Option<Status>,
    /// The last sync could not reach the remote: why.
    pub offline: Option<String>,
    /// The last sync failed (not offline): why.
    pub failed: Option<String>,
    /// Reading the status.
    pub(crate) checking: Option<Task<Result<Status, TeamError>>>,
    /// The workspace revision the status was read at.
    pub(crate) checked_at: Option<u64>,
    /// The remote was asked once (at open) what is incoming.
    pub(crate) fetched: bool,
    /// When the last sync was started here (an automatic one waits a whole period after it,
    /// offline too).
    pub last_attempt: Option<std::time::Instant>,
    /// The window closes once the sync under way ends (it was started by closing).
    pub close_after_sync: bool,
    /// A sync under way.
    pub syncing: Option<Task<Result<SyncReport, TeamError>>>,
    /// What colleagues' commits brought in the last sync, per annotator and document with the
    /// span ids (the review panel's "since my last sync"); read after each sync.
    pub arrived: Option<Arc<Vec<Change>>>,
    /// Reading `arrived`, and the last sync (its time) it is read for.
    pub(crate) reading_arrived: Option<(String, Task<Vec<Change>>)>,
    pub(crate) arrived_for: Option<String>,
}

impl TeamState {
    pub fn is_shared(&self) -> bool {
        self.status.is_some()
    }

    /// What arrived in the last sync for one document: per colleague, the ids of the spans
    /// they added or changed.
    pub fn arrived_in(&self, document: &str) -> Vec<(String, Vec<String>)> {
        self.arrived
            .iter()
            .flat_map(|a| a.iter())
            .filter(|c| c.document == document && !c.ids.is_empty())
            .map(|c| (c.annotator.clone(), c.ids.clone()))
            .collect()
    }
}
