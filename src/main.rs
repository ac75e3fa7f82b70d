//! The `tagdesk` binary: a subcommand runs on the command line; no subcommand opens the app.

use std::process::ExitCode;

use clap::Parser as _;
use tagdesk::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
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
