//! The application on PostgreSQL (issue 13): two servers on one database see each other's
//! imports within a second and write one ledger that verifies; a PostgreSQL restart under load
//! fails requests cleanly (503, the one error shape) and they succeed again afterwards, with
//! nothing committed lost; the web UI's sessions, pages and forms work on it. Each test has its
//! own database on the test process's throwaway PostgreSQL (`haven-testpg`); the restart test
//! has a PostgreSQL of its own.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use haven_app::{ChangeFollower, Role};
use serde_json::Value;

use crate::application::{
    ApiApp, error_parts, example_request, pg_service_in, serve_api, spawn_api_over,
};
use crate::live_imports::{NEWCOMER, import_newcomer, matched_ids};
use crate::web::{PASSWORD, WebClient, text, web_account};

/// How long a server waits for a change announcement before looking anyway, as `haven serve`.
const FOLLOW_POLL: Duration = Duration::from_secs(1);

/// Runs blocking work (the PostgreSQL client) off the async test's thread.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("no panic")
}

/// A server on the PostgreSQL database at `url` with the examples imported and one account per
/// role.
async fn first_server(url: String) -> ApiApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().to_owned();
    let service = blocking(move || pg_service_in(&path, &url)).await;
    spawn_api_over(service, dir).await
}

/// A second server on the same database as `first`, as on another machine: its own data
/// directory holding a copy of the signing key, its own index, its own port; the same accounts.
async fn second_server(first: &ApiApp, url: String) -> (ApiApp, ChangeFollower) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::copy(
        first.dir.path().join(haven_store::SIGNING_KEY_FILE),
        dir.path().join(haven_store::SIGNING_KEY_FILE),
    )
    .expect("key copied");
    let path = dir.path().to_owned();
    let service = blocking(move || {
        let service = pg_service_in(&path, &url);
        service.load_index().expect("index loads");
        Arc::new(service)
    })
    .await;
    let follower = ChangeFollower::start(Arc::clone(&service), FOLLOW_POLL).expect("follows");
    (
        serve_api(service, dir, first.tokens.clone()).await,
        follower,
    )
}

