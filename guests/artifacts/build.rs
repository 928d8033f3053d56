//! Compiles every guest crate under `guests/` for wasm32-wasip2 (release) and
//! writes `guests.rs` with a path constant per guest, in the manner of
//! wasmtime's `crates/test-programs/artifacts`.
//!
//! A guest crate is a directory beside this one, or under `examples/`, whose
//! Cargo.toml declares a `cdylib`. Guests build in one cargo invocation into
//! `<target>/airssys-guests`, shared by every profile, so cargo's own caching
//! keeps rebuilds rare.
//!
//! `AIRSSYS_GUEST_BUILDER=cargo-component` builds them with
//! `cargo component build` instead (cargo-component 0.21, wasm32-wasip1 plus
//! its adapter), so every host test can run on guests built either way.
//!
//! `AIRSSYS_GUEST_BUILDER=prebuilt` builds nothing: it takes the probe
//! components committed in `guests/prebuilt/` (refreshed by
//! `just prebuilt-probes`), so that the `airssys-conformance` command installs
//! on a toolchain without the wasm32-wasip2 target. Only those guests exist then.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

const TARGET: &str = "wasm32-wasip2";
const BUILDER_VARIABLE: &str = "AIRSSYS_GUEST_BUILDER";

/// How the guests are compiled to components.
#[derive(Clone, Copy, PartialEq)]
enum Builder {
    /// `cargo build --target wasm32-wasip2`: rustc emits a component.
    Cargo,
    /// `cargo component build`: a wasm32-wasip1 module, componentized.
    CargoComponent,
    /// Nothing built: the components committed in `guests/prebuilt/`.
    Prebuilt,
}

impl Builder {
    fn from_env() -> Builder {
        match std::env::var(BUILDER_VARIABLE).as_deref() {
            Err(_) | Ok("" | "cargo") => Builder::Cargo,
            Ok("cargo-component") => Builder::CargoComponent,
            Ok("prebuilt") => Builder::Prebuilt,
            Ok(other) => fail(&format!(
                "{BUILDER_VARIABLE}={other:?} is not a guest builder; use `cargo` (the default), `cargo-component` or `prebuilt`"
            )),
        }
    }

    /// The directory that holds the components.
    fn output_dir(self, target_dir: &Path, prebuilt: &Path) -> PathBuf {
        match self {
            Builder::Cargo => target_dir.join(TARGET).join("release"),
            Builder::CargoComponent => target_dir.join("wasm32-wasip1").join("release"),
            Builder::Prebuilt => prebuilt.to_owned(),
        }
    }
}

struct Guest {
    package: String,
    dir: PathBuf,
}

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let guests_dir = manifest_dir
        .parent()
        .expect("guests/artifacts has a parent");
    let workspace = guests_dir.parent().expect("guests/ has a parent");
    println!("cargo:rerun-if-changed={}", guests_dir.display());
    let examples_dir = workspace.join("examples");
    println!("cargo:rerun-if-changed={}", workspace.join("wit").display());
    println!("cargo:rerun-if-changed={}", examples_dir.display());
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("guest-sdk").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );

    println!("cargo:rerun-if-env-changed={BUILDER_VARIABLE}");
    let builder = Builder::from_env();
    if builder == Builder::Cargo {
        require_target();
    }
    let mut guests = discover(guests_dir);
    guests.extend(discover(&examples_dir));
    guests.sort_by(|a, b| a.package.cmp(&b.package));
    if guests.is_empty() {
        fail(&format!(
            "no guest crates found in {} or {}",
            guests_dir.display(),
            examples_dir.display()
        ));
    }
    let target_dir = shared_target_dir();
    let output = builder.output_dir(&target_dir, &guests_dir.join("prebuilt"));
    if builder == Builder::Prebuilt {
        guests.retain(|guest| component_file(&output, guest).is_file());
    } else {
        build(builder, &guests, &target_dir);
    }
    write_constants(&guests, &output);
}

