//! The one-way layer test, for any crate of this workspace.
//!
//! A crate lists its top-level modules (a file `src/x.rs` or a directory
//! `src/x/`) lowest first; a module may use those before it, never one after
//! it, so no two modules use each other and the layout reads bottom-up. The
//! test reads `crate::…` paths in the source text, as a reader would, so it
//! needs no compiler plugin:
//!
//! ```no_run
//! #[test]
//! fn modules_depend_one_way() {
//!     let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
//!     airssys_layers::assert_one_way(&src, &["text", "contract", "report"]);
//! }
//! ```

use std::path::{Path, PathBuf};

/// Panics, listing every upward use, when a module of `src` uses one listed
/// after it in `order`, or when a module is not listed at all.
pub fn assert_one_way(src: &Path, order: &[&str]) {
    let wrong = upward_uses(src, order);
    assert!(
        wrong.is_empty(),
        "modules of {} must depend one way, lowest first as listed ({order:?}):\n{}",
        src.display(),
        wrong.join("\n")
    );
}

/// Every use of a module listed later than the user (`a/b.rs uses `c``),
/// and every module not in `order`.
pub fn upward_uses(src: &Path, order: &[&str]) -> Vec<String> {
    let layer = |module: &str| order.iter().position(|m| *m == module);
    let mut wrong = Vec::new();
    for path in rust_files(src) {
        let relative = path.strip_prefix(src).unwrap();
        let module = relative.iter().next().unwrap().to_str().unwrap();
        let module = module.trim_end_matches(".rs");
        if matches!(module, "lib" | "main") {
            continue;
        }
        let Some(own) = layer(module) else {
            wrong.push(format!("module `{module}` is not in the list"));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for used in used(&text) {
            match layer(&used) {
                Some(theirs) if theirs > own => {
                    wrong.push(format!("{} uses `{used}`", relative.display()))
                }
                Some(_) => {}
                None => wrong.push(format!(
                    "{} uses `{used}`, which is not in the list",
                    relative.display()
                )),
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    wrong
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The crate modules `text` names: `crate::a::…` and each path of a group,
/// `crate::{a::X, b}`.
pub fn used(text: &str) -> Vec<String> {
    let first = |path: &str| -> String {
        path.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect()
    };
    let mut used = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        // `$crate::` in a macro names whichever crate expands it.
        if text[..at].ends_with('$') {
            continue;
        }
        let after = &text[at + "crate::".len()..];
        let Some(group) = after.strip_prefix('{') else {
            used.push(first(after));
            continue;
        };
        // The group's top-level paths, split at commas outside nested braces.
        let mut depth = 0;
        let mut start = 0;
        for (at, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    used.push(first(&group[start..at]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    used.push(first(&group[start..at]));
                    start = at + 1;
                }
                _ => {}
            }
        }
    }
    used.retain(|m| !m.is_empty() && m != "self");
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_imports_are_read() {
        assert_eq!(
            used(
                "use crate::{report::Report, wire::{Grant, ComponentId}, trials};\nuse crate::host::X; $crate::macros::m!()"
            ),
            ["report", "wire", "trials", "host"]
        );
    }

    #[test]
    fn an_upward_use_and_an_unlisted_module_are_found() {
        let dir = std::env::temp_dir().join(format!("airssys-layers-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("high")).unwrap();
        std::fs::write(dir.join("low.rs"), "use crate::high::Thing;").unwrap();
        std::fs::write(dir.join("high/mod.rs"), "use crate::low::Other;").unwrap();
        std::fs::write(dir.join("stray.rs"), "").unwrap();
        std::fs::write(dir.join("lib.rs"), "use crate::high::Thing;").unwrap();
        let wrong = upward_uses(&dir, &["low", "high"]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            wrong,
            ["low.rs uses `high`", "module `stray` is not in the list"]
        );
    }
}
