//! Where switchyard keeps its files: the state folder for the debug log and the audit log.

use std::path::PathBuf;

/// $XDG_STATE_HOME/switchyard, else ~/.local/state/switchyard (the temp folder as a last resort).
pub fn state_dir() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir)
        .join("switchyard")
}
