//! `dossier batch`: many inputs scanned on every core, one JSON Lines record per input, written as
//! each finishes, without losing the batch to any one file.
//!
//! The coordinator (this module) lists the inputs (`inputs`), starts one worker process per job
//! slot (`worker`: the same executable with `DOSSIER_BATCH_WORKER=1`, spoken to over `protocol`), and hands each worker one input at a time, largest
//! first, admitting no more at once than the memory budget allows (`memory`). A worker that
//! crashes, outlives `--timeout` or grows past the budget is stopped, its input gets an error or
//! timeout record, and a new worker takes the slot. Records go to `journal`, which also resumes an
//! interrupted run; `progress` draws the progress line. The record and the CSV are the library's
//! (`dossier::batch`), shared with the Python bindings.

mod inputs;
mod journal;
mod memory;
mod progress;
mod protocol;
mod worker;

pub use worker::run as run_worker;

/// Set to `1` in the environment of the processes `batch` starts: they run as workers.
pub const WORKER_ENV: &str = "DOSSIER_BATCH_WORKER";

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::cli::args::{BatchArgs, LimitArgs};
use dossier::batch::{Record, Status};
use inputs::Input;
use journal::{Journal, Recorded};
use progress::Progress;
use protocol::{Answer, Hashed};

/// How often the coordinator looks at the clock and at the workers' memory when nothing happens.
const POLL: Duration = Duration::from_millis(25);
/// A worker that holds more than this while idle is replaced, so that what one scan left behind
/// (allocator caches, fragmentation) never adds up over thousands of inputs.
const RECYCLE_IDLE_RSS: u64 = 512 << 20;
/// A budget smaller than this could not hold one idle worker.
const MIN_BUDGET: u64 = 64 << 20;

/// How a batch ended.
pub enum Outcome {
    /// Every input has its record.
    Complete,
    /// Ctrl-C or SIGTERM: the records in flight were finished; `--resume` does the rest.
    Interrupted,
}

pub fn run(args: &BatchArgs, quiet: bool) -> Result<Outcome> {
    // Rules are checked here once, so that a bad --rules directory is one clear error rather than
    // a worker dying at start.
    crate::cli::rules::load(&args.rules)?;
    let interrupts = Arc::new(AtomicUsize::new(0));
    {
        let interrupts = Arc::clone(&interrupts);
        ctrlc::set_handler(move || {
            interrupts.fetch_add(1, Ordering::SeqCst);
        })
        .context("cannot watch for Ctrl-C")?;
    }
    if args.inputs.is_empty() && args.from.is_none() {
        bail!("nothing to scan: give files or directories, or --from FILE (- for standard input)");
    }
    let mut listed =
        inputs::list(&args.inputs, args.from.as_deref()).context("cannot list the inputs")?;
    if let Some(shard) = args.shard {
        listed.retain(|input| inputs::in_shard(&input.path, shard));
    }
    inputs::dispatch_order(&mut listed);

    let (journal, recorded) =
        Journal::open(args.output.as_deref(), args.resume, args.csv.as_deref())?;
    // The outputs may sit in a directory being scanned: they are not inputs.
    let outputs: Vec<&std::path::Path> = [args.output.as_deref(), args.csv.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    listed.retain(|input| {
        !outputs
            .iter()
            .any(|output| inputs::same_file(&input.path, output))
    });
    if recorded.repaired > 0 && !quiet {
        eprintln!(
            "dossier batch: cut a torn last record ({} bytes) left by an interrupted run",
            recorded.repaired
        );
    }
    let jobs = usize::from(args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, |n| u16::try_from(n.get()).unwrap_or(1024))
    }));
    let budget = args.max_memory.unwrap_or_else(memory::default_budget);
    if budget < MIN_BUDGET {
        bail!(
            "--max-memory {} is below the {} a worker needs to start",
            memory::human(budget),
            memory::human(MIN_BUDGET)
        );
    }
    let mut batch = Batch {
        worker_args: worker_args(args),
        timeout: Duration::from_secs_f64(args.timeout),
        budget,
        slots: (0..jobs.min(listed.len().max(1)))
            .map(|_| Slot::default())
            .collect(),
        next_generation: 0,
        events: mpsc::channel(),
        progress: Progress::new(
            listed.len(),
            listed.iter().map(|input| input.size).sum(),
            quiet,
        ),
        first_path: recorded.first_path.clone(),
        recorded,
        journal,
        queue: VecDeque::new(),
    };
    for input in listed {
        match &input.problem {
            Some(problem) => {
                let shown = input.path.display().to_string();
                let record = Record::error(shown, None, None, problem.clone());
                batch.finish_with(&input, None, record)?;
            }
            None => batch.queue.push_back(Queued {
                input,
                alone: false,
            }),
        }
    }
    let outcome = batch.drive(&interrupts);
    batch.shut_down();
    let interrupted = matches!(outcome, Ok(Outcome::Interrupted));
    batch.progress.close(interrupted);
    outcome
}

