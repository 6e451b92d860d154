//! The harness itself: it starts, reports a version and a start-up time, and gives each test a
//! database of its own.

use postgres::{Client, NoTls};

fn connect(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|err| panic!("connects to {url}: {err}"))
}

#[test]
fn the_server_starts_once_and_answers() {
    let server = haven_testpg::server();
    assert!(std::ptr::eq(server, haven_testpg::server()), "one server");
    assert!(
        server.version().starts_with("postgres (PostgreSQL)"),
        "{}",
        server.version()
    );
    assert!(server.port() > 0);
    assert!(server.directory().join("data").is_dir());
    let mut admin = connect(&server.admin_url());
    let encoding: String = admin
        .query_one("SHOW server_encoding", &[])
        .expect("answers")
        .get(0);
    assert_eq!(encoding, "UTF8");
    let address: String = admin
        .query_one("SELECT host(inet_server_addr())", &[])
        .expect("answers")
        .get(0);
    assert_eq!(address, "127.0.0.1");
    eprintln!("start-up took {} ms", server.startup_time().as_millis());
}

#[test]
fn fresh_databases_are_isolated() {
    let server = haven_testpg::server();
    let first = server.fresh_database("isolation one");
    let second = server.fresh_database("isolation one");
    assert_ne!(first, second, "each call a new database");

    let mut one = connect(&first);
    one.batch_execute("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('in one')")
        .expect("writable");
    let mut two = connect(&second);
    let tables: i64 = two
        .query_one(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 't'",
            &[],
        )
        .expect("answers")
        .get(0);
    assert_eq!(
        tables, 0,
        "the second database does not see the first's table"
    );
    let database: String = two
        .query_one("SELECT current_database()", &[])
        .expect("answers")
        .get(0);
    assert!(
        second.ends_with(&format!("/{database}")),
        "{second} vs {database}"
    );
}
