//! Integration tests, in one binary (faster to link than many on a 2-core machine).

mod support;

mod architecture;
mod cli;
mod export;
mod gui;
mod offsets;
mod project_files;
