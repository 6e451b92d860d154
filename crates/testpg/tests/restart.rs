//! Restarting the server keeps its port and its data, and breaks open connections. (A binary of
//! its own: a restart would break the connections of tests running beside it.)

use postgres::{Client, NoTls};

#[test]
fn restart_keeps_port_and_data() {
    let server = haven_testpg::server();
    let url = server.fresh_database("restart");
    let port = server.port();
    let mut before = Client::connect(&url, NoTls).expect("connects");
    before
        .batch_execute("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('survives')")
        .expect("writable");

    server.restart();
    assert_eq!(server.port(), port);
    assert!(
        before.query_one("SELECT 1", &[]).is_err(),
        "a connection from before the restart is broken"
    );
    let mut after = Client::connect(&url, NoTls).expect("connects again");
    let value: String = after
        .query_one("SELECT v FROM kept", &[])
        .expect("the table survived")
        .get(0);
    assert_eq!(value, "survives");

    // stop and start separately: refused while stopped, back afterwards.
    drop(after);
    server.stop();
    assert!(Client::connect(&url, NoTls).is_err(), "stopped");
    server.start();
    let mut again = Client::connect(&url, NoTls).expect("started again");
    let rows: i64 = again
        .query_one("SELECT COUNT(*) FROM kept", &[])
        .expect("readable")
        .get(0);
    assert_eq!(rows, 1);
}
