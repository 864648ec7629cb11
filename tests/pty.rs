#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The real binary in a pseudo-terminal: the console enters the alternate screen, draws, and on
//! `q`, Ctrl-C or a panic gives the terminal back as it found it (main screen, cursor shown,
//! cooked mode), with a panic's message readable after the restore.
//!
//! Each run goes through a small `sh` wrapper inside the pty: it fixes the window size with
//! `stty` (the pty starts at 0×0), records `stty -g` before and after the console, prints
//! `stty -a` and the console's exit code after it, and exits with that code. Assertions work on
//! the raw bytes the terminal received.

use rexpect::process::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Per expectation, and again for the exit: generous for a slow CI machine, but a broken console
/// fails the test instead of hanging it.
const TIMEOUT: Duration = Duration::from_secs(20);

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

/// Printed by the wrapper once the console has exited; everything before it is the console's.
const AFTER_MARK: &str = "@@stty-before ";

/// Runs in the pty as `sh -c WRAPPER sh SWITCHYARD ARGS…`. `stty sane` also undoes rexpect's
/// echo-off, so "the terminal as the console found it" is an ordinary interactive one.
const WRAPPER: &str = r#"
stty sane rows "$PTY_ROWS" cols "$PTY_COLS" || exit 90
before=$(stty -g)
"$@"
code=$?
after=$(stty -g)
all=$(stty -a | tr '\n' ' ')
printf '\n@@stty-before %s\n@@stty-after %s\n@@stty-a %s\n@@exit %s\n' "$before" "$after" "$all" "$code"
exit "$code"
"#;

const PANIC_MESSAGE: &str =
    "SWITCHYARD_TEST_PANIC is set: a forced panic for the terminal-restore test";

/// One console run in a pty, and every byte it has written so far. Dropping it ends the process
/// (rexpect: SIGTERM, SIGKILL after the timeout), then removes its scratch folder.
struct Run {
    session: PtySession,
    seen: Vec<u8>,
    dir: Scratch,
}

/// A finished run: the whole output and the exit code.
struct Finished {
    bytes: Vec<u8>,
    code: i32,
    dir: Scratch,
}

