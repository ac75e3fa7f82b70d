//! The `tagdesk` binary: a subcommand runs on the command line; no subcommand opens the app.

use std::process::ExitCode;

use clap::Parser as _;
use tagdesk::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => match tagdesk::gui::run(tagdesk::gui::Options {
            path: args.path,
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
