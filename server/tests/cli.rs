//! The `rollbook` command line as an operator uses it: real processes, real files.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

fn rollbook(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollbook"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ROLLBOOK_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run rollbook");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A failure is exactly one line on stderr, starting `error: `, and never a panic.
fn assert_one_line_error(out: &Output, expected_start: &str) -> String {
    assert_eq!(out.status.code(), Some(1), "stdout: {} stderr: {}", text(&out.stdout), text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with(expected_start), "{stderr}");
    lines[0].to_string()
}

#[test]
fn help_documents_every_command_and_variable() {
    let out = run(Command::new(env!("CARGO_BIN_EXE_rollbook")).arg("--help"), None);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in [
        "serve", "admin", "validate", "demo", "app", "ROLLBOOK_TOKEN_LIFETIME", "ROLLBOOK_DATA_DIR", "ROLLBOOK_DATABASE_URL", "ROLLBOOK_LISTEN",
        "ROLLBOOK_PUBLIC_URL", "ROLLBOOK_SECRET_KEY", "ROLLBOOK_ADMIN_EMAIL", "ROLLBOOK_TRUST_FORWARDED_FOR",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    let out = run(Command::new(env!("CARGO_BIN_EXE_rollbook")).args(["admin", "--help"]), None);
    let help = text(&out.stdout);
    for needle in ["create", "reset-password", "list", "disable", "enable"] {
        assert!(help.contains(needle), "admin --help lacks {needle}:\n{help}");
    }
    let out = run(Command::new(env!("CARGO_BIN_EXE_rollbook")).args(["admin", "create", "--help"]), None);
    assert!(text(&out.stdout).contains("--json"));
}

#[test]
fn admin_create_generates_a_password_once_and_lists_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(rollbook(dir.path()).args(["admin", "create", "--email", "Ana@District.example", "--json"]), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(created["email"], "ana@district.example");
    assert_eq!(created["role"], "district_admin");
    let password = created["password"].as_str().expect("generated password").to_string();
    assert_eq!(password.len(), 24);
    assert!(dir.path().join("rollbook.db").exists(), "SQLite database in the data folder");

    let out = run(rollbook(dir.path()).args(["admin", "list", "--json"]), None);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["email"], "ana@district.example");
    assert!(list[0].get("password").is_none() && list[0].get("password_hash").is_none());
    assert!(!text(&out.stdout).contains(&password), "the password is never shown again");

    // the generated password really signs in
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = store::connect(&format!("sqlite://{}", dir.path().join("rollbook.db").display())).await.unwrap();
        store.authenticate("ana@district.example", &password, None).await.unwrap();
        store.close().await;
    });

    let out = run(rollbook(dir.path()).args(["admin", "list"]), None);
    let table = text(&out.stdout);
    assert!(table.starts_with("E-MAIL"), "{table}");
    assert!(table.contains("ana@district.example") && table.contains("District admin") && table.contains("active"), "{table}");
    assert!(!table.contains("never"), "the sign-in above is listed: {table}");
}

#[test]
fn admin_create_and_reset_read_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rollbook(dir.path()).args(["admin", "create", "--email", "aud@district.example", "--role", "auditor", "--password-stdin"]),
        Some("a-chosen-long-password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Created auditor aud@district.example (aud).\n");

    let out = run(
        rollbook(dir.path()).args(["admin", "reset-password", "--email", "aud@district.example", "--password-stdin", "--json"]),
        Some("another-long-password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["email"], "aud@district.example");
    assert!(doc.get("password").is_none(), "a chosen password is not echoed");

    let out = run(rollbook(dir.path()).args(["admin", "reset-password", "--email", "aud@district.example"]), None);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Password: ") && stdout.contains("shown only now"), "{stdout}");

    let out = run(
        rollbook(dir.path()).args(["admin", "create", "--email", "x@district.example", "--password-stdin"]),
        Some("short\n"),
    );
    assert_eq!(
        assert_one_line_error(&out, "error: "),
        "error: the password is too short: use at least 12 characters"
    );
}

#[test]
fn admin_errors_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    run(rollbook(dir.path()).args(["admin", "create", "--email", "ana@district.example"]), None);
    let out = run(rollbook(dir.path()).args(["admin", "create", "--email", "ANA@district.example"]), None);
    assert_eq!(assert_one_line_error(&out, "error: "), "error: an account for ana@district.example exists already");
    let out = run(rollbook(dir.path()).args(["admin", "reset-password", "--email", "who@district.example"]), None);
    assert_eq!(assert_one_line_error(&out, "error: "), "error: there is no account for who@district.example");
    let out = run(rollbook(dir.path()).args(["admin", "disable", "--email", "ana@district.example", "--json"]), None);
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["disabled"], true);
}