/// The arguments a worker needs to scan the way this batch was asked to.
fn worker_args(args: &BatchArgs) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    if args.summary {
        out.push("--summary".into());
    }
    if let Some(dir) = &args.rules.dir {
        out.push("--rules".into());
        out.push(dir.into());
    }
    let LimitArgs {
        max_input_size,
        max_entry_size,
        max_total_inflated,
        max_ratio,
        memory_budget,
    } = &args.limits;
    for (flag, value) in [
        ("--max-input-size", max_input_size),
        ("--max-entry-size", max_entry_size),
        ("--max-total-inflated", max_total_inflated),
        ("--max-ratio", max_ratio),
        ("--memory-budget", memory_budget),
    ] {
        out.push(flag.into());
        out.push(value.to_string().into());
    }
    out
}

struct Queued {
    input: Input,
    /// Run it with no other scan beside it: it passed the budget while sharing it.
    alone: bool,
}

/// A job slot: at most one worker, busy with at most one input.
#[derive(Default)]
struct Slot {
    worker: Option<Worker>,
    job: Option<Job>,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    generation: u64,
}

struct Job {
    queued: Queued,
    shown: String,
    started: Instant,
    /// What the worker read, once it said.
    hashed: Option<Hashed>,
}

impl Job {
    fn estimate(&self, budget: u64) -> u64 {
        if self.queued.alone {
            budget
        } else {
            memory::estimate(self.queued.input.size)
        }
    }
}

enum Event {
    Line {
        slot: usize,
        generation: u64,
        line: String,
    },
    Ended {
        slot: usize,
        generation: u64,
    },
}

/// The status field of a record line, to count it.
#[derive(Deserialize)]
struct StatusOnly {
    status: Status,
}

struct Batch {
    worker_args: Vec<std::ffi::OsString>,
    timeout: Duration,
    budget: u64,
    slots: Vec<Slot>,
    next_generation: u64,
    events: (Sender<Event>, Receiver<Event>),
    progress: Progress,
    recorded: Recorded,
    /// The first path seen (or recorded before) with each sha256.
    first_path: HashMap<String, String>,
    journal: Journal,
    queue: VecDeque<Queued>,
}

impl Batch {
    fn drive(&mut self, interrupts: &AtomicUsize) -> Result<Outcome> {
        loop {
            let interrupted = interrupts.load(Ordering::SeqCst);
            if interrupted >= 2 {
                // A second Ctrl-C: stop now; the inputs in flight get no record, and resume
                // scans them again.
                for slot in &mut self.slots {
                    if let Some(mut worker) = slot.worker.take() {
                        let _ = worker.child.kill();
                        let _ = worker.child.wait();
                    }
                    slot.job = None;
                }
                return Ok(Outcome::Interrupted);
            }
            if interrupted == 0 {
                self.dispatch()?;
            }
            let busy = self.slots.iter().any(|slot| slot.job.is_some());
            if !busy && (interrupted > 0 || self.queue.is_empty()) {
                return Ok(if self.queue.is_empty() {
                    Outcome::Complete
                } else {
                    Outcome::Interrupted
                });
            }
            match self.events.1.recv_timeout(POLL) {
                Ok(event) => self.handle(event)?,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => bail!("the worker channel closed"),
            }
            self.watch()?;
            self.progress.tick();
        }
    }

