//! Ships the guest SDK inside `airssys`, so that `airssys new` works wherever
//! the command is installed, long after the checkout it was built from is gone.
//!
//! The SDK is three sibling directories of this workspace: `guest-sdk/`
//! (`airssys-guest`), `contract/` (`airssys-contract`, which it depends on by
//! `../contract`) and `wit/` (which both read by `../wit`). They are embedded
//! with their layout kept. Their manifests inherit from this workspace
//! (`version.workspace = true`, `wit-bindgen.workspace = true`), which means
//! nothing outside it, so they are written out resolved, as `cargo package`
//! would: each inherited key replaced by the workspace's value. Their
//! dev-dependencies go: a dependency's tests are never built.
//!
//! The workspace's `Cargo.lock` is shipped too: a new component starts from
//! the versions the SDK was tested with, and cargo drops the rest.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().unwrap().to_path_buf();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let workspace: Table = read_toml(&root.join("Cargo.toml"));
    let workspace = workspace["workspace"].as_table().unwrap();

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut sdk_version = String::new();
    for package in ["guest-sdk", "contract"] {
        let manifest = root.join(package).join("Cargo.toml");
        let resolved = resolve_manifest(read_toml(&manifest), workspace, &manifest);
        if package == "guest-sdk" {
            sdk_version = resolved["package"]["version"].as_str().unwrap().to_owned();
        }
        let written = out.join(format!("{package}.Cargo.toml"));
        std::fs::write(&written, toml::to_string(&resolved).unwrap()).unwrap();
        files.push((format!("{package}/Cargo.toml"), written));
        println!("cargo::rerun-if-changed={}", manifest.display());
    }
    files.push((
        "contract/build.rs".into(),
        root.join("contract").join("build.rs"),
    ));
    for dir in ["guest-sdk/src", "contract/src", "wit"] {
        collect(&root, &root.join(dir), &mut files);
        println!("cargo::rerun-if-changed={}", root.join(dir).display());
    }
    println!(
        "cargo::rerun-if-changed={}",
        root.join("Cargo.toml").display()
    );
    println!(
        "cargo::rerun-if-changed={}",
        root.join("Cargo.lock").display()
    );
    files.sort();

    let mut code = format!(
        "/// The version of the SDK shipped in this command.\n\
         pub const VERSION: &str = {sdk_version:?};\n\
         /// The workspace's lockfile: the versions the SDK was tested with.\n\
         pub const LOCKFILE: &str = include_str!({:?});\n\
         /// Each file of the SDK, by its path under the SDK's root.\n\
         pub const FILES: &[(&str, &str)] = &[\n",
        root.join("Cargo.lock")
    );
    for (name, path) in &files {
        code.push_str(&format!("    ({name:?}, include_str!({path:?})),\n"));
    }
    code.push_str("];\n");
    std::fs::write(out.join("shipped_sdk.rs"), code).unwrap();
}

fn read_toml(path: &Path) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e}. airssys-cli ships the guest SDK from the workspace it is built \
             in (guest-sdk/, contract/ and wit/ beside cli/): build or install it from an \
             airssys checkout",
            path.display()
        )
    });
    text.parse()
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Every file under `dir`, by its path relative to `root` (always with `/`).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            let name: Vec<_> = relative
                .components()
                .map(|part| part.as_os_str().to_str().unwrap().to_owned())
                .collect();
            files.push((name.join("/"), path));
        }
    }
}

/// `manifest` with every `workspace = true` replaced by the workspace's value.
fn resolve_manifest(mut manifest: Table, workspace: &Table, path: &Path) -> Table {
    let inherited = |table: &Table, key: &str| {
        table.get(key).cloned().unwrap_or_else(|| {
            panic!(
                "{} inherits `{key}`, which the workspace lacks",
                path.display()
            )
        })
    };
    let workspace_package = workspace["package"].as_table().unwrap();
    let package = manifest["package"].as_table_mut().unwrap();
    for (key, value) in package.iter_mut() {
        if is_inherited(value) {
            *value = inherited(workspace_package, key);
        }
    }
    manifest.remove("dev-dependencies");
    let workspace_deps = workspace["dependencies"].as_table().unwrap();
    for section in ["dependencies", "build-dependencies"] {
        let Some(deps) = manifest.get_mut(section).and_then(Value::as_table_mut) else {
            continue;
        };
        for (name, spec) in deps.iter_mut() {
            if !is_inherited(spec) {
                continue;
            }
            // The workspace's entry, with what the member adds: its features
            // (additive, as cargo merges them) and `optional`.
            let mut resolved = match inherited(workspace_deps, name) {
                Value::String(version) => {
                    Table::from_iter([("version".into(), Value::String(version))])
                }
                Value::Table(table) => table,
                other => {
                    panic!("the workspace's `{name}` is {other}: neither a version nor a table")
                }
            };
            for (key, value) in spec.as_table().unwrap() {
                match key.as_str() {
                    "workspace" => {}
                    "features" => {
                        let mut features = resolved
                            .get("features")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        features.extend(value.as_array().unwrap().iter().cloned());
                        resolved.insert("features".into(), Value::Array(features));
                    }
                    _ => {
                        resolved.insert(key.clone(), value.clone());
                    }
                }
            }
            *spec = Value::Table(resolved);
        }
    }
    manifest
}

fn is_inherited(value: &Value) -> bool {
    value
        .as_table()
        .and_then(|table| table.get("workspace"))
        .and_then(Value::as_bool)
        == Some(true)
}
