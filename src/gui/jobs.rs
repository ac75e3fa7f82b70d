//! One facility for background work in the GUI (after helix's `job.rs`): a job runs on a named
//! thread (`core::job::spawn`) and answers with a message `M` — the app's `Action`, carrying
//! `Action::Done` — that comes back through one bounded channel, drained by `App::logic` every
//! frame (and while the window is hidden).
//! The thread asks for a repaint when it sends, so an idle app sleeps until a result arrives.
//!
//! A job whose answer may be overtaken (a project opened while another loads, a document
//! switched while its text is read) carries a [`Ticket`]; the app takes in only the answer
//! to the ticket it still waits for.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Results waiting to be taken in; a thread that finds the channel full waits.
const CAPACITY: usize = 1024;

/// Tells one job's answer from a later one of the same kind.
pub type Ticket = u64;

/// The sending end a job holds.
pub struct JobSender<M> {
    tx: SyncSender<M>,
    ctx: egui::Context,
}

impl<M> Clone for JobSender<M> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            ctx: self.ctx.clone(),
        }
    }
}

impl<M> JobSender<M> {
    /// Sends a result and wakes the UI. `false` when the app is gone.
    pub fn send(&self, message: impl Into<M>) -> bool {
        let sent = self.tx.send(message.into()).is_ok();
        self.ctx.request_repaint();
        sent
    }
}

pub struct Jobs<M> {
    tx: SyncSender<M>,
    rx: Receiver<M>,
    running: Arc<AtomicUsize>,
    tickets: AtomicU64,
    /// The [`Task`]s running in the app's context, counted in [`Self::running`].
    tasks: Option<Arc<AtomicUsize>>,
}

impl<M> Default for Jobs<M> {
    fn default() -> Self {
        let (tx, rx) = sync_channel(CAPACITY);
        Self {
            tx,
            rx,
            running: Arc::new(AtomicUsize::new(0)),
            tickets: AtomicU64::new(1),
            tasks: None,
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

impl<M: Send + 'static> Jobs<M> {
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
        work: impl FnOnce(&JobSender<M>) + Send + 'static,
    ) -> std::io::Result<()> {
        let sender = JobSender {
            tx: self.tx.clone(),
            ctx: ctx.clone(),
        };
        self.running.fetch_add(1, Ordering::SeqCst);
        let running = Running(Arc::clone(&self.running));
        crate::core::job::spawn(name, move || {
            let _running = running;
            work(&sender);
        })
        .map(drop)
    }

    /// Runs `work` on a named thread; its one result comes back as an action.
    pub fn run<R: Into<M>>(
        &self,
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> std::io::Result<()> {
        self.spawn(ctx, name, move |sender| {
            sender.send(work());
        })
    }

    /// A sender for code that is not a job but reports like one (a native dialog's thread).
    pub fn sender(&self, ctx: &egui::Context) -> JobSender<M> {
        JobSender {
            tx: self.tx.clone(),
            ctx: ctx.clone(),
        }
    }

    /// The results that came in since the last call.
    pub fn drain(&self) -> Vec<M> {
        self.rx.try_iter().collect()
    }

    /// Counts the [`Task`]s of `ctx` (the app's) in [`Self::running`] too.
    pub fn count_tasks_of(&mut self, ctx: &egui::Context) {
        self.tasks = Some(task_counter(ctx));
    }

    /// Jobs and tasks still running.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
            + self.tasks.as_ref().map_or(0, |t| t.load(Ordering::SeqCst))
    }
}

/// A background task whose one result a window polls (in the manner of rerun's background
/// tasks over promises). Where a bare thread that panics leaves its window waiting forever, a
/// task that panics — or cannot start — polls as an error the window shows, and the UI is woken
/// either way.
pub struct Task<T> {
    state: TaskState<T>,
}

enum TaskState<T> {
    Running(std::thread::JoinHandle<T>),
    /// It could not start, or it was polled to the end already.
    Over(Option<Result<T, String>>),
}

/// The count of a context's running tasks (one per app window: parallel tests do not wait on
/// each other's).
fn task_counter(ctx: &egui::Context) -> Arc<AtomicUsize> {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Arc<AtomicUsize>>(egui::Id::unique("tagdesk-tasks-running"))
            .clone()
    })
}

/// Counts the task as running while its thread lives, and wakes the UI when the thread ends,
/// by returning or by panicking.
struct WakeOnExit(egui::Context, Arc<AtomicUsize>);

impl Drop for WakeOnExit {
    fn drop(&mut self) {
        self.1.fetch_sub(1, Ordering::SeqCst);
        self.0.request_repaint();
    }
}

/// Fault injection for the failure paths (as `core::faults` does for writes): the tasks of
/// this context with this name panic as they start, until [`stop_panicking`]. A test arms it to
/// see every window take a job that dies.
pub fn panic_tasks_named(ctx: &egui::Context, name: &str) {
    let names = ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Arc<std::sync::Mutex<Vec<String>>>>(panic_id())
            .clone()
    });
    if let Ok(mut names) = names.lock() {
        names.push(name.to_owned());
    }
}

