//! Environment overrides and the default places to look for the config file.

use std::ffi::OsString;
use std::path::PathBuf;

use super::{Config, DEFAULT_FILE_NAME};

/// See [`Config::apply_env`].
pub(super) fn apply(config: &mut Config, lookup: impl Fn(&str) -> Option<String>) {
    let var = |name: &str| {
        lookup(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    if let Some(profile) = var("SWITCHYARD_PROFILE") {
        config.aws.profile = Some(profile);
    } else if config.aws.profile.is_none() {
        // A profile named in the file is a deliberate choice; AWS_PROFILE only fills a gap.
        config.aws.profile = var("AWS_PROFILE");
    }
    if let Some(endpoint_url) = var("SWITCHYARD_ENDPOINT_URL") {
        config.aws.endpoint_url = Some(endpoint_url);
    }
    if let Some(control_region) = var("SWITCHYARD_CONTROL_REGION") {
        config.aws.control_region = control_region;
    }
    // Only ever turns read-only on: an environment variable left over in a shell must not be
    // able to arm a console whose file says read-only.
    if var("SWITCHYARD_READ_ONLY").is_some_and(|value| {
        ["1", "true", "yes"]
            .iter()
            .any(|yes| value.eq_ignore_ascii_case(yes))
    }) {
        config.read_only = true;
    }
}

/// `./switchyard.toml`, then `$XDG_CONFIG_HOME/switchyard/switchyard.toml`, or
/// `$HOME/.config/switchyard/switchyard.toml` when `XDG_CONFIG_HOME` is unset or relative
/// (the XDG spec says to ignore relative values).
pub(super) fn candidates(lookup: impl Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    let mut looked = vec![PathBuf::from(DEFAULT_FILE_NAME)];
    let xdg = lookup("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|path| path.is_absolute());
    let config_home = xdg.or_else(|| {
        lookup("HOME")
            .filter(|home| !home.is_empty())
            .map(|home| PathBuf::from(home).join(".config"))
    });
    if let Some(config_home) = config_home {
        looked.push(config_home.join("switchyard").join(DEFAULT_FILE_NAME));
    }
    looked
}
