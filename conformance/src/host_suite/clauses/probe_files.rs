//! The probe components as files for the adapter, in a directory only this
//! user can write: another user of a shared machine must not be able to
//! swap a probe (and so forge verdicts) or break the run.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// `bytes` as the file `<name>-<digest>.wasm` in [`private_dir`]: written
/// once, named by its digest, so the suite runs wherever it is installed and
/// adapters can cache by path. A file already there is used only when it
/// holds exactly `bytes`.
pub(super) fn written(name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let dir = private_dir(&std::env::temp_dir())?;
    let digest = format!("{:x}", Sha256::digest(bytes));
    let path = dir.join(format!("{name}-{}.wasm", &digest[..16]));
    if std::fs::read(&path).is_ok_and(|on_disk| on_disk == bytes) {
        return Ok(path);
    }
    let cannot = |e: std::io::Error| {
        format!(
            "cannot write the {name} component to {}: {e}",
            dir.display()
        )
    };
    // A fresh file of a random name, created exclusively, then renamed over
    // the final name: a concurrent run never reads half a file, and nothing
    // planted at a predictable name is followed.
    let mut partial = tempfile::NamedTempFile::new_in(&dir).map_err(cannot)?;
    partial.write_all(bytes).map_err(cannot)?;
    partial.persist(&path).map_err(|e| cannot(e.error))?;
    Ok(path)
}

/// `<temp>/airssys-conformance-<uid>`, created for this user alone; an
/// existing one must be this user's and closed to others.
#[cfg(unix)]
fn private_dir(temp: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let dir = temp.join(format!("airssys-conformance-{uid}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("cannot make {}: {e}", dir.display())),
    }
    let meta = std::fs::symlink_metadata(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{} is not a directory private to this user (owner {}, mode {:o}), so the probe \
             components cannot be trusted there; remove it, or set TMPDIR to a directory of \
             your own",
            dir.display(),
            meta.uid(),
            meta.mode() & 0o7777
        ));
    }
    Ok(dir)
}

#[cfg(not(unix))]
fn private_dir(temp: &Path) -> Result<PathBuf, String> {
    let dir = temp.join("airssys-conformance");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    Ok(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn the_directory_is_private_and_one_open_to_others_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        let dir = private_dir(temp.path()).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let refused = private_dir(temp.path()).unwrap_err();
        assert!(
            refused.contains("not a directory private to this user"),
            "{refused}"
        );
    }

    #[test]
    fn a_symlink_in_place_of_the_directory_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        let elsewhere = temp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        // SAFETY: as above.
        let uid = unsafe { libc::getuid() };
        std::os::unix::fs::symlink(
            &elsewhere,
            temp.path().join(format!("airssys-conformance-{uid}")),
        )
        .unwrap();
        assert!(private_dir(temp.path()).is_err());
    }
}
