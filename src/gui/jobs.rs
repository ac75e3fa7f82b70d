//! One facility for background work in the GUI (after helix's `job.rs`): a job runs on a named
//! thread and answers with [`Done`], which comes back to the app as an [`Action::Done`] through
//! one bounded channel, drained by `App::logic` every frame (and while the window is hidden).
//! The thread asks for a repaint when it sends, so an idle app sleeps until a result arrives.
//!
//! A job whose answer may be overtaken (a project opened while another loads, a document
//! switched while its text is read) carries a [`Ticket`]; the app takes in only the answer
//! to the ticket it still waits for.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use super::action::Action;
use super::session::{DocProbe, Opened};
use crate::core::project::{DocumentError, LoadedText};

/// Results waiting to be taken in; a thread that finds the channel full waits.
const CAPACITY: usize = 1024;

/// Tells one job's answer from a later one of the same kind.
pub type Ticket = u64;

/// What a background job found.
pub enum Done {
    /// A project read on its thread, with the annotator's lock and the folder watcher.
    ProjectOpened {
        ticket: Ticket,
        result: Result<Box<Opened>, String>,
    },
    /// A document's text read, hashed and indexed.
    TextLoaded {
        document: String,
        result: Result<LoadedText, DocumentError>,
    },
    /// Spans placed again in a changed text.
    Reanchored(crate::core::workspace::PlannedReanchor),
    /// Documents decoded to tell the unusable ones (one batch of many).
    Probed {
        ticket: Ticket,
        probes: Vec<(String, DocProbe)>,
        /// The last batch.
        finished: bool,
    },
    /// Where F8's search over the other documents landed.
    FoundDisagreement(Option<crate::core::review::Found>),
    /// A folder picked in the native dialog (`None`: cancelled).
    Picked(Option<PathBuf>),
    /// The native file dialog could not be shown (no portal, no zenity).
    NoFileDialog(String),
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::ProjectOpened { .. } => "ProjectOpened",
            Self::TextLoaded { .. } => "TextLoaded",
            Self::Reanchored(_) => "Reanchored",
            Self::Probed { .. } => "Probed",
            Self::FoundDisagreement(_) => "FoundDisagreement",
            Self::Picked(_) => "Picked",
            Self::NoFileDialog(_) => "NoFileDialog",
        };
        f.write_str(name)
    }
}

/// The sending end a job holds.
#[derive(Clone)]
pub struct JobSender {
    tx: SyncSender<Action>,
    ctx: egui::Context,
}

impl JobSender {
    /// Sends a result and wakes the UI. `false` when the app is gone.
    pub fn send(&self, done: Done) -> bool {
        let sent = self.tx.send(Action::Done(Box::new(done))).is_ok();
        self.ctx.request_repaint();
        sent
    }
}

pub struct Jobs {
    tx: SyncSender<Action>,
    rx: Receiver<Action>,
    running: Arc<AtomicUsize>,
    tickets: AtomicU64,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = sync_channel(CAPACITY);
        Self {
            tx,
            rx,
            running: Arc::new(AtomicUsize::new(0)),
            tickets: AtomicU64::new(1),
        }
    }
}

/// Counts a job as running for as long as it lives (also if it panics).
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Jobs {
    /// A new ticket, for a job whose answer a later one may overtake.
    pub fn ticket(&self) -> Ticket {
        self.tickets.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `work` on a thread named `tagdesk-{name}`; it sends what it finds (once or many
    /// times) through the [`JobSender`]. Errs when no thread can be had.
    pub fn spawn(
        &self,
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce(&JobSender) + Send + 'static,
    ) -> std::io::Result<()> {
        let sender = JobSender {
            tx: self.tx.clone(),
            ctx: ctx.clone(),
        };
        self.running.fetch_add(1, Ordering::SeqCst);
        let running = Running(Arc::clone(&self.running));
        std::thread::Builder::new()
            .name(format!("tagdesk-{name}"))
            .spawn(move || {
                let _running = running;
                work(&sender);
            })
            .map(drop)
    }

    /// Runs `work` on a named thread; its one result comes back as an action.
    pub fn run(
        &self,
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce() -> Done + Send + 'static,
    ) -> std::io::Result<()> {
        self.spawn(ctx, name, move |sender| {
            sender.send(work());
        })
    }

    /// A sender for code that is not a job but reports like one (a native dialog's thread).
    pub fn sender(&self, ctx: &egui::Context) -> JobSender {
        JobSender {
            tx: self.tx.clone(),
            ctx: ctx.clone(),
        }
    }

    /// The results that came in since the last call.
    pub fn drain(&self) -> Vec<Action> {
        self.rx.try_iter().collect()
    }

    /// Jobs still running.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Queues an action from the UI thread without blocking (tests, and actions that must
    /// wait for the next frame). `false` when the channel is full.
    pub fn post(&self, action: Action) -> bool {
        !matches!(self.tx.try_send(action), Err(TrySendError::Full(_)))
    }
}