/// Every ledger entry verified from `app`'s database: the log's size.
async fn verified_size(app: &ApiApp) -> u64 {
    let service = Arc::clone(&app.service);
    blocking(move || {
        service
            .database()
            .verify_ledger()
            .expect("the ledger verifies")
            .size
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_database_see_each_others_imports_and_keep_one_ledger() {
    let url = blocking(|| haven_testpg::server().fresh_database("two_servers")).await;
    let a = Arc::new(first_server(url.clone()).await);
    let (b, _follower) = second_server(&a, url).await;
    let b = Arc::new(b);
    assert!(matched_ids(&b, NEWCOMER).await.is_empty());

    // An import through A is screened through B within a second.
    import_newcomer(&a).await;
    let imported_at = Instant::now();
    loop {
        if matched_ids(&b, NEWCOMER).await == ["R-9001"] {
            break;
        }
        assert!(
            imported_at.elapsed() < Duration::from_secs(5),
            "server B never saw the import"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seen_after = imported_at.elapsed();
    eprintln!("server B screened the import through A after {seen_after:?}");
    assert!(seen_after < Duration::from_secs(1), "{seen_after:?}");

    // Concurrent assessments through both servers: distinct cases, one ledger that verifies.
    let before = verified_size(&a).await;
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..16 {
        let app = Arc::clone(if i % 2 == 0 { &a } else { &b });
        let request = request.clone();
        sent.spawn(async move {
            app.post_json(Role::Officer, "/api/v1/requests", &request)
                .await
        });
    }
    let answers = sent.join_all().await;
    let mut cases = BTreeSet::new();
    let mut entries = BTreeSet::new();
    for (status, decision) in &answers {
        assert_eq!(*status, 201, "{decision}");
        cases.insert(decision["case"].as_str().expect("case id").to_owned());
        entries.insert(decision["ledger"]["index"].as_u64().expect("ledger index"));
    }
    assert_eq!(cases.len(), 16, "every assessment opened its own case");
    assert_eq!(entries.len(), 16, "every decision has its own ledger entry");
    let after = verified_size(&b).await;
    assert!(after >= before + 16, "{before} → {after}");
    assert_eq!(
        verified_size(&a).await,
        after,
        "both servers read one ledger"
    );
    let (status, listed) = b.get_json(Role::Officer, "/api/v1/cases").await;
    assert_eq!(status, 200, "{listed}");
    let listed: BTreeSet<String> = listed["cases"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    assert!(cases.is_subset(&listed), "B lists the cases made through A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgresql_restart_fails_requests_cleanly_and_they_succeed_again() {
    let postgres = Arc::new(blocking(haven_testpg::private_server).await);
    let pg = Arc::clone(&postgres);
    let url = blocking(move || pg.fresh_database("restart")).await;
    let app = Arc::new(first_server(url).await);
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let (status, decision) = app
        .post_json(Role::Officer, "/api/v1/requests", &request)
        .await;
    assert_eq!(status, 201, "{decision}");
    let committed_case = decision["case"].as_str().expect("case id").to_owned();
    let committed_size = verified_size(&app).await;

    // Load: screenings (each a ledger entry) one after the other until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (app, stop) = (Arc::clone(&app), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut answers: Vec<(u16, Value)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                answers.push(
                    app.post_json(Role::Officer, "/api/v1/screen", NEWCOMER)
                        .await,
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answers
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pg = Arc::clone(&postgres);
    blocking(move || pg.stop()).await;
    // While PostgreSQL is down, a request that must write fails cleanly.
    let (status, body) = app
        .post_json(Role::Officer, "/api/v1/requests", &request)
        .await;
    assert_eq!(status, 503, "{body}");
    let (code, message) = error_parts(&body);
    assert_eq!(code, "unavailable", "{body}");
    assert!(
        !message.contains("postgres://"),
        "no database address: {message}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pg = Arc::clone(&postgres);
    blocking(move || pg.start()).await;

    // Afterwards requests succeed again (the pool drops the broken connections).
    let restarted = Instant::now();
    loop {
        let (status, body) = app
            .post_json(Role::Officer, "/api/v1/requests", &request)
            .await;
        if status == 201 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(
            restarted.elapsed() < Duration::from_secs(10),
            "still failing 10 s after the restart: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "the first assessment after the restart succeeded after {:?}",
        restarted.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let answers = load.await.expect("the load ran");
    let mut statuses = BTreeSet::new();
    for (status, body) in &answers {
        statuses.insert(*status);
        match status {
            200 => {}
            503 => assert_eq!(error_parts(body).0, "unavailable", "{body}"),
            other => panic!("a screening under restart answered {other}: {body}"),
        }
    }
    assert!(
        statuses.contains(&503),
        "the load saw the outage: {statuses:?}"
    );
    assert_eq!(answers.last().map(|a| a.0), Some(200), "the load recovered");

    // Nothing committed is lost: the case is there and the ledger verifies past its old size.
    let (status, case) = app
        .get_json(Role::Officer, &format!("/api/v1/cases/{committed_case}"))
        .await;
    assert_eq!(status, 200, "{case}");
    assert!(verified_size(&app).await > committed_size);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_web_ui_works_on_postgresql() {
    let url = blocking(|| haven_testpg::server().fresh_database("web_ui")).await;
    let app = first_server(url).await;
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let (status, decision) = app
        .post_json(Role::Officer, "/api/v1/requests", &request)
        .await;
    assert_eq!(status, 201, "{decision}");
    let case = decision["case"].as_str().expect("case id").to_owned();
    let service = Arc::clone(&app.service);
    let judge = blocking(move || web_account(&service, Role::Judge)).await;
    let service = Arc::clone(&app.service);
    let auditor = blocking(move || web_account(&service, Role::Auditor)).await;

    // A judge signs in (the session is stored in PostgreSQL), finds the case and records a step.
    let mut client = WebClient::new(&app);
    let signed_in = client.sign_in(&judge, PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let (status, list) = client.page("/cases").await;
    assert_eq!(status, 200);
    assert!(list.contains(&case), "the case list shows {case}");
    let path = format!("/cases/{case}");
    let (status, page) = client.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("freeze and refer"), "the memo is shown");
    let done = client.step(&path, "freeze", "risk to the lawyer").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (_, shown) = client
        .page(done.location.as_deref().expect("redirect"))
        .await;
    assert!(shown.contains("The step was recorded."), "{shown}");

    // The auditor's ledger page verifies the whole log read from PostgreSQL.
    let mut auditing = WebClient::new(&app);
    assert_eq!(auditing.sign_in(&auditor, PASSWORD).await.status, 303);
    let (status, ledger) = auditing.page("/ledger").await;
    assert_eq!(status, 200, "{ledger}");
    assert!(text(&ledger).contains("verified"), "{}", text(&ledger));
    assert!(verified_size(&app).await > 0);
}
