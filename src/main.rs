//! The `tagdesk` binary: a subcommand runs on the command line; no subcommand opens the app.

use std::process::ExitCode;

use clap::Parser as _;
use tagdesk::cli::{self, Cli};

fn main() -> ExitCode {
    limit_malloc_arenas();
    let args = Cli::parse();
    // A test hook: writes fail as a full disk would (see core::faults).
    if let Err(err) = tagdesk::core::faults::arm_from_env() {
        eprintln!("error: {err}");
        return ExitCode::from(2);
    }
    match args.command {
        Some(command) => cli::run(command),
        None => match tagdesk::gui::run(tagdesk::gui::Options {
            // A double-click on a project's tagdesk.json (the desktop entry) opens its folder.
            path: args.path.map(|p| {
                let is_manifest = p.file_name()
                    == Some(std::ffi::OsStr::new(tagdesk::core::project::MANIFEST_FILE))
                    && p.is_file();
                match (is_manifest, p.parent()) {
                    (true, Some(folder)) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
                    (true, _) => std::path::PathBuf::from("."),
                    _ => p,
                }
            }),
            document: args.document,
            annotator: args.annotator,
            frame_stats: args.frame_stats,
            builtin_file_dialog: args.builtin_file_dialog,
        }) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// glibc gives every thread that meets contention an arena of its own (up to 8 per core), and
/// memory freed in one is not reused by another: the imports, agreement and exports that run
/// on all cores peaked 12 MB higher for it (an import of 1,050 documents: 91 MB, 79 MB with two
/// arenas, same time; BENCHMARKS.md). Two arenas, unless the user set `MALLOC_ARENA_MAX`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called first thing in main,
        // before any other thread exists, and a refused value leaves the default.
        let _ = unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