#[test]
fn malformed_database_url_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(rollbook(dir.path()).env("ROLLBOOK_DATABASE_URL", "mysql://root@db/roster").args(["admin", "list"]), None);
    let line = assert_one_line_error(&out, "error: ROLLBOOK_DATABASE_URL (or --database-url): ");
    assert!(line.contains("`mysql` databases are not supported"), "{line}");
    assert!(line.contains("sqlite://PATH"), "says what would work: {line}");

    let out = run(rollbook(dir.path()).args(["--database-url", "postgres://u:pw@/", "admin", "list"]), None);
    let line = assert_one_line_error(&out, "error: ");
    assert!(!line.contains(":pw@"), "never prints the password: {line}");
}

#[test]
fn unreachable_database_is_explained_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    // nothing listens on port 1
    let out = run(
        rollbook(dir.path()).args(["--database-url", "postgres://rollbook:hunter2@127.0.0.1:1/rollbook", "admin", "list"]),
        None,
    );
    let line = assert_one_line_error(&out, "error: cannot open the database at postgres://rollbook:***@127.0.0.1:1/rollbook: ");
    assert!(line.contains("refused"), "{line}");
    assert!(!line.contains("hunter2"), "{line}");
}

#[test]
fn bad_listen_address_and_public_url_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(rollbook(dir.path()).args(["serve", "--listen", "localhost"]), None);
    assert_eq!(out.status.code(), Some(2), "clap usage error");
    assert!(text(&out.stderr).contains("--listen"), "{}", text(&out.stderr));
    let out = run(rollbook(dir.path()).args(["serve", "--public-url", "rollbook.example"]), None);
    assert_eq!(
        assert_one_line_error(&out, "error: "),
        "error: ROLLBOOK_PUBLIC_URL (or --public-url) `rollbook.example` is not an http:// or https:// URL"
    );
}

#[test]
fn malformed_secret_key_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(rollbook(dir.path()).env("ROLLBOOK_SECRET_KEY", "not-hex").args(["serve", "--listen", "127.0.0.1:0"]), None);
    assert_eq!(
        assert_one_line_error(&out, "error: "),
        "error: ROLLBOOK_SECRET_KEY: the secret key must be 64 hexadecimal digits"
    );
}

#[test]
fn busy_port_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = run(rollbook(dir.path()).args(["serve", "--listen", &addr]), None);
    let line = assert_one_line_error(&out, &format!("error: cannot listen on {addr}: the address is already in use"));
    assert!(line.contains("--listen or ROLLBOOK_LISTEN"), "{line}");
}

