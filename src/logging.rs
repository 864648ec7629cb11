//! `--debug`: a log file under $XDG_STATE_HOME/switchyard, never the terminal; and the crash
//! report (a panic's message, location and backtrace), which goes to that file with or without
//! `--debug`, and a short message on stderr.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use tracing_appender::non_blocking::WorkerGuard;

/// The non-blocking writer's guard. Kept here rather than on main's stack so that the panic hook
/// can flush the writer before the process exits (`std::process::exit` runs no destructors).
static GUARD: Mutex<Option<WorkerGuard>> = Mutex::new(None);

pub fn log_path() -> PathBuf {
    crate::paths::state_dir().join("switchyard.log")
}

/// Flushes the log when dropped: keep it alive until the command ends.
#[must_use = "the log is flushed when this is dropped"]
pub struct Flush(());

impl Drop for Flush {
    fn drop(&mut self) {
        flush();
    }
}

/// Start logging to the file when `debug` is set.
pub fn init(debug: bool) -> Result<Flush, String> {
    if !debug {
        return Ok(Flush(()));
    }
    let dir = crate::paths::state_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create the log folder {}: {e}", dir.display()))?;
    let file = tracing_appender::rolling::never(&dir, "switchyard.log");
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHYARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("debug")),
        )
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    if let Ok(mut slot) = GUARD.lock() {
        *slot = Some(guard);
    }
    Ok(Flush(()))
}

/// Write out what the non-blocking writer still holds and stop it (dropping its guard waits for
/// the writer, up to a second). Later log lines are dropped.
pub fn flush() {
    let guard = match GUARD.lock() {
        Ok(mut slot) => slot.take(),
        // A panic while the lock was held: the guard is still there to take.
        Err(poisoned) => poisoned.into_inner().take(),
    };
    drop(guard);
}

/// On panic, anywhere (a poller task too): `restore` first (the console gives the terminal back),
/// then the log is flushed, the color-eyre panic report (message, location, backtrace) is
/// appended to the log file synchronously, a short message says on stderr where it is, and the
/// process ends with 101, so a crashed console never keeps drawing on a restored terminal.
pub fn install_crash_hook(restore: fn()) {
    // No colours: the report goes to a file.
    let (hook, _) = color_eyre::config::HookBuilder::blank()
        .theme(color_eyre::config::Theme::new())
        .display_env_section(false)
        .into_hooks();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        flush();
        let report = hook.panic_report(info).to_string();
        let written = append_crash_report(&report);
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("switchyard crashed{location}: {message}");
        match written {
            Ok(()) => eprintln!(
                "The crash report is in {}; please report this.",
                log_path().display()
            ),
            Err(e) => eprintln!(
                "Cannot write the crash report to {} ({e}); here it is, please report it:\n{report}",
                log_path().display()
            ),
        }
        std::process::exit(101);
    }));
}

/// The report, with a backtrace: color-eyre captures one only when RUST_BACKTRACE asks for it,
/// so without it the standard library's is added.
fn append_crash_report(report: &str) -> std::io::Result<()> {
    let dir = crate::paths::state_dir();
    std::fs::create_dir_all(&dir)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("switchyard.log"))?;
    let when = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    write!(file, "{when} CRASH\n{report}\n")?;
    let asked = std::env::var("RUST_BACKTRACE").is_ok_and(|v| v != "0");
    if !asked {
        let backtrace = std::backtrace::Backtrace::force_capture();
        writeln!(file, "\nBacktrace:\n{backtrace}")?;
    }
    file.sync_all()
}