/// The run's HOME, XDG folders and working directory, removed afterwards, pass or fail.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Run {
    fn start(name: &str, size: (u16, u16), args: &[&str], panic: bool) -> Run {
        Run::start_under(name, size, &[], args, panic)
    }

    /// Like `start`, with the console run under `prefix` (e.g. `timeout`).
    fn start_under(
        name: &str,
        (cols, rows): (u16, u16),
        prefix: &[&str],
        args: &[&str],
        panic: bool,
    ) -> Run {
        let dir =
            std::env::temp_dir().join(format!("switchyard-pty-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(WRAPPER)
            .arg("sh")
            .args(prefix)
            .arg(env!("CARGO_BIN_EXE_switchyard"))
            .args(args)
            .current_dir(&dir)
            .env("PTY_COLS", cols.to_string())
            .env("PTY_ROWS", rows.to_string())
            .env("TERM", "xterm-256color")
            // Never a developer's own config, state or log.
            .env("HOME", &dir)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env_remove("NO_COLOR")
            .env_remove("RUST_BACKTRACE")
            .env_remove("SWITCHYARD_LOG");
        if panic {
            cmd.env("SWITCHYARD_TEST_PANIC", "1");
        } else {
            cmd.env_remove("SWITCHYARD_TEST_PANIC");
        }
        let timeout = Some(TIMEOUT.as_millis() as u64);
        let session = spawn_with_options(cmd, Options::new().timeout_ms(timeout))
            .unwrap_or_else(|e| panic!("cannot start the console in a pty: {e}"));
        Run {
            session,
            seen: Vec::new(),
            dir: Scratch(dir),
        }
    }

    /// Wait until `needle` appears in the output.
    fn expect(&mut self, needle: &str) {
        match self.session.exp_string(needle) {
            Ok(before) => {
                self.seen.extend(raw(&before));
                self.seen.extend(needle.as_bytes());
            }
            Err(e) => {
                let got = match &e {
                    rexpect::error::Error::Timeout { got, .. }
                    | rexpect::error::Error::EOF { got, .. } => raw(got),
                    _ => Vec::new(),
                };
                self.seen.extend(got);
                panic!(
                    "waiting for {needle:?}: {}\n--- output so far (tail) ---\n{}",
                    short_error(&e),
                    tail(&self.seen)
                );
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).unwrap();
        self.session.flush().unwrap();
    }

    /// Wait for the end of the output and the exit code, within the timeout.
    fn finish(mut self) -> Finished {
        match self.session.exp_eof() {
            Ok(rest) => self.seen.extend(raw(&rest)),
            Err(e) => {
                if let rexpect::error::Error::Timeout { got, .. } = &e {
                    self.seen.extend(raw(got));
                }
                panic!(
                    "the console did not exit: {}\n--- output so far (tail) ---\n{}",
                    short_error(&e),
                    tail(&self.seen)
                );
            }
        }
        let deadline = Instant::now() + TIMEOUT;
        let code = loop {
            match self.session.process().status() {
                Some(WaitStatus::Exited(_, code)) => break code,
                Some(WaitStatus::Signaled(_, signal, _)) => {
                    panic!("the wrapper was killed by {signal:?}\n{}", tail(&self.seen))
                }
                _ if Instant::now() > deadline => {
                    panic!(
                        "output ended but the process did not exit\n{}",
                        tail(&self.seen)
                    )
                }
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        Finished {
            bytes: self.seen,
            code,
            dir: self.dir,
        }
    }
}

impl Finished {
    /// Where the console's own output ends and the wrapper's report begins.
    fn console_end(&self) -> usize {
        find(&self.bytes, AFTER_MARK.as_bytes(), 0)
            .unwrap_or_else(|| panic!("no wrapper report after the console\n{}", tail(&self.bytes)))
    }

    /// A `@@name value` line of the wrapper's report.
    fn report(&self, name: &str) -> String {
        let text = String::from_utf8_lossy(&self.bytes[self.console_end()..]).into_owned();
        let mark = format!("@@{name} ");
        let start = text
            .find(&mark)
            .unwrap_or_else(|| panic!("no {mark:?} in the wrapper report:\n{text}"))
            + mark.len();
        let line = &text[start..];
        line[..line.find(['\r', '\n']).unwrap_or(line.len())].to_string()
    }

    fn position(&self, needle: &str) -> usize {
        find(&self.bytes, needle.as_bytes(), 0)
            .unwrap_or_else(|| panic!("{needle:?} never appeared\n{}", tail(&self.bytes)))
    }

    fn contains(&self, needle: &str) -> bool {
        find(&self.bytes, needle.as_bytes(), 0).is_some()
    }

    /// The console entered the alternate screen and drew `text` there.
    fn assert_drew(&self, text: &str) {
        let enter = find(&self.bytes, ENTER_ALT, 0)
            .unwrap_or_else(|| panic!("never entered the alternate screen\n{}", tail(&self.bytes)));
        let drawn = find(&self.bytes, text.as_bytes(), enter)
            .unwrap_or_else(|| panic!("{text:?} was not drawn\n{}", tail(&self.bytes)));
        assert!(
            in_alternate_screen(&self.bytes[..drawn]),
            "{text:?} was drawn outside the alternate screen"
        );
    }

    /// When the console exited, the screen and cursor were back to normal.
    fn assert_screen_restored(&self) {
        let out = &self.bytes[..self.console_end()];
        assert!(
            !in_alternate_screen(out),
            "still in the alternate screen at exit (no ESC[?1049l after the last ESC[?1049h)\n{}",
            tail(out)
        );
        assert!(
            cursor_visible(out),
            "the cursor is hidden at exit (no ESC[?25h after the last ESC[?25l)\n{}",
            tail(out)
        );
    }

    /// The terminal modes after the console equal those before it: raw mode is off again.
    fn assert_modes_restored(&self) {
        let before = self.report("stty-before");
        let after = self.report("stty-after");
        assert_eq!(
            before,
            after,
            "stty -g differs before and after the console; stty -a after: {}",
            self.report("stty-a")
        );
        let all = self.report("stty-a");
        let flags: Vec<&str> = all.split([' ', ';']).filter(|f| !f.is_empty()).collect();
        for flag in ["icanon", "echo", "isig", "icrnl", "opost", "onlcr"] {
            assert!(
                flags.contains(&flag) && !flags.contains(&format!("-{flag}").as_str()),
                "{flag} is not on after the console (raw mode left on?): {all}"
            );
        }
    }

    fn assert_exit(&self, expected: i32) {
        assert_eq!(
            self.report("exit"),
            expected.to_string(),
            "the console's exit code\n{}",
            tail(&self.bytes)
        );
        assert_eq!(self.code, expected, "the wrapper's exit code");
    }

    fn log_path(&self) -> PathBuf {
        self.dir.0.join("state/switchyard/switchyard.log")
    }

    /// The log file holds the panic's message, its location in the source and a backtrace; the
    /// log's text is returned.
    fn assert_crash_report_logged(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_else(|e| {
            panic!(
                "no log file {} after the panic: {e}\n{}",
                self.log_path().display(),
                tail(&self.bytes)
            )
        });
        for needle in [
            PANIC_MESSAGE,
            "The application panicked",
            "Location: src/tui/mod.rs:",
            "switchyard::tui::",
        ] {
            assert!(log.contains(needle), "{needle:?} is not in the log:\n{log}");
        }
        log
    }
}

/// rexpect hands out each byte as one `char` (U+0000–U+00FF): back to the bytes.
fn raw(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(c).expect("rexpect yields one char per byte"))
        .collect()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Whether the last alternate-screen switch in `out` entered it.
fn in_alternate_screen(out: &[u8]) -> bool {
    rfind(out, ENTER_ALT) > rfind(out, LEAVE_ALT)
}

/// Whether the cursor is visible after `out` (a terminal starts with it visible).
fn cursor_visible(out: &[u8]) -> bool {
    rfind(out, HIDE_CURSOR) <= rfind(out, SHOW_CURSOR)
}

/// The last part of the output, escapes made visible, for failure messages.
fn tail(bytes: &[u8]) -> String {
    let start = bytes.len().saturating_sub(3000);
    String::from_utf8_lossy(&bytes[start..])
        .escape_debug()
        .to_string()
}

fn short_error(e: &rexpect::error::Error) -> String {
    match e {
        rexpect::error::Error::Timeout { timeout, .. } => format!("timed out after {timeout:?}"),
        rexpect::error::Error::EOF { .. } => "the output ended".to_string(),
        other => other.to_string(),
    }
}

fn no_panic(out: &Finished) {
    assert!(
        !out.contains("panicked") && !out.contains("switchyard crashed"),
        "the console panicked\n{}",
        tail(&out.bytes)
    );
}

#[test]
fn a_panic_restores_the_terminal_before_its_message() {
    let mut run = Run::start("panic", (120, 35), &["demo"], true);
    run.expect(PANIC_MESSAGE);
    let out = run.finish();

    out.assert_drew("Health");
    let message = out.position(PANIC_MESSAGE);
    let hint = out.position(&format!(
        "The crash report is in {}; please report this.",
        out.log_path().display()
    ));
    assert!(message < hint, "the hint comes after the panic message");
    let enter = out.position(std::str::from_utf8(ENTER_ALT).unwrap());
    assert!(enter < message);
    // When the message is printed the user is back on the main screen, in cooked mode: output
    // processing turns every newline into CR LF again (raw mode would leave bare LFs, a staircase).
    assert!(
        !in_alternate_screen(&out.bytes[..message]),
        "the panic message went to the alternate screen, where nobody can read it\n{}",
        tail(&out.bytes)
    );
    let after_restore = &out.bytes[message..out.console_end()];
    for (i, &b) in after_restore.iter().enumerate() {
        if b == b'\n' {
            assert!(
                i > 0 && after_restore[i - 1] == b'\r',
                "a bare LF after the panic: raw mode still on when the message was printed\n{}",
                tail(&out.bytes)
            );
        }
    }
    assert!(
        find(after_restore, ENTER_ALT, 0).is_none()
            && find(after_restore, HIDE_CURSOR, 0).is_none(),
        "the console took the screen again after the panic"
    );
    // ratatui 0.30's `restore` does not show the cursor; the panic hook does, before the message.
    assert!(
        cursor_visible(&out.bytes[..message]),
        "the cursor is still hidden when the panic message is printed\n{}",
        tail(&out.bytes)
    );
    out.assert_screen_restored();
    out.assert_modes_restored();
    out.assert_exit(101);
    // Without --debug too, the crash report (color-eyre: message, location, backtrace) is in the
    // log file once the process has exited.
    out.assert_crash_report_logged();
}

/// With --debug the log is written by a non-blocking writer: the panic report, and the lines
/// logged before it, reach the file before the process exits (the writer is flushed first).
#[test]
fn a_panic_with_debug_logging_reaches_the_log_before_the_exit() {
    let mut run = Run::start("panic-debug", (120, 35), &["--debug", "demo"], true);
    run.expect(PANIC_MESSAGE);
    let out = run.finish();

    out.assert_screen_restored();
    out.assert_modes_restored();
    out.assert_exit(101);
    let log = out.assert_crash_report_logged();
    // A line the console logs at start, before the panic, is flushed ahead of the report.
    let earlier = log
        .find("console started")
        .unwrap_or_else(|| panic!("no line from before the panic in the debug log:\n{log}"));
    assert!(earlier < log.find(PANIC_MESSAGE).unwrap());
}

#[test]
fn q_quits_and_restores_the_terminal() {
    let mut run = Run::start("q", (120, 35), &["demo"], false);
    run.expect("Health");
    run.send("q");
    let out = run.finish();

    out.assert_drew("switchyard");
    out.assert_drew("Health");
    no_panic(&out);
    out.assert_screen_restored();
    out.assert_modes_restored();
    out.assert_exit(0);
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let mut run = Run::start("ctrl-c", (120, 35), &["demo"], false);
    run.expect("Health");
    // In raw mode Ctrl-C is a key press, not SIGINT: the console quits on its own, exit 0.
    run.send("\x03");
    let out = run.finish();

    out.assert_drew("Health");
    no_panic(&out);
    out.assert_screen_restored();
    out.assert_modes_restored();
    out.assert_exit(0);
}

#[test]
fn a_terminal_too_small_says_so_and_q_still_quits() {
    let mut run = Run::start("small", (60, 20), &["demo"], false);
    run.expect("Terminal too small");
    run.send("q");
    let out = run.finish();

    out.assert_drew("Terminal too small");
    out.assert_drew("60×20");
    assert!(
        !out.contains("Health"),
        "a broken screen was drawn below the minimum size\n{}",
        tail(&out.bytes)
    );
    no_panic(&out);
    out.assert_screen_restored();
    out.assert_modes_restored();
    out.assert_exit(0);
}

/// `kill` (SIGTERM) leaves like `q`: terminal restored, exit 0. `timeout --foreground` keeps the
/// console in the terminal's foreground and sends SIGTERM after a few seconds.
#[test]
fn sigterm_quits_and_restores_the_terminal() {
    let prefix = [
        "timeout",
        "--foreground",
        "--preserve-status",
        "-s",
        "TERM",
        "3",
    ];
    let mut run = Run::start_under("sigterm", (120, 35), &prefix, &["demo"], false);
    run.expect("Health");
    let out = run.finish();
    assert!(
        !String::from_utf8_lossy(&out.bytes).contains("panicked"),
        "{}",
        tail(&out.bytes)
    );
    out.assert_screen_restored();
    out.assert_modes_restored();
    out.assert_exit(0);
}

/// The console records into the demo's own journal (`drill-events.jsonl`, never `events.jsonl`):
/// what it saw on its first fetches and a note typed with `n`, on disk once it has quit.
#[test]
fn a_demo_records_its_events_and_notes_in_the_drill_journal() {
    let mut run = Run::start(
        "journal",
        (120, 35),
        &["demo", "--scenario", "region-outage", "--at", "6m"],
        false,
    );
    run.expect("Health");
    run.send("n");
    run.expect("Note for the incident journal");
    run.send("paged payments");
    run.send("\r");
    run.expect("note recorded");
    run.send("q");
    let out = run.finish();
    no_panic(&out);
    out.assert_exit(0);
    let state = out.dir.0.join("state/switchyard");
    let journal = std::fs::read_to_string(state.join("drill-events.jsonl"))
        .unwrap_or_else(|e| panic!("no drill journal in {}: {e}", state.display()));
    let events: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    // At 6 min the primary is already unhealthy: recorded at first sight.
    assert!(kinds.contains(&"health_changed"), "{journal}");
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "note" && e["message"] == "paged payments"),
        "{journal}"
    );
    assert!(
        !state.join("events.jsonl").exists(),
        "a drill wrote the real journal"
    );
}

/// The journal survives a crash (README, "Incident timeline"): the console killed with SIGKILL
/// (no chance to flush or close anything) leaves a journal whose every line reads, with what it
/// had recorded. (A torn last line, which only a kill in the middle of a write leaves, is the
/// journal's unit test.)
#[test]
fn the_journal_survives_a_killed_console() {
    // `exec` keeps the pid the prefix wrote: the console's own, to kill.
    let prefix = ["sh", "-c", "echo $$ > switchyard.pid; exec \"$@\"", "sh"];
    let args = ["demo", "--scenario", "region-outage", "--at", "6m"];
    let mut run = Run::start_under("journal-kill", (120, 35), &prefix, &args, false);
    run.expect("Health");
    run.send("n");
    run.expect("Note for the incident journal");
    run.send("before the crash");
    run.send("\r");
    run.expect("note recorded");
    let state = run.dir.0.join("state/switchyard");
    let journal = state.join("drill-events.jsonl");
    let deadline = Instant::now() + TIMEOUT;
    while !std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("before the crash")) {
        assert!(
            Instant::now() < deadline,
            "the note never reached the journal"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = std::fs::read_to_string(run.dir.0.join("switchyard.pid")).unwrap();
    let killed = Command::new("kill")
        .args(["-KILL", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = run.finish();
    assert_eq!(out.code, 128 + 9, "killed by SIGKILL");

    let read = |path: &std::path::Path| -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.ends_with('\n'), "a whole last line");
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let events = read(&journal);
    assert!(events.iter().any(|e| e["kind"] == "health_changed"));
    assert!(events.iter().any(|e| e["message"] == "before the crash"));
}