    /// Gives each idle slot the next input the memory budget admits.
    fn dispatch(&mut self) -> Result<()> {
        for index in 0..self.slots.len() {
            if self.slots[index].job.is_some() {
                continue;
            }
            let in_flight: u64 = self
                .slots
                .iter()
                .filter_map(|slot| slot.job.as_ref())
                .map(|job| job.estimate(self.budget))
                .sum();
            let Some(next) = self.queue.front() else {
                return Ok(());
            };
            let estimate = if next.alone {
                self.budget
            } else {
                memory::estimate(next.input.size)
            };
            if in_flight > 0 && in_flight.saturating_add(estimate) > self.budget {
                return Ok(()); // Wait for memory to free up; the order stays largest first.
            }
            let queued = self.queue.pop_front().expect("front was Some");
            if self.slots[index].worker.is_none() {
                self.slots[index].worker = Some(self.spawn(index)?);
            }
            let worker = self.slots[index].worker.as_mut().expect("spawned above");
            let request = protocol::encode_path(&queued.input.path);
            if protocol::send(&mut worker.stdin, 'S', &request).is_err() {
                // The worker died while idle: replace it and try this input again.
                self.retire(index);
                self.queue.push_front(queued);
                continue;
            }
            self.slots[index].job = Some(Job {
                shown: queued.input.path.display().to_string(),
                queued,
                started: Instant::now(),
                hashed: None,
            });
        }
        Ok(())
    }

