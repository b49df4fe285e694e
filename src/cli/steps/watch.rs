//! How a long step shows itself on standard error while it runs: a live
//! bar on a terminal, a line per part's new state otherwise (logs, pipes),
//! nothing with `--json`. What is shown is read back from the records the
//! step writes (its changelog run, its job), the same the Runbook page
//! reads, so the command line and the browser never disagree.

use crate::db::Database;
use crate::model::{ChangeOutcome, JobProgress, JobState, RunRecord};
use crate::ops::OpsError;
use crate::ops::backup::Jobs;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How often a running step's record is read back.
const READ_EVERY: Duration = Duration::from_millis(250);

/// A step as shown: how far it got of how much, the part under way, and
/// each part's latest state, in the step's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub position: u64,
    pub length: u64,
    pub now: Option<String>,
    pub states: Vec<String>,
}

/// Where progress goes.
pub enum Display {
    Quiet,
    Bar(ProgressBar),
    /// The lines said so far, each said once.
    Lines(Mutex<Vec<String>>),
}

impl Display {
    /// A bar on a terminal, lines otherwise, nothing when the output is JSON.
    pub fn new(json: bool) -> Self {
        if json {
            Self::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{spinner} [{bar:28}] {pos}/{len} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            Self::Bar(bar)
        } else {
            Self::Lines(Mutex::new(Vec::new()))
        }
    }

    pub fn show(&self, shown: &Shown) {
        match self {
            Self::Quiet => {}
            Self::Bar(bar) => {
                bar.set_length(shown.length);
                bar.set_position(shown.position.min(shown.length));
                bar.set_message(shown.now.clone().unwrap_or_default());
            }
            Self::Lines(said) => {
                let mut said = said.lock().unwrap_or_else(PoisonError::into_inner);
                for line in &shown.states {
                    if !said.contains(line) {
                        eprintln!("  {line}");
                        said.push(line.clone());
                    }
                }
            }
        }
    }

    /// Clears the bar, so that the step's result follows it.
    pub fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Runs `step`, showing what `read` says of it every `READ_EVERY` and once
/// more when it ended.
pub async fn while_running<T>(
    display: &Display,
    step: impl Future<Output = T>,
    mut read: impl AsyncFnMut() -> Option<Shown>,
) -> T {
    if matches!(display, Display::Quiet) {
        return step.await;
    }
    tokio::pin!(step);
    let mut ticker = tokio::time::interval(READ_EVERY);
    loop {
        tokio::select! {
            ended = &mut step => {
                if let Some(shown) = read().await {
                    display.show(&shown);
                }
                display.finish();
                return ended;
            }
            _ = ticker.tick() => {
                if let Some(shown) = read().await {
                    display.show(&shown);
                }
            }
        }
    }
}

/// Reads the changelog run of `migration` that started after `before`
/// (the newest run's id when the step began), if there is one yet.
pub struct RunReader<'a> {
    db: &'a Database,
    migration: &'a str,
    before: Option<String>,
}

impl<'a> RunReader<'a> {
    pub async fn new(db: &'a Database, migration: &'a str) -> Result<Self, OpsError> {
        let before = db.runs(migration, 1).await?.pop().map(|run| run.id);
        Ok(Self {
            db,
            migration,
            before,
        })
    }

    /// The new run as shown; `None` before it is recorded or when the
    /// changelog cannot be read (the step itself will say why).
    pub async fn read(&self) -> Option<Shown> {
        let run = self.db.runs(self.migration, 1).await.ok()?.pop()?;
        (Some(&run.id) != self.before.as_ref()).then(|| shown_run(&run))
    }
}

fn shown_run(run: &RunRecord) -> Shown {
    let ended = |outcome: ChangeOutcome| {
        !matches!(outcome, ChangeOutcome::Pending | ChangeOutcome::Running)
    };
    let now = run
        .changes
        .iter()
        .find(|change| change.outcome == ChangeOutcome::Running)
        .map(|change| match &change.progress {
            Some(progress) => format!("{} · {progress}", change.description),
            None => change.description.clone(),
        });
    Shown {
        position: count(run.changes.iter().filter(|c| ended(c.outcome))),
        length: count(run.changes.iter()),
        now,
        states: run
            .changes
            .iter()
            .filter(|change| change.outcome != ChangeOutcome::Pending)
            .map(|change| format!("{:<8} {}", change.outcome.as_str(), change.description))
            .collect(),
    }
}

