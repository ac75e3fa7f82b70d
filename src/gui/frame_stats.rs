//! `--frame-stats FILE`: one line per frame, so a real-window run driven from outside can be
//! measured: `frame=<n> cpu_ms=<ms> blocks_visible=<n> blocks_laid_out=<n> blocks_total=<n>`.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::time::Duration;

use super::document_view::ViewStats;

pub struct FrameStats {
    out: BufWriter<File>,
    frame: u64,
}

impl FrameStats {
    pub fn create(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            out: BufWriter::new(File::create(path)?),
            frame: 0,
        })
    }

    pub fn record(&mut self, cpu: Duration, view: ViewStats) {
        self.frame += 1;
        // Losing a stats line is harmless; the app must not stop for it.
        let _ = writeln!(
            self.out,
            "frame={} cpu_ms={:.3} blocks_visible={} blocks_laid_out={} blocks_total={}",
            self.frame,
            cpu.as_secs_f64() * 1000.0,
            view.blocks_visible,
            view.blocks_laid_out,
            view.blocks_total
        );
        let _ = self.out.flush();
    }
}
