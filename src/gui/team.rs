//! The open project's team state (what the status bar shows, a sync under way); the app's
//! team logic (`app/team.rs`) keeps it.

use crate::core::team::{Status, SyncReport, TeamError};
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
}

impl TeamState {
    pub fn is_shared(&self) -> bool {
        self.status.is_some()
    }
}
