//! Imports from the web UI (administrators): a registry or context file uploaded, imported in
//! the background by the service (all-or-nothing, as the command line does by default), and a
//! page per import that shows its progress and reloads itself every second while it runs — a
//! `<meta http-equiv="refresh">`, so no JavaScript — then its report or its rejected lines.
//!
//! Jobs live in memory in the web state, the last [`KEPT_JOBS`] of them; the ledger, not this
//! list, is the record of what was imported. Only the account that started an import sees its
//! page (others get "not found", which does not tell them that it exists).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_access::Action;
use haven_app::{AccountName, AppError, ImportKind, ImportOutcome, ImportProgress, MemorySource};
use haven_store::ImportMode;

use crate::WebState;
use crate::page::{Frame, PageError, render};
use crate::session::Signed;
use crate::upload::{Upload, not_multipart};

/// How many imports the web UI remembers (the oldest is forgotten first).
const KEPT_JOBS: usize = 50;
/// How many rejected lines a failed import's page lists.
const SHOWN_REJECTS: usize = 20;

/// The imports started from the web UI, by job id.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    jobs: Mutex<HashMap<String, Arc<JobState>>>,
    /// Numbers the jobs in the order they started (instants may tie).
    started: AtomicU64,
}

impl Jobs {
    fn next_number(&self) -> u64 {
        self.started.fetch_add(1, Ordering::Relaxed)
    }

    fn insert(&self, job: Arc<JobState>) {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.insert(job.id.clone(), job);
        while jobs.len() > KEPT_JOBS {
            let oldest = jobs
                .values()
                .min_by_key(|job| job.number)
                .map(|job| job.id.clone());
            match oldest {
                Some(id) => jobs.remove(&id),
                None => break,
            };
        }
    }

    /// The job `id` if `owner` started it.
    fn get(&self, id: &str, owner: &AccountName) -> Option<Arc<JobState>> {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.get(id).filter(|job| &job.owner == owner).cloned()
    }

    /// The jobs `owner` started, newest first.
    fn of(&self, owner: &AccountName) -> Vec<Arc<JobState>> {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut own: Vec<Arc<JobState>> = jobs
            .values()
            .filter(|job| &job.owner == owner)
            .cloned()
            .collect();
        own.sort_by_key(|job| std::cmp::Reverse(job.number));
        own
    }
}

/// One import: what it reads, how far it has come, and how it ended.
#[derive(Debug)]
pub(crate) struct JobState {
    id: String,
    number: u64,
    owner: AccountName,
    kind: ImportKind,
    file_name: String,
    total_bytes: u64,
    started: Instant,
    started_at: jiff::Timestamp,
    bytes_read: AtomicU64,
    storing: AtomicBool,
    /// `None` while the import runs.
    end: Mutex<Option<JobEnd>>,
}

/// How an import ended.
#[derive(Debug, Clone)]
enum JobEnd {
    Done { report: DoneReport, took: Duration },
    Failed { failure: Failure, took: Duration },
}

/// What a finished import did, as its page shows it.
#[derive(Debug, Clone)]
struct DoneReport {
    inserted: u64,
    updated: u64,
    unchanged: u64,
    skipped: BTreeMap<String, usize>,
    ledger_index: u64,
    data_version: u64,
    index_applied: Option<usize>,
}

/// Why an import stored nothing.
#[derive(Debug, Clone)]
struct Failure {
    message: String,
    /// The first rejected lines (for an import refused for invalid lines).
    rejects: Vec<RejectRow>,
    /// How many lines were rejected in all.
    rejected_lines: usize,
}

/// A rejected line: its number, the field, and what is wrong.
#[derive(Debug, Clone)]
struct RejectRow {
    line: usize,
    field: String,
    reason: String,
}