/// Ends [`panic_tasks_named`] for this context.
pub fn stop_panicking(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove_temp::<Arc<std::sync::Mutex<Vec<String>>>>(panic_id()));
}

/// A gate a test holds tasks at (see [`hold_tasks_named`]): they wait until it is opened (or a
/// minute has passed, so that a test that forgets cannot leave a thread behind for ever).
#[derive(Clone, Default)]
pub struct Gate(Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    /// Lets every task held at this gate go on.
    pub fn open(&self) {
        let (open, changed) = &*self.0;
        if let Ok(mut open) = open.lock() {
            *open = true;
        }
        changed.notify_all();
    }

    fn wait(&self) {
        let (open, changed) = &*self.0;
        let Ok(guard) = open.lock() else { return };
        let _ =
            changed.wait_timeout_while(guard, std::time::Duration::from_secs(60), |open| !*open);
    }
}

type HeldTasks = Arc<std::sync::Mutex<Vec<(String, Gate)>>>;

/// For tests that must see a window while its work runs, whatever the machine's speed: the tasks
/// of this context with this name start, then wait at the returned gate until it is opened.
pub fn hold_tasks_named(ctx: &egui::Context, name: &str) -> Gate {
    let held = ctx.data_mut(|d| d.get_temp_mut_or_default::<HeldTasks>(hold_id()).clone());
    let gate = Gate::default();
    if let Ok(mut held) = held.lock() {
        held.push((name.to_owned(), gate.clone()));
    }
    gate
}

fn hold_id() -> egui::Id {
    egui::Id::unique("tagdesk-tasks-to-hold")
}

fn held_at(ctx: &egui::Context, name: &str) -> Option<Gate> {
    ctx.data(|d| {
        d.get_temp::<HeldTasks>(hold_id()).and_then(|held| {
            held.lock().ok().and_then(|held| {
                held.iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, gate)| gate.clone())
            })
        })
    })
}

fn panic_id() -> egui::Id {
    egui::Id::unique("tagdesk-tasks-to-panic")
}

fn armed_to_panic(ctx: &egui::Context, name: &str) -> bool {
    ctx.data(|d| {
        d.get_temp::<Arc<std::sync::Mutex<Vec<String>>>>(panic_id())
            .is_some_and(|names| names.lock().is_ok_and(|n| n.iter().any(|x| x == name)))
    })
}

impl<T: Send + 'static> Task<T> {
    /// Runs `work` on a thread named `tagdesk-{name}`.
    pub fn spawn(
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let counter = task_counter(ctx);
        counter.fetch_add(1, Ordering::SeqCst);
        let wake = WakeOnExit(ctx.clone(), counter);
        let injected = armed_to_panic(ctx, name).then(|| name.to_owned());
        let held = held_at(ctx, name);
        let state = match crate::core::job::spawn(name, move || {
            let _wake = wake;
            if let Some(gate) = held {
                gate.wait();
            }
            if let Some(name) = injected {
                panic!("injected panic in the {name} task");
            }
            work()
        }) {
            Ok(handle) => TaskState::Running(handle),
            Err(err) => TaskState::Over(Some(Err(format!("could not start ({err})")))),
        };
        Self { state }
    }

    /// The result once the task is over (`Err` with the panic's message if it panicked); `None`
    /// while it runs, and after the result was taken.
    pub fn poll(&mut self) -> Option<Result<T, String>> {
        match &mut self.state {
            TaskState::Running(handle) if !handle.is_finished() => None,
            TaskState::Running(_) => {
                let TaskState::Running(handle) =
                    std::mem::replace(&mut self.state, TaskState::Over(None))
                else {
                    return None;
                };
                Some(handle.join().map_err(|panic| panic_message(panic.as_ref())))
            }
            TaskState::Over(result) => result.take(),
        }
    }
}

/// What a panic said, for the user.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let said = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    format!("it stopped unexpectedly ({said})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T: Send + 'static>(task: &mut Task<T>) -> Result<T, String> {
        for _ in 0..1000 {
            if let Some(result) = task.poll() {
                return result;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        panic!("the task never ended");
    }

    #[test]
    fn a_task_gives_its_result_once_and_a_panicking_one_an_error() {
        let ctx = egui::Context::default();
        let mut jobs: Jobs<()> = Jobs::default();
        jobs.count_tasks_of(&ctx);
        let mut fine = Task::spawn(&ctx, "test-fine", || 42);
        assert_eq!(wait(&mut fine), Ok(42));
        assert!(fine.poll().is_none(), "taken once");
        let mut broken: Task<u8> = Task::spawn(&ctx, "test-panics", || panic!("disk on fire"));
        let err = wait(&mut broken).unwrap_err();
        assert!(err.contains("stopped unexpectedly (disk on fire)"), "{err}");
        assert_eq!(jobs.running(), 0, "counted while running, panic or not");
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let mut waiting = Task::spawn(&ctx, "test-waits", move || rx.recv().is_ok());
        assert_eq!(jobs.running(), 1);
        drop(tx);
        assert_eq!(wait(&mut waiting), Ok(false));
        assert_eq!(jobs.running(), 0);
    }
}
