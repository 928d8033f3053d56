//! `airssys new`: a component crate to start from, made of `examples/counter`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::args::NewArgs;
use crate::output::line;

/// The example every new component starts as: it builds, and its native tests pass.
const TEMPLATE_LIB: &str = include_str!("../../examples/counter/src/lib.rs");

/// The SDK as this command was built with it.
const SDK_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../guest-sdk");

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_with_a_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_fits =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if starts_with_a_letter && rest_fits {
        Ok(())
    } else {
        Err(format!(
            "`{name}` cannot name a component crate: use lowercase letters, digits, `-` and `_`, \
             starting with a letter (e.g. `my-counter`)"
        ))
    }
}

fn manifest(name: &str, sdk: &Path) -> String {
    format!(
        r#"# Build: `cargo build --release --target wasm32-wasip2` (or `cargo component build --release`).
# For a host without WASI: `cargo build --release --target wasm32-unknown-unknown`, then
# `airssys componentize target/wasm32-unknown-unknown/release/{lib}.wasm`.
# Test natively: `cargo test`. Check: `airssys inspect target/wasm32-wasip2/release/{lib}.wasm`.
[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
airssys-guest = {{ path = "{sdk}" }}

# A crate of its own, even when created inside another workspace.
[workspace]
"#,
        lib = name.replace('-', "_"),
        sdk = sdk.display()
    )
}

pub fn new(args: NewArgs) -> Result<ExitCode, String> {
    check_name(&args.name)?;
    let dir: PathBuf = args.path.join(&args.name);
    if dir.exists() {
        return Err(format!(
            "{} already exists; nothing was written (choose another name or --path)",
            dir.display()
        ));
    }
    let sdk = Path::new(SDK_DIR).canonicalize().map_err(|e| {
        format!("the SDK this command was built with is not at {SDK_DIR} ({e}); reinstall airssys from the repository")
    })?;
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir.join("src"))
        .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    write(dir.join("Cargo.toml"), &manifest(&args.name, &sdk))?;
    write(dir.join("src/lib.rs"), TEMPLATE_LIB)?;
    write(
        dir.join("rust-toolchain.toml"),
        "# Components are built for WASI 0.2, or for no WASI at all; rustup installs the targets.\n[toolchain]\ntargets = [\"wasm32-wasip2\", \"wasm32-unknown-unknown\"]\n",
    )?;
    write(dir.join(".gitignore"), "/target\n")?;
    let lib = args.name.replace('-', "_");
    line(&format!(
        "created {} from examples/counter. Next:",
        dir.display()
    ));
    for step in [
        format!("cd {}", dir.display()),
        "cargo test                                      # natively, on the SDK's TestHost".into(),
        "cargo build --release --target wasm32-wasip2    # the component".into(),
        format!(
            "airssys-conformance --component target/wasm32-wasip2/release/{lib}.wasm   # the contract's trials"
        ),
        format!("airssys inspect target/wasm32-wasip2/release/{lib}.wasm"),
        format!(
            "echo 'local/{lib}/1 increment visits' | airssys run target/wasm32-wasip2/release/{lib}.wasm --grant local/{lib}/1=storage"
        ),
        "# for hosts that provide the contract alone, no WASI:".into(),
        "cargo build --release --target wasm32-unknown-unknown".into(),
        format!(
            "airssys componentize target/wasm32-unknown-unknown/release/{lib}.wasm   # -> {lib}.component.wasm"
        ),
    ] {
        line(&format!("  {step}"));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_checked() {
        assert!(check_name("my-counter_2").is_ok());
        assert!(
            check_name("2fast")
                .unwrap_err()
                .contains("starting with a letter")
        );
        assert!(check_name("Caps").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("../escape").is_err());
    }
}
