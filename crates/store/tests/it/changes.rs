//! Announcements of new data (`Database::wait_for_change`), which keep every server's index
//! current: on PostgreSQL an import through one handle wakes another handle's wait at once, and a
//! broken listening connection is remade with a "maybe changed" so nothing missed meanwhile is
//! lost; SQLite, which announces nothing, waits the interval and says "maybe".

use std::time::{Duration, Instant};

use haven_store::{Database, ImportMode};

use crate::{Backend, registry, registry_line};

/// Waits until `db` reports a possible change, at most `attempts` waits of `each`.
fn woken(db: &dyn Database, each: Duration, attempts: usize) -> bool {
    (0..attempts).any(|_| matches!(db.wait_for_change(each), Ok(true)))
}

#[test]
fn postgres_wakes_a_waiting_server_at_an_import_through_another() {
    let listening = Backend::postgres("changes_wake");
    let importing = listening.open_again().expect("a second handle");
    // The first wait makes the listening connection: it says "maybe", as after any reconnect.
    assert!(matches!(
        listening.db().wait_for_change(Duration::from_millis(10)),
        Ok(true)
    ));
    assert!(
        matches!(
            listening.db().wait_for_change(Duration::from_millis(50)),
            Ok(false)
        ),
        "nothing happened, nothing announced"
    );

    let started = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            registry(
                importing.as_ref(),
                &[registry_line("R-1", &[], "Aliya Zhaksybekova")],
                ImportMode::AllOrNothing,
            )
            .expect("imports");
        });
        assert!(
            matches!(
                listening.db().wait_for_change(Duration::from_secs(10)),
                Ok(true)
            ),
            "the import woke the wait"
        );
    });
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    let (changed, version) = listening.db().persons_changed_since(0).expect("reads");
    assert_eq!((changed.len(), version), (1, 1));
}

#[test]
fn postgres_remakes_a_broken_listening_connection_and_says_maybe() {
    let listening = Backend::postgres("changes_reconnect");
    let url = listening.url.clone().expect("PostgreSQL");
    assert!(woken(listening.db(), Duration::from_millis(10), 1));
    // The listening connection is killed, and an import happens while nobody listens.
    let mut admin = crate::raw_pg(&url);
    let killed: i64 = admin
        .query_one(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND query LIKE 'LISTEN%') t",
            &[],
        )
        .expect("terminates")
        .get(0);
    assert_eq!(killed, 1, "one listening connection");
    let importing = listening.open_again().expect("a second handle");
    registry(
        importing.as_ref(),
        &[registry_line("R-2", &[], "Timur Zhaksybekov")],
        ImportMode::AllOrNothing,
    )
    .expect("imports");
    // The next waits notice the broken connection (an error, or at once a new one and "maybe"),
    // so the caller catches up and finds the import it was never told about.
    assert!(woken(listening.db(), Duration::from_millis(200), 3));
    let (changed, _) = listening.db().persons_changed_since(0).expect("reads");
    assert_eq!(changed.len(), 1);
}

#[test]
fn sqlite_waits_the_interval_and_says_maybe() {
    let backend = Backend::sqlite();
    let started = Instant::now();
    assert!(matches!(
        backend.db().wait_for_change(Duration::from_millis(50)),
        Ok(true)
    ));
    assert!(started.elapsed() >= Duration::from_millis(50));
}
