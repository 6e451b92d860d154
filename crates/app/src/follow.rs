//! Keeping a running index current with imports made through other processes: a thread that
//! waits for the database's announcement of new data (PostgreSQL's NOTIFY; a plain wait of one
//! poll interval where the database announces nothing, as SQLite) and then catches up. A catch-up
//! also follows every wait that ended without an announcement, so an import whose announcement
//! was missed (the listening connection broke and was remade) is still applied, within one poll
//! interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::Service;

/// A running follower; dropping it stops the thread (within one poll interval).
#[derive(Debug)]
pub struct ChangeFollower {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ChangeFollower {
    /// Starts following changes for `service`, waiting at most `poll` between catch-ups.
    pub fn start(service: Arc<Service>, poll: Duration) -> std::io::Result<ChangeFollower> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("haven-follow".into())
            .spawn(move || follow(&service, poll, &stopping))?;
        Ok(ChangeFollower {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ChangeFollower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn follow(service: &Service, poll: Duration, stop: &AtomicBool) {
    let mut database_was_away = false;
    while !stop.load(Ordering::Relaxed) {
        if let Err(error) = service.database().wait_for_change(poll) {
            // The database is away (restarting, unreachable): say so once, retry each interval.
            if !database_was_away {
                tracing::warn!(%error, "cannot wait for changes; retrying every {poll:?}");
                database_was_away = true;
            }
            std::thread::sleep(poll);
            continue;
        }
        match service.catch_up() {
            Ok(update) => {
                if database_was_away {
                    tracing::info!("the database is reachable again; the index caught up");
                    database_was_away = false;
                }
                if let Some(update) = update {
                    tracing::info!(
                        applied = update.applied,
                        data_version = update.data_version,
                        ms = update.took.as_secs_f64() * 1000.0,
                        compacted = update.compacted,
                        "screening index caught up"
                    );
                }
            }
            Err(error) => {
                if !database_was_away {
                    tracing::error!(%error, "screening index catch-up failed");
                    database_was_away = true;
                }
                std::thread::sleep(poll);
            }
        }
    }
}