fn component_file(dir: &Path, guest: &Guest) -> PathBuf {
    dir.join(format!("{}.wasm", guest.package.replace('-', "_")))
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("cargo did not set {name}")))
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1)
}

/// The guests need the target's standard library; say how to get it.
fn require_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run `{rustc} --print sysroot`: {e}")));
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    let target_lib = Path::new(&sysroot).join("lib/rustlib").join(TARGET);
    if !target_lib.is_dir() {
        fail(&format!(
            "the guest components need the {TARGET} target, which this toolchain \
             ({sysroot}) does not have.\n       Install it with:\n\n    \
             rustup target add {TARGET}\n\n       \
             (To install only the `airssys-conformance` command, {BUILDER_VARIABLE}=prebuilt \
             takes the probe components committed in guests/prebuilt/ instead.)\n"
        ));
    }
}

fn discover(dir: &Path) -> Vec<Guest> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            if !manifest.contains("\"cdylib\"") {
                return None;
            }
            let package = manifest.lines().find_map(|line| {
                let value = line.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
                Some(value.trim().trim_matches('"').to_owned())
            })?;
            Some(Guest { package, dir })
        })
        .collect()
}

/// `<target>/airssys-guests`: the `target` directory is the ancestor of
/// OUT_DIR just above `<profile>/build`.
fn shared_target_dir() -> PathBuf {
    let out_dir = PathBuf::from(env("OUT_DIR"));
    let build = out_dir
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .unwrap_or_else(|| fail("OUT_DIR is not inside a cargo target directory"));
    let target = build.parent().and_then(Path::parent).unwrap_or(build);
    target.join("airssys-guests")
}

fn build(builder: Builder, guests: &[Guest], target_dir: &Path) {
    let mut command = match builder {
        Builder::Cargo => {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut command = Command::new(cargo);
            command.args(["build", "--release", "--target", TARGET]);
            command
        }
        Builder::CargoComponent => {
            let mut command = Command::new("cargo-component");
            command.args(["component", "build", "--release"]);
            command
        }
        Builder::Prebuilt => unreachable!("prebuilt guests are not built"),
    };
    command.arg("--target-dir").arg(target_dir);
    for guest in guests {
        command.args(["--package", &guest.package]);
    }
    // What the outer build set for the host must not leak into the guests:
    // its rustflags (e.g. coverage), clippy's wrapper, its target selection.
    for variable in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        command.env_remove(variable);
    }
    let status = command.status().unwrap_or_else(|e| match builder {
        Builder::CargoComponent => fail(&format!(
            "cannot run cargo-component ({e}); install it with:\n\n    \
             cargo install cargo-component --locked\n"
        )),
        Builder::Cargo | Builder::Prebuilt => fail(&format!("cannot run {command:?}: {e}")),
    });
    if !status.success() {
        fail(&format!(
            "building the guest components failed: {command:?}"
        ));
    }
}

fn write_constants(guests: &[Guest], release: &Path) {
    let mut code = String::new();
    let mut all = String::from("/// Every guest: (package name, path of its component).\n");
    all.push_str("pub const ALL: &[(&str, &str)] = &[\n");
    for guest in guests {
        let wasm = component_file(release, guest);
        if !wasm.is_file() {
            fail(&format!(
                "the guest build did not produce {}",
                wasm.display()
            ));
        }
        let constant = guest.package.replace('-', "_").to_uppercase();
        writeln!(
            code,
            "/// The `{}` component (source: `{}`).\npub const {constant}: &str = {:?};\n\
             /// The `{}` component's bytes, for programs that outlive the build directory.\n\
             pub const {constant}_WASM: &[u8] = include_bytes!({:?});",
            guest.package,
            guest.dir.display(),
            wasm.display().to_string(),
            guest.package,
            wasm.display().to_string()
        )
        .unwrap();
        writeln!(all, "    ({:?}, {constant}),", guest.package).unwrap();
    }
    all.push_str("];\n");
    code.push_str(&all);
    let out = PathBuf::from(env("OUT_DIR")).join("guests.rs");
    std::fs::write(&out, code)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}
