//! Background work: every thread tagdesk starts (core's saves, disk checks and big journal
//! entries; the GUI's jobs) is started by [`spawn`], named `tagdesk-…` so it shows in a
//! debugger or `top -H`. [`Job`] is the handle core keeps for work whose result it polls.

/// Starts `work` on a thread named `tagdesk-{name}` (a name already starting with `tagdesk-`
/// is kept).
pub fn spawn<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    let name = if name.starts_with("tagdesk-") {
        name.to_owned()
    } else {
        format!("tagdesk-{name}")
    };
    std::thread::Builder::new().name(name).spawn(work)
}

/// Work handed to a thread (or, when none can be had, done in place).
pub enum Job<T> {
    Running(std::thread::JoinHandle<Option<T>>),
    Done(T),
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work(input)` on a thread named `name`, or here if no thread can be had.
    pub fn start<I: Send + 'static>(name: &str, input: I, work: fn(I) -> T) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<I>(1);
        let spawned = spawn(name, move || rx.recv().ok().map(work));
        match spawned {
            Ok(handle) => match tx.send(input) {
                Ok(()) => Self::Running(handle),
                Err(std::sync::mpsc::SendError(input)) => Self::Done(work(input)),
            },
            Err(_) => Self::Done(work(input)),
        }
    }

    pub fn is_finished(&self) -> bool {
        match self {
            Self::Running(handle) => handle.is_finished(),
            Self::Done(_) => true,
        }
    }

    /// The result, waiting for the thread; `None` if it died.
    pub fn wait(self) -> Option<T> {
        match self {
            Self::Running(handle) => handle.join().ok().flatten(),
            Self::Done(result) => Some(result),
        }
    }
}
