//! `airssys new`: a component crate to start from, with the guest SDK it
//! builds against: shipped inside this command (the default), an airssys
//! checkout, or a git repository (`--sdk`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::args::NewArgs;
use crate::output::line;

/// What every new component starts as: a small component that keeps notes,
/// asks a peer and reports its health, with native tests. `my-component`
/// and `my_component` in it become the crate's name.
const TEMPLATE_LIB: &str = include_str!("../template/lib.rs");

/// The guest SDK built into this command (`build.rs`), so `new` needs no
/// checkout: its files, its version and the lockfile it was tested with.
mod shipped {
    include!(concat!(env!("OUT_DIR"), "/shipped_sdk.rs"));
}

/// Where a new component's `airssys-guest` comes from (`--sdk`).
#[derive(Debug, PartialEq)]
enum SdkSource {
    /// The SDK built into this command, copied into the crate's `vendor/`.
    Shipped,
    /// The `guest-sdk/` directory of an airssys checkout.
    Path(PathBuf),
    /// An airssys repository, at a revision if one is given.
    Git { url: String, rev: Option<String> },
}

/// Where the shipped SDK is copied to, inside the new crate.
fn vendored_dir() -> String {
    format!("vendor/airssys-sdk-{}", shipped::VERSION)
}

impl SdkSource {
    fn parse(text: &str) -> Result<Self, String> {
        if text == "shipped" {
            return Ok(Self::Shipped);
        }
        if let Some(git) = text.strip_prefix("git+") {
            let (url, rev) = match git.split_once('#') {
                Some((url, rev)) => (url, Some(rev.to_owned())),
                None => (git, None),
            };
            if url.is_empty() || rev.as_deref() == Some("") {
                return Err(format!(
                    "--sdk {text}: a git source is `git+URL` or `git+URL#REV`, \
                     e.g. `git+https://example.com/airssys.git#v0.1.0`"
                ));
            }
            return Ok(Self::Git {
                url: url.to_owned(),
                rev,
            });
        }
        let given = Path::new(text);
        let candidates = [given.to_path_buf(), given.join("guest-sdk")];
        for dir in &candidates {
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
            if manifest
                .lines()
                .any(|line| line.trim() == r#"name = "airssys-guest""#)
            {
                let dir = dir
                    .canonicalize()
                    .map_err(|e| format!("--sdk {text}: {e}"))?;
                return Ok(Self::Path(dir));
            }
        }
        Err(format!(
            "--sdk {text}: neither {} nor {} is the manifest of `airssys-guest`; give an airssys \
             checkout or its `guest-sdk/` directory, `git+URL[#REV]`, or `shipped` (the SDK built \
             into this command, the default)",
            candidates[0].join("Cargo.toml").display(),
            candidates[1].join("Cargo.toml").display(),
        ))
    }

    /// The dependency's entry in the new crate's manifest.
    fn dependency(&self) -> String {
        match self {
            Self::Shipped => format!(
                "{{ version = \"{}\", path = \"{}/guest-sdk\" }}",
                shipped::VERSION,
                vendored_dir()
            ),
            Self::Path(dir) => format!("{{ path = {} }}", toml_string(&dir.display().to_string())),
            Self::Git { url, rev: None } => format!("{{ git = {} }}", toml_string(url)),
            Self::Git {
                url,
                rev: Some(rev),
            } => format!(
                "{{ git = {}, rev = {} }}",
                toml_string(url),
                toml_string(rev)
            ),
        }
    }

    /// How the printed summary names it.
    fn said(&self) -> String {
        match self {
            Self::Shipped => format!(
                "airssys-guest {}, shipped with this command, copied into {}",
                shipped::VERSION,
                vendored_dir()
            ),
            Self::Path(dir) => format!("airssys-guest from {}", dir.display()),
            Self::Git { url, rev: None } => format!("airssys-guest from {url}"),
            Self::Git {
                url,
                rev: Some(rev),
            } => format!("airssys-guest from {url} at {rev}"),
        }
    }
}

/// `text` as a TOML basic string: quoted, with `\`, `"` and control
/// characters escaped, so a path or URL cannot break the manifest.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

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

fn manifest(name: &str, sdk: &SdkSource) -> String {
    format!(
        r#"# Build: `cargo build --release --target wasm32-wasip2` (or `cargo component build --release`).
# For a host without WASI: `cargo build --release --target wasm32-unknown-unknown`, then
# `airssys componentize target/wasm32-unknown-unknown/release/{lib}.wasm`.
# Test natively: `cargo test`. Check: `airssys inspect target/wasm32-wasip2/release/{lib}.wasm`.
[package]
name = "{name}"
version = "0.1.0"
# The component's `metadata` reports the name, version and description.
description = "Keeps the notes it is sent and answers requests for them."
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
airssys-guest = {dependency}

# A crate of its own, even when created inside another workspace; the
# vendored SDK is a dependency, not a member.
[workspace]
exclude = ["vendor"]
"#,
        lib = name.replace('-', "_"),
        dependency = sdk.dependency(),
    )
}

/// Every file of the new crate, by its path inside it.
fn files(name: &str, sdk: &SdkSource) -> Vec<(String, String)> {
    let lib = name.replace('-', "_");
    let mut files = vec![
        ("Cargo.toml".to_owned(), manifest(name, sdk)),
        (
            "src/lib.rs".to_owned(),
            TEMPLATE_LIB
                .replace("my-component", name)
                .replace("my_component", &lib),
        ),
        (
            "rust-toolchain.toml".to_owned(),
            "# Components are built for WASI 0.2, or for no WASI at all; rustup installs the targets.\n[toolchain]\ntargets = [\"wasm32-wasip2\", \"wasm32-unknown-unknown\"]\n".to_owned(),
        ),
        (".gitignore".to_owned(), "/target\n".to_owned()),
        // The versions the SDK was tested with; cargo drops what the crate
        // does not use on its first build.
        ("Cargo.lock".to_owned(), shipped::LOCKFILE.to_owned()),
    ];
    if *sdk == SdkSource::Shipped {
        let vendored = vendored_dir();
        files.extend(
            shipped::FILES
                .iter()
                .map(|(path, text)| (format!("{vendored}/{path}"), (*text).to_owned())),
        );
    }
    files
}

/// Writes `files` into a fresh directory beside `dir`, then renames it to
/// `dir`: a failure halfway leaves nothing behind, and never a crate that
/// looks whole but is not.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    let staging = parent.join(format!(
        ".{}.airssys-new-{}",
        dir.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        for (path, text) in files {
            let path = staging.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("creating {}: {e}", parent.display()))?;
            }
            std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        std::fs::rename(&staging, dir)
            .map_err(|e| format!("moving {} to {}: {e}", staging.display(), dir.display()))
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    written
}