/// Starts `rollbook serve`, waits until it says it is running, stops it; returns its stdout.
fn serve_once(dir: &Path) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = rollbook(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if line.starts_with("Rollbook is running at") {
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    seen
}

#[test]
fn first_start_creates_the_admin_and_prints_the_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve_once(dir.path());
    assert!(first.contains("Rollbook is running at http://127.0.0.1:"), "{first}");
    assert!(first.contains("E-mail:   admin@rollbook.local"), "{first}");
    let password = first
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password: "))
        .expect("password printed")
        .to_string();
    assert!(dir.path().join("rollbook.db").exists());
    assert!(dir.path().join("secret.key").exists(), "secret key generated into the data folder");

    let second = serve_once(dir.path());
    assert!(second.contains("Rollbook is running at"), "{second}");
    assert!(!second.contains("Password"), "never printed again: {second}");
    assert!(!second.contains(&password));

    // nothing in the data folder holds the password in clear
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(&password));
    }
}

fn sample(path: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

#[test]
fn validate_reports_and_exits_by_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(rollbook(dir.path()).arg("validate").arg(sample("synthetic/v1p2-bulk/v1p2-bulk.zip")), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("OneRoster 1.2 package") && stdout.contains("Valid (0 warnings)."), "{stdout}");
    assert!(stdout.contains("enrollments.csv"), "{stdout}");

    let out = run(rollbook(dir.path()).args(["validate", "--json"]).arg(sample("moodle-enrol_oneroster/v1p1-bulk-minimal/Test_minimal_data_set.zip")), None);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["version"], "1.1");
    let first = &doc["diagnostics"][0];
    assert!(first["file"].is_string() && first["severity"].is_string() && first["message"].is_string(), "{first}");
    assert!(doc["errors"].as_u64().unwrap() > 0);

    let out = run(rollbook(dir.path()).arg("validate").arg(dir.path().join("nope.zip")), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: "), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"));
}

#[test]
fn validate_gives_the_expected_exit_code_for_every_sample_package() {
    let dir = tempfile::tempdir().unwrap();
    let expected = [
        ("synthetic/v1p1-bulk/v1p1-bulk.zip", 0),
        ("synthetic/v1p2-bulk/v1p2-bulk.zip", 0),
        ("synthetic/v1p2-delta/v1p2-delta.zip", 0),
        // nearly clean: only upper-case booleans, which are warnings
        ("moodle-enrol_oneroster/v1p2-delta-small/oneroster_test_data.zip", 0),
        ("moodle-enrol_oneroster/v1p1-bulk-minimal/Test_minimal_data_set.zip", 1),
        ("moodle-enrol_oneroster/v1p1-mixed-with-deliberate-errors/Test_full_data_set.zip", 1),
        ("moodle-enrol_oneroster/v1p2-malformed-negative/v1p2_full_dataset.zip", 1),
        // the 1.1 REST samples are JSON, not a CSV package
        ("1edtech-or11-conformance-json/1574845678", 2),
    ];
    for (path, code) in expected {
        let out = run(rollbook(dir.path()).arg("validate").arg(sample(path)), None);
        assert_eq!(out.status.code(), Some(code), "{path}:\n{}{}", text(&out.stdout), text(&out.stderr));
    }
}

/// `rollbook serve` stops on SIGTERM even while a client keeps a request unfinished: requests
/// in flight get a grace period, not forever (a half-open connection once kept test servers
/// running for hours).
#[cfg(unix)]
#[test]
fn serve_stops_on_sigterm_even_with_a_request_left_hanging() {
    use std::net::{TcpListener, TcpStream};
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = rollbook(dir.path())
        .env("RUST_LOG", "warn")
        .args(["serve", "--listen", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = loop {
        if let Ok(mut s) = TcpStream::connect(&addr) {
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            let _ = std::io::Read::read_to_string(&mut s, &mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                break true;
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(ready, "the server did not start");
    // A request whose body never comes: the handler waits for it.
    let mut hanging = TcpStream::connect(&addr).unwrap();
    hanging
        .write_all(b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    assert!(Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap().success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if signalled.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.is_some(), "the server was still running 30 s after SIGTERM");
    let mut log = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log);
    assert!(log.contains("stopping anyway"), "{log}");
    assert!(signalled.elapsed() >= Duration::from_secs(9), "the request in flight got its grace period");
    drop(hanging);
}
