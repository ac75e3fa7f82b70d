//! Integration tests, in one binary (faster to link than many on a 2-core machine).

// Test helpers fail the test by panicking, like assertions do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod agreement;
mod annotate;
mod architecture;
mod cli;
mod crash;
mod dna;
mod entities;
mod export;
mod formats;
mod gui;
mod gui_parts;
mod history;
mod import_folders;
mod layer_v2;
mod live;
mod malformed;
mod network;
mod network_output;
mod offsets;
mod project_files;
mod recommend;
mod refi_qda;
mod review;
mod safety;
mod search;
mod sources;
mod sources_refresh;
mod suggest;
mod team;
mod team_merge;
mod uima_xmi;
