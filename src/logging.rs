//! `--debug`: a log file under $XDG_STATE_HOME/switchyard, never the terminal.

use std::path::PathBuf;
use tracing_appender::non_blocking::WorkerGuard;

pub fn log_path() -> PathBuf {
    crate::paths::state_dir().join("switchyard.log")
}

/// Start logging to the file when `debug` is set; keep the guard alive until exit.
pub fn init(debug: bool) -> Result<Option<WorkerGuard>, String> {
    if !debug {
        return Ok(None);
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
    Ok(Some(guard))
}
