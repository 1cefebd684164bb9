//! What a batch tells the person watching: a progress line on stderr when stderr is a terminal
//! (files done of the total, MB/s, time left, errors so far), and one closing line with the
//! counts and the throughput in every case.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use dossier::batch::Status;

/// How often the progress line is redrawn.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub struct Progress {
    total: usize,
    total_bytes: u64,
    started: Instant,
    last_drawn: Option<Instant>,
    draw: bool,
    /// `-q`: no progress line and no closing line.
    quiet: bool,
    pub done: usize,
    pub bytes_done: u64,
    pub ok: usize,
    pub errors: usize,
    pub skipped: usize,
    pub timeouts: usize,
    /// Inputs a resumed run found recorded already.
    pub already: usize,
    /// The most the workers held together, as last sampled (Linux only; 0 elsewhere).
    pub peak_workers_rss: u64,
}

impl Progress {
    pub fn new(total: usize, total_bytes: u64, quiet: bool) -> Progress {
        Progress {
            total,
            total_bytes,
            started: Instant::now(),
            last_drawn: None,
            draw: !quiet && std::io::stderr().is_terminal(),
            quiet,
            done: 0,
            bytes_done: 0,
            ok: 0,
            errors: 0,
            skipped: 0,
            timeouts: 0,
            already: 0,
            peak_workers_rss: 0,
        }
    }

    /// One input finished with a new record of this status (None: it was recorded before).
    pub fn finished(&mut self, size: u64, status: Option<Status>) {
        self.done += 1;
        self.bytes_done = self.bytes_done.saturating_add(size);
        match status {
            Some(Status::Ok) => self.ok += 1,
            Some(Status::Error) => self.errors += 1,
            Some(Status::Skipped) => self.skipped += 1,
            Some(Status::Timeout) => self.timeouts += 1,
            None => self.already += 1,
        }
    }

    /// Redraws the progress line if it is time to.
    pub fn tick(&mut self) {
        if !self.draw
            || self
                .last_drawn
                .is_some_and(|at| at.elapsed() < REDRAW_EVERY)
        {
            return;
        }
        self.last_drawn = Some(Instant::now());
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = self.bytes_done as f64 / elapsed.max(1e-3);
        let left = self.total_bytes.saturating_sub(self.bytes_done) as f64;
        let eta = if self.bytes_done == 0 {
            "--".to_owned()
        } else {
            clock(Duration::from_secs_f64((left / rate.max(1.0)).min(1e7)))
        };
        let line = format!(
            "{}/{} files  {:.1} MB/s  ETA {eta}  {} error(s)",
            self.done,
            self.total,
            rate / 1e6,
            self.errors + self.timeouts
        );
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
    }

    /// The closing line: printed unless `-q`, so that a log says what the run did.
    pub fn close(&self, interrupted: bool) {
        if self.quiet {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut stderr = std::io::stderr().lock();
        if self.draw {
            let _ = write!(stderr, "\r\x1b[2K");
        }
        let fresh = self.done - self.already;
        let _ = writeln!(
            stderr,
            "dossier batch: {}{} of {} input(s) in {:.2} s ({:.1} files/s, {:.1} MB/s): {} ok, {} error, {} skipped, {} timeout{}{}",
            if interrupted {
                "interrupted after "
            } else {
                ""
            },
            self.done,
            self.total,
            elapsed,
            fresh as f64 / elapsed,
            self.bytes_done as f64 / elapsed / 1e6,
            self.ok,
            self.errors,
            self.skipped,
            self.timeouts,
            if self.already > 0 {
                format!(", {} recorded before", self.already)
            } else {
                String::new()
            },
            match (self.peak_workers_rss, super::memory::own_peak()) {
                (0, _) | (_, None) => String::new(),
                (workers, Some(own)) => format!(
                    "; peak memory {} for the workers together, {} for this process",
                    super::memory::human(workers),
                    super::memory::human(own)
                ),
            }
        );
    }
}

/// `1h02m`, `3m12s`, `9s`.
fn clock(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_naturally() {
        assert_eq!(clock(Duration::from_secs(9)), "9s");
        assert_eq!(clock(Duration::from_secs(192)), "3m12s");
        assert_eq!(clock(Duration::from_secs(3720)), "1h02m");
    }

    #[test]
    fn counts_follow_statuses() {
        let mut progress = Progress::new(3, 30, true);
        progress.finished(10, Some(Status::Ok));
        progress.finished(10, Some(Status::Timeout));
        progress.finished(10, None);
        assert_eq!(
            (
                progress.done,
                progress.ok,
                progress.timeouts,
                progress.already
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(progress.bytes_done, 30);
    }
}
