//! Nothing outlives the test process: a child test process starts a server and exits without
//! running any destructor; the watchdog then stops the server and removes its directory.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Run only as the child of `the_server_goes_with_the_process`: starts the server and prints
/// where it is.
#[test]
#[ignore = "the child of the_server_goes_with_the_process"]
fn child_starts_a_server() {
    let server = haven_testpg::server();
    let _url = server.fresh_database("child");
    println!("SERVER {} {}", server.port(), server.directory().display());
}

#[test]
fn the_server_goes_with_the_process() {
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "child_starts_a_server",
            "--nocapture",
        ])
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SERVER "))
        .unwrap_or_else(|| panic!("the child names its server: {stdout}"));
    let (port, dir) = line.split_once(' ').expect("port and directory");
    let port: u16 = port.parse().expect("a port");
    let dir = PathBuf::from(dir);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listening = TcpStream::connect(("127.0.0.1", port)).is_ok();
        if !listening && !dir.exists() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "20 s after the child exited: listening={listening}, {} exists={}",
            dir.display(),
            dir.exists()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
