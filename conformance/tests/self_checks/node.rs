//! Node.js for the tests that drive it (the report page's browser test, the
//! JavaScript host): version 20 or later, and a directory's `npm ci` done.

use std::path::Path;
use std::process::Command;

/// `Err` with the fix when `node` is missing or older than 20.
pub fn check_version() -> Result<(), String> {
    let fix = "needs Node.js 20 or later with npm on PATH";
    let output = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("{fix} (`node`: {e})"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let major: u32 = text
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!("{fix} (found {:?})", text.trim()));
    }
    Ok(())
}

/// Runs `npm ci` in `dir` unless `node_modules/<installed>` is there.
pub fn npm_ci(dir: &Path, installed: &str) -> Result<(), String> {
    if dir.join("node_modules").join(installed).is_dir() {
        return Ok(());
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run npm ({e}): install Node.js 20 or later with npm"))?;
    if !status.success() {
        return Err(format!("`npm ci` in {} failed ({status})", dir.display()));
    }
    Ok(())
}