impl RejectRow {
    /// A reject's message is `field: reason` when it is about one field (the parser's
    /// `RecordError`); a message about the whole line (`not valid JSON: …`) has no field.
    fn new(reject: &haven_store::Reject) -> RejectRow {
        let (field, reason) = match reject.message.split_once(": ") {
            Some((field, reason)) if !field.is_empty() && !field.contains(' ') => {
                (field.to_owned(), reason.to_owned())
            }
            _ => (String::new(), reject.message.clone()),
        };
        RejectRow {
            line: reject.line,
            field,
            reason,
        }
    }
}

impl ImportProgress for JobState {
    fn read(&self, bytes: u64) {
        self.bytes_read.store(bytes, Ordering::Relaxed);
    }

    fn storing(&self) {
        self.bytes_read.store(self.total_bytes, Ordering::Relaxed);
        self.storing.store(true, Ordering::Relaxed);
    }
}

impl JobState {
    fn end(&self) -> Option<JobEnd> {
        self.end
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn finish(&self, end: JobEnd) {
        *self.end.lock().unwrap_or_else(PoisonError::into_inner) = Some(end);
    }

    fn finish_with(&self, result: Result<ImportOutcome, AppError>) {
        let took = self.started.elapsed();
        let end = match result {
            Ok(outcome) => JobEnd::Done {
                report: DoneReport {
                    inserted: outcome.report.inserted,
                    updated: outcome.report.updated,
                    unchanged: outcome.report.unchanged,
                    skipped: outcome.skipped,
                    ledger_index: outcome.report.ledger_index,
                    data_version: outcome.report.data_version,
                    index_applied: outcome.index.map(|update| update.applied),
                },
                took,
            },
            Err(AppError::InvalidImport { rejects }) => JobEnd::Failed {
                failure: Failure {
                    message: format!(
                        "{} line(s) are invalid, so nothing was imported (an import is all or \
                         nothing). Correct them and import the file again.",
                        haven_store::distinct_lines(&rejects)
                    ),
                    rejected_lines: haven_store::distinct_lines(&rejects),
                    rejects: rejects
                        .iter()
                        .take(SHOWN_REJECTS)
                        .map(RejectRow::new)
                        .collect(),
                },
                took,
            },
            // The page error's message is written for the reader and never carries a
            // database error's text (that is logged).
            Err(other) => JobEnd::Failed {
                failure: Failure {
                    message: PageError::from(other).message,
                    rejects: Vec::new(),
                    rejected_lines: 0,
                },
                took,
            },
        };
        self.finish(end);
    }
}

/// One of the account's recent imports, as the import form lists them.
#[derive(Debug)]
struct JobListing {
    id: String,
    kind: &'static str,
    file_name: String,
    started_at: String,
    state: &'static str,
}

impl JobListing {
    fn new(job: &JobState) -> JobListing {
        JobListing {
            id: job.id.clone(),
            kind: job.kind.as_str(),
            file_name: job.file_name.clone(),
            started_at: job.started_at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
            state: match job.end() {
                None => "running",
                Some(JobEnd::Done { .. }) => "done",
                Some(JobEnd::Failed { .. }) => "failed",
            },
        }
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportFormPage {
    frame: Frame,
    kind: String,
    kind_error: Option<String>,
    file_error: Option<String>,
    jobs: Vec<JobListing>,
}

/// `GET /imports`: the upload form and the account's recent imports.
pub(crate) async fn form(
    State(state): State<WebState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let frame = signed.frame("/imports");
    signed.require(&state, Action::Import, &frame)?;
    let jobs = state
        .jobs
        .of(&signed.session.principal.actor)
        .iter()
        .map(|job| JobListing::new(job))
        .collect();
    Ok(render(&ImportFormPage {
        frame,
        kind: String::new(),
        kind_error: None,
        file_error: None,
        jobs,
    }))
}

/// `POST /imports`: checks the CSRF token and the role, starts the import on the blocking pool
/// and goes to its page (303) at once.
pub(crate) async fn start(
    State(state): State<WebState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let multipart = multipart.map_err(|_| not_multipart(&signed))?;
    let mut upload = Upload::read_checked(&signed, multipart).await?;
    let frame = signed.frame("/imports");
    signed.require(&state, Action::Import, &frame)?;
    let kind_text = upload.field("kind").to_owned();
    let kind = ImportKind::parse(&kind_text);
    let file = upload.take_file("file");
    let file_missing = file.is_none();
    let (Some(kind), Some(file)) = (kind, file) else {
        let owner = &signed.session.principal.actor;
        let page = ImportFormPage {
            frame,
            kind_error: kind
                .is_none()
                .then(|| "Choose what the file holds: the registry or the context.".to_owned()),
            file_error: file_missing.then(|| "Choose a file to import.".to_owned()),
            kind: kind_text,
            jobs: state
                .jobs
                .of(owner)
                .iter()
                .map(|j| JobListing::new(j))
                .collect(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    };
    let id = haven_app::random_token().map_err(|error| PageError::from(error).in_frame(frame))?;
    let file_name = if file.name.trim().is_empty() {
        "upload".to_owned()
    } else {
        file.name.clone()
    };
    let job = Arc::new(JobState {
        id: id.clone(),
        number: state.jobs.next_number(),
        owner: signed.session.principal.actor.clone(),
        kind,
        file_name: file_name.clone(),
        total_bytes: u64::try_from(file.bytes.len()).unwrap_or(u64::MAX),
        started: Instant::now(),
        started_at: state.service.clock().now(),
        bytes_read: AtomicU64::new(0),
        storing: AtomicBool::new(false),
        end: Mutex::new(None),
    });
    state.jobs.insert(Arc::clone(&job));
    let service = Arc::clone(&state.service);
    let principal = signed.session.principal.clone();
    let running = Arc::clone(&job);
    let source = MemorySource {
        name: file_name,
        bytes: file.bytes,
    };
    let handle = tokio::task::spawn_blocking(move || {
        let result = service.import(
            &principal,
            kind,
            &source,
            ImportMode::AllOrNothing,
            running.as_ref(),
        );
        running.finish_with(result);
    });
    // Watches the import: a panic in it must not leave its page saying "running" forever.
    tokio::spawn(async move {
        if handle.await.is_err() {
            tracing::error!("an import from the web UI panicked");
            job.finish(JobEnd::Failed {
                failure: Failure {
                    message: PageError::internal().message,
                    rejects: Vec::new(),
                    rejected_lines: 0,
                },
                took: job.started.elapsed(),
            });
        }
    });
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    frame: Frame,
    job: JobListing,
    running: bool,
    storing: bool,
    done_bytes: u64,
    total_bytes: u64,
    percent: u64,
    done_size: String,
    total_size: String,
    rate: String,
    elapsed: String,
    report: Option<DoneReport>,
    failure: Option<Failure>,
}

/// `GET /imports/{job}`: the import's progress, or how it ended.
pub(crate) async fn show(
    State(state): State<WebState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let frame = signed.frame("/imports");
    signed.require(&state, Action::Import, &frame)?;
    let Some(job) = state.jobs.get(&id, &signed.session.principal.actor) else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "No such import among yours. The web UI remembers the last imports since the server \
             started; the ledger records every import.",
        )
        .in_frame(frame));
    };
    let end = job.end();
    let (elapsed, report, failure) = match end {
        None => (job.started.elapsed(), None, None),
        Some(JobEnd::Done { report, took }) => (took, Some(report), None),
        Some(JobEnd::Failed { failure, took }) => (took, None, Some(failure)),
    };
    let running = report.is_none() && failure.is_none();
    let done_bytes = if running {
        job.bytes_read.load(Ordering::Relaxed).min(job.total_bytes)
    } else {
        job.total_bytes
    };
    let seconds = elapsed.as_secs_f64().max(0.001);
    let rate = format!("{}/s", size(done_bytes as f64 / seconds));
    let page = JobPage {
        frame,
        job: JobListing::new(&job),
        running,
        storing: job.storing.load(Ordering::Relaxed),
        done_bytes,
        total_bytes: job.total_bytes.max(1),
        percent: done_bytes
            .saturating_mul(100)
            .checked_div(job.total_bytes)
            .unwrap_or(100),
        done_size: size(done_bytes as f64),
        total_size: size(job.total_bytes as f64),
        rate,
        elapsed: format!("{seconds:.1} s"),
        report,
        failure,
    };
    Ok(render(&page))
}

/// A byte count for people: `512 B`, `3.4 KiB`, `12.0 MiB`.
fn size(bytes: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(jobs: &Jobs, id: &str, owner: &str) -> Arc<JobState> {
        Arc::new(JobState {
            id: id.to_owned(),
            number: jobs.next_number(),
            owner: AccountName::parse(owner).expect("valid"),
            kind: ImportKind::Registry,
            file_name: "r.jsonl".into(),
            total_bytes: 10,
            started: Instant::now(),
            started_at: jiff::Timestamp::now(),
            bytes_read: AtomicU64::new(0),
            storing: AtomicBool::new(false),
            end: Mutex::new(None),
        })
    }

    #[test]
    fn only_the_owner_sees_a_job_and_the_oldest_is_forgotten() {
        let jobs = Jobs::default();
        jobs.insert(job(&jobs, "first", "admin"));
        let admin = AccountName::parse("admin").expect("valid");
        let other = AccountName::parse("admin-two").expect("valid");
        assert!(jobs.get("first", &admin).is_some());
        assert!(jobs.get("first", &other).is_none());
        for n in 0..KEPT_JOBS {
            jobs.insert(job(&jobs, &format!("job-{n}"), "admin"));
        }
        assert!(jobs.get("first", &admin).is_none(), "the oldest is dropped");
        assert_eq!(jobs.of(&admin).len(), KEPT_JOBS);
        assert_eq!(jobs.of(&admin)[0].id, format!("job-{}", KEPT_JOBS - 1));
    }

    #[test]
    fn rejects_name_their_field_when_they_have_one() {
        let row = RejectRow::new(&haven_store::Reject {
            line: 3,
            message: "birth_date: \"1971-13-02\" is not a date".into(),
        });
        assert_eq!((row.line, row.field.as_str()), (3, "birth_date"));
        let row = RejectRow::new(&haven_store::Reject {
            line: 4,
            message: "not valid JSON: EOF at column 3".into(),
        });
        assert_eq!(row.field, "");
        assert!(row.reason.starts_with("not valid JSON"));
    }

    fn page(running: bool, report: Option<DoneReport>) -> String {
        let job = job(&Jobs::default(), "j", "admin");
        job.read(4);
        JobPage {
            frame: Frame::default(),
            job: JobListing::new(&job),
            running,
            storing: false,
            done_bytes: 4,
            total_bytes: 10,
            percent: 40,
            done_size: size(4.0),
            total_size: size(10.0),
            rate: "4 B/s".into(),
            elapsed: "1.0 s".into(),
            report,
            failure: None,
        }
        .render()
        .expect("renders")
    }

    #[test]
    fn a_running_import_reloads_itself_and_a_finished_one_does_not() {
        let refresh = r#"<meta http-equiv="refresh" content="1">"#;
        let running = page(true, None);
        let head = &running[..running.find("</head>").expect("a head")];
        assert!(head.contains(refresh), "{running}");
        assert!(running.contains(r#"<progress id="import-progress" max="10" value="4">"#));
        let done = page(
            false,
            Some(DoneReport {
                inserted: 1,
                updated: 0,
                unchanged: 0,
                skipped: BTreeMap::new(),
                ledger_index: 7,
                data_version: 2,
                index_applied: Some(1),
            }),
        );
        assert!(!done.contains(refresh));
        assert!(done.contains("entry 7"));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(512.0), "512 B");
        assert_eq!(size(3.5 * 1024.0), "3.5 KiB");
        assert_eq!(size(12.0 * 1024.0 * 1024.0), "12.0 MiB");
    }
}