    fn spawn(&mut self, slot: usize) -> Result<Worker> {
        let exe = std::env::current_exe().context("cannot find the dossier executable")?;
        let mut command = Command::new(exe);
        command
            .args(&self.worker_args)
            // Parallelism is across inputs: one scan thread per worker keeps a worker's memory
            // that of one scan.
            .env("RAYON_NUM_THREADS", "1")
            .env(WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            // Its own process group: a Ctrl-C at the terminal reaches the coordinator only, which
            // lets the workers finish the records in flight.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn().context("cannot start a worker process")?;
        let stdin = child.stdin.take().context("a worker without input")?;
        let stdout = child.stdout.take().context("a worker without output")?;
        let generation = self.next_generation;
        self.next_generation += 1;
        let events = self.events.0.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let event = Event::Line {
                            slot,
                            generation,
                            line,
                        };
                        if events.send(event).is_err() {
                            return;
                        }
                    }
                }
            }
            let _ = events.send(Event::Ended { slot, generation });
        });
        Ok(Worker {
            child,
            stdin,
            generation,
        })
    }

    fn handle(&mut self, event: Event) -> Result<()> {
        let (slot, generation) = match &event {
            Event::Line {
                slot, generation, ..
            }
            | Event::Ended { slot, generation } => (*slot, *generation),
        };
        if self.slots[slot]
            .worker
            .as_ref()
            .is_none_or(|worker| worker.generation != generation)
        {
            return Ok(()); // From a worker already stopped and replaced.
        }
        match event {
            Event::Ended { .. } => {
                let status = self.retire(slot);
                if let Some(job) = self.slots[slot].job.take() {
                    let error = format!(
                        "the worker scanning it ended abruptly ({}); nothing else was lost",
                        describe_exit(status)
                    );
                    self.finish_job(job, Status::Error, error)?;
                }
            }
            Event::Line { line, .. } => match protocol::parse_answer(&line) {
                Some(Answer::Hashed(hashed)) => self.hashed(slot, hashed)?,
                Some(Answer::Record(record)) => self.recorded(slot, &record)?,
                None => {
                    self.retire(slot);
                    if let Some(job) = self.slots[slot].job.take() {
                        let error = "the worker scanning it answered with something that is not a record (a bug: please report it)";
                        self.finish_job(job, Status::Error, error.to_owned())?;
                    }
                }
            },
        }
        Ok(())
    }

    /// The worker read the input: scan it, or skip it when it is recorded already or is the same
    /// bytes as another input.
    fn hashed(&mut self, slot: usize, hashed: Hashed) -> Result<()> {
        let Some(job) = self.slots[slot].job.as_mut() else {
            return Ok(());
        };
        job.hashed = Some(hashed.clone());
        let key = (job.shown.clone(), Some(hashed.sha256.clone()));
        let verdict = if self.recorded.keys.contains(&key) {
            'K'
        } else if self
            .first_path
            .get(&hashed.sha256)
            .is_some_and(|first| *first != job.shown)
        {
            'D'
        } else {
            self.first_path
                .insert(hashed.sha256.clone(), job.shown.clone());
            'G'
        };
        let answer = if verdict == 'G' { 'G' } else { 'K' };
        let worker = self.slots[slot]
            .worker
            .as_mut()
            .expect("a job has a worker");
        let sent = protocol::send(&mut worker.stdin, answer, "").is_ok();
        if verdict == 'G' {
            // A failed send shows up as the worker's end, with this job still in the slot.
            return Ok(());
        }
        let job = self.slots[slot].job.take().expect("checked above");
        if !sent {
            self.retire(slot);
        }
        if verdict == 'K' {
            self.progress.finished(job.queued.input.size, None);
            return Ok(());
        }
        let first = self.first_path[&hashed.sha256].clone();
        let record = Record::duplicate(job.shown.clone(), hashed.sha256, hashed.size, first);
        self.finish_with(&job.queued.input, Some(&job.shown), record)
    }

    fn recorded(&mut self, slot: usize, line: &str) -> Result<()> {
        let Some(job) = self.slots[slot].job.take() else {
            return Ok(());
        };
        let line = line.trim_end_matches('\n');
        let Ok(StatusOnly { status }) = serde_json::from_str::<StatusOnly>(line) else {
            self.retire(slot);
            let error =
                "the worker scanning it answered with a broken record (a bug: please report it)";
            return self.finish_job(job, Status::Error, error.to_owned());
        };
        if job.hashed.is_none() && self.recorded.keys.contains(&(job.shown.clone(), None)) {
            // Unreadable before and still unreadable: its record is there already.
            self.progress.finished(job.queued.input.size, None);
        } else {
            self.journal.write(line)?;
            self.progress.finished(job.queued.input.size, Some(status));
        }
        let idle_rss = self.slots[slot]
            .worker
            .as_ref()
            .and_then(|worker| memory::resident(worker.child.id()));
        if idle_rss.is_some_and(|rss| rss > RECYCLE_IDLE_RSS) {
            self.retire(slot);
        }
        Ok(())
    }

    /// Stops jobs past the timeout and workers past the memory budget.
    fn watch(&mut self) -> Result<()> {
        for slot in 0..self.slots.len() {
            let overdue = self.slots[slot]
                .job
                .as_ref()
                .is_some_and(|job| job.started.elapsed() > self.timeout);
            if overdue {
                self.retire(slot);
                let job = self.slots[slot].job.take().expect("overdue has a job");
                self.finish_job(job, Status::Timeout, String::new())?;
            }
        }
        let resident: Vec<(usize, u64)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| {
                let worker = slot.worker.as_ref()?;
                Some((index, memory::resident(worker.child.id())?))
            })
            .collect();
        let total: u64 = resident.iter().map(|(_, rss)| rss).sum();
        self.progress.peak_workers_rss = self.progress.peak_workers_rss.max(total);
        if total <= self.budget {
            return Ok(());
        }
        let busy = self.slots.iter().filter(|slot| slot.job.is_some()).count();
        let Some(&(largest, rss)) = resident
            .iter()
            .filter(|(index, _)| self.slots[*index].job.is_some())
            .max_by_key(|(_, rss)| *rss)
        else {
            return Ok(());
        };
        self.retire(largest);
        let job = self.slots[largest].job.take().expect("filtered on jobs");
        if busy > 1 && !job.queued.alone {
            // Several scans together passed the budget: this one runs again with the budget to
            // itself before anything is concluded.
            if let Some(hashed) = &job.hashed
                && self.first_path.get(&hashed.sha256) == Some(&job.shown)
            {
                self.first_path.remove(&hashed.sha256);
            }
            self.queue.push_front(Queued {
                input: job.queued.input,
                alone: true,
            });
            return Ok(());
        }
        let error = format!(
            "it needed more than the memory budget of {} (--max-memory): the scan was stopped at {}",
            memory::human(self.budget),
            memory::human(rss)
        );
        self.finish_job(job, Status::Error, error)
    }

    /// Ends a job with an error or timeout record made here (the worker could not make one).
    fn finish_job(&mut self, job: Job, status: Status, error: String) -> Result<()> {
        let (sha256, size) = match job.hashed {
            Some(Hashed { sha256, size }) => (Some(sha256), Some(size)),
            None => (None, Some(job.queued.input.size)),
        };
        let record = match status {
            Status::Timeout => Record::timeout(job.shown.clone(), sha256, size, self.timeout),
            _ => Record::error(job.shown.clone(), sha256, size, error),
        };
        self.finish_with(&job.queued.input, Some(&job.shown), record)
    }

    /// Writes a record the coordinator made, unless a resumed run has it already.
    fn finish_with(&mut self, input: &Input, shown: Option<&str>, record: Record) -> Result<()> {
        let shown = shown.map_or_else(|| input.path.display().to_string(), str::to_owned);
        if self.recorded.keys.contains(&(shown, record.sha256.clone())) {
            self.progress.finished(input.size, None);
            return Ok(());
        }
        self.journal.write(&record.to_line())?;
        self.progress.finished(input.size, Some(record.status));
        Ok(())
    }

    /// Stops a slot's worker (if it still runs) and reports how it ended; the slot gets a new
    /// worker when it is next given an input.
    fn retire(&mut self, slot: usize) -> Option<ExitStatus> {
        let mut worker = self.slots[slot].worker.take()?;
        if let Ok(Some(status)) = worker.child.try_wait() {
            return Some(status);
        }
        // It may be ending by itself (its output closed first): give it a moment to say how.
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(5));
            if let Ok(Some(status)) = worker.child.try_wait() {
                return Some(status);
            }
        }
        let _ = worker.child.kill();
        worker.child.wait().ok()
    }

    /// Closes every worker's input so that it ends, and waits for it.
    fn shut_down(&mut self) {
        for slot in &mut self.slots {
            if let Some(worker) = slot.worker.take() {
                let Worker {
                    mut child, stdin, ..
                } = worker;
                drop(stdin);
                let deadline = Instant::now() + Duration::from_secs(2);
                while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// How a worker ended, in words.
fn describe_exit(status: Option<ExitStatus>) -> String {
    let Some(status) = status else {
        return "its exit status is unknown".to_owned();
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => "SIGABRT: an abort, such as a failed allocation or a stack overflow",
                9 => "SIGKILL: killed, possibly by the system's out-of-memory killer",
                11 => "SIGSEGV: a memory fault",
                _ => "a signal",
            };
            return format!("signal {signal}, {name}");
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "no exit code".to_owned(),
    }
}