/// Reads the backup or restore job that started after the step began.
pub struct JobReader {
    jobs: Jobs,
    before: Option<String>,
}

impl JobReader {
    pub async fn new(jobs: &Jobs) -> Result<Self, OpsError> {
        let before = jobs.snapshot().await?.map(|job| job.id);
        Ok(Self {
            jobs: jobs.clone(),
            before,
        })
    }

    pub async fn read(&self) -> Option<Shown> {
        let job = self.jobs.snapshot().await.ok()??;
        (Some(&job.id) != self.before.as_ref()).then(|| shown_job(&job))
    }
}

/// Documents done of all; a line per collection once it is done.
fn shown_job(job: &JobProgress) -> Shown {
    let now = job
        .collections
        .iter()
        .find(|collection| !collection.done && job.state == JobState::Running)
        .map(|collection| {
            format!(
                "{} {}: {} of {} documents",
                job.kind.as_str(),
                collection.name,
                collection.documents,
                collection.total
            )
        });
    Shown {
        position: saturating_sum(job.collections.iter().map(|c| c.documents)),
        length: saturating_sum(job.collections.iter().map(|c| c.total)),
        now,
        states: job
            .collections
            .iter()
            .filter(|collection| collection.done)
            .map(|collection| {
                format!(
                    "done     {}: {} documents",
                    collection.name, collection.documents
                )
            })
            .collect(),
    }
}

/// Counts come from records anyone may have written: near 2^64 they stop
/// at the largest, rather than wrap or panic.
fn saturating_sum(counts: impl Iterator<Item = u64>) -> u64 {
    counts.fold(0, u64::saturating_add)
}

fn count<T>(items: impl Iterator<Item = T>) -> u64 {
    u64::try_from(items.count()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChangeResult, CollectionProgress, JobKind, RunKind, RunState};

    fn change(description: &str, outcome: ChangeOutcome, progress: Option<&str>) -> ChangeResult {
        ChangeResult {
            description: description.to_owned(),
            outcome,
            progress: progress.map(str::to_owned),
            ..ChangeResult::default()
        }
    }

    #[test]
    fn a_run_shows_its_ended_changes_and_the_build_under_way() {
        let run = RunRecord {
            id: "r".to_owned(),
            migration: "m".to_owned(),
            kind: RunKind::Migrate,
            checksum: String::new(),
            state: RunState::Running,
            started_by: "cli:me".to_owned(),
            started_at: String::new(),
            finished_at: None,
            changes: vec![
                change("create collection devices", ChangeOutcome::Applied, None),
                change("create index a", ChangeOutcome::Running, Some("40%")),
                change("create index b", ChangeOutcome::Pending, None),
            ],
            error: None,
            backup: None,
            pre_image_backup: None,
            cancel_requested_by: None,
        };
        let shown = shown_run(&run);
        assert_eq!((shown.position, shown.length), (1, 3));
        assert_eq!(shown.now.as_deref(), Some("create index a · 40%"));
        assert_eq!(
            shown.states,
            [
                "applied  create collection devices",
                "running  create index a"
            ]
        );
    }

    #[test]
    fn a_job_counts_documents_and_says_each_collection_once_done() {
        let collection = |name: &str, documents, total, done| CollectionProgress {
            name: name.to_owned(),
            documents,
            total,
            bytes: 0,
            done,
        };
        let job = JobProgress {
            id: "j".to_owned(),
            kind: JobKind::Backup,
            backup: "b".to_owned(),
            state: JobState::Running,
            collections: vec![
                collection("focus_sessions", 300, 300, true),
                collection("tasks", 250, 1_000, false),
            ],
            message: None,
            pre_image_backup: None,
        };
        let shown = shown_job(&job);
        assert_eq!((shown.position, shown.length), (550, 1_300));
        assert_eq!(
            shown.now.as_deref(),
            Some("backup tasks: 250 of 1000 documents")
        );
        assert_eq!(shown.states, ["done     focus_sessions: 300 documents"]);
    }

    #[test]
    fn counts_near_the_largest_stop_there() {
        assert_eq!(saturating_sum([u64::MAX - 1, 5, 7].into_iter()), u64::MAX);
    }
}