pub fn new(args: NewArgs) -> Result<ExitCode, String> {
    check_name(&args.name)?;
    let sdk = match &args.sdk {
        Some(text) => SdkSource::parse(text)?,
        None => SdkSource::Shipped,
    };
    let dir: PathBuf = args.path.join(&args.name);
    if dir.exists() {
        return Err(format!(
            "{} already exists; nothing was written (choose another name or --path)",
            dir.display()
        ));
    }
    write_all(&dir, &files(&args.name, &sdk))?;
    let lib = args.name.replace('-', "_");
    line(&format!(
        "created {} with {}. Next:",
        dir.display(),
        sdk.said()
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
            "echo 'request local/{lib}/1 note buy milk' | airssys run target/wasm32-wasip2/release/{lib}.wasm --grant local/{lib}/1=storage"
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
    fn manifest_strings_are_escaped() {
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
        assert_eq!(toml_string("x\ny"), r#""x\u000Ay""#);
        let manifest = manifest(
            "a",
            &SdkSource::Git {
                url: "https://h/\"q".into(),
                rev: None,
            },
        );
        assert!(
            manifest.contains(r#"airssys-guest = { git = "https://h/\"q" }"#),
            "{manifest}"
        );
    }

    #[test]
    fn sdk_sources_are_read() {
        assert_eq!(SdkSource::parse("shipped"), Ok(SdkSource::Shipped));
        assert_eq!(
            SdkSource::parse("git+https://example.com/airssys.git#v1"),
            Ok(SdkSource::Git {
                url: "https://example.com/airssys.git".into(),
                rev: Some("v1".into())
            })
        );
        assert!(
            SdkSource::parse("git+https://example.com/a.git#")
                .unwrap_err()
                .contains("`git+URL#REV`")
        );
        let checkout = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let guest_sdk = Path::new(checkout)
            .join("guest-sdk")
            .canonicalize()
            .unwrap();
        assert_eq!(
            SdkSource::parse(checkout),
            Ok(SdkSource::Path(guest_sdk.clone()))
        );
        assert_eq!(
            SdkSource::parse(guest_sdk.to_str().unwrap()),
            Ok(SdkSource::Path(guest_sdk))
        );
        let not_sdk = SdkSource::parse(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap_err();
        assert!(
            not_sdk.contains("is the manifest of `airssys-guest`"),
            "{not_sdk}"
        );
    }

    #[test]
    fn the_shipped_sdk_stands_alone() {
        let names: Vec<&str> = shipped::FILES.iter().map(|(name, _)| *name).collect();
        for needed in [
            "guest-sdk/Cargo.toml",
            "guest-sdk/src/lib.rs",
            "contract/Cargo.toml",
            "contract/build.rs",
            "wit/world.wit",
        ] {
            assert!(
                names.contains(&needed),
                "{needed} is not shipped: {names:?}"
            );
        }
        for (name, text) in shipped::FILES {
            if name.ends_with("Cargo.toml") {
                assert!(
                    !text.contains("workspace"),
                    "{name} still inherits from the workspace:\n{text}"
                );
                assert!(!text.contains("dev-dependencies"), "{name}:\n{text}");
            }
        }
        let sdk_manifest = shipped::FILES[names
            .iter()
            .position(|n| *n == "guest-sdk/Cargo.toml")
            .unwrap()]
        .1;
        assert!(
            sdk_manifest.contains(&format!("version = \"{}\"", shipped::VERSION)),
            "{sdk_manifest}"
        );
        assert!(shipped::LOCKFILE.contains("name = \"wit-bindgen\""));
    }

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
