//! `--frame-stats FILE`: one line per frame, so a real-window run driven from outside can be
//! measured: `frame=<n> t_ms=<ms since the app started> cpu_ms=<ms> blocks_visible=<n>
//! blocks_laid_out=<n> blocks_total=<n>` (the first line with `blocks_visible` > 0 is when the
//! document first shows).

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use super::document_view::ViewStats;

pub struct FrameStats {
    out: BufWriter<File>,
    frame: u64,
    started: Instant,
}

impl FrameStats {
    pub fn create(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            out: BufWriter::new(File::create(path)?),
            frame: 0,
            started: Instant::now(),
        })
    }

    pub fn record(&mut self, cpu: Duration, view: ViewStats) {
        self.frame += 1;
        // Losing a stats line is harmless; the app must not stop for it.
        let _ = writeln!(
            self.out,
            "frame={} t_ms={:.1} cpu_ms={:.3} blocks_visible={} blocks_laid_out={} blocks_total={}",
            self.frame,
            self.started.elapsed().as_secs_f64() * 1000.0,
            cpu.as_secs_f64() * 1000.0,
            view.blocks_visible,
            view.blocks_laid_out,
            view.blocks_total
        );
        let _ = self.out.flush();
    }
}
