//! Compiles every guest crate under `guests/` (release) and writes
//! `guests.rs` with a path constant per guest, in the manner of wasmtime's
//! `crates/test-programs/artifacts`.
//!
//! A guest crate is a directory beside this one, or under `examples/`, whose
//! Cargo.toml declares a `cdylib`. Guests build in one cargo invocation per
//! target into `<target>/airssys-guests`, shared by every profile, so cargo's
//! own caching keeps rebuilds rare:
//! - most for wasm32-wasip2, where rustc emits a component that imports
//!   WASI 0.2 as Rust's standard library does;
//! - those marked `contract-only = true` under `[package.metadata.airssys]`
//!   for wasm32-unknown-unknown, made components here with wit-component:
//!   they import the contract alone, and load on a host that provides no WASI.
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

/// Guests that may import WASI 0.2.
const WASI_TARGET: &str = "wasm32-wasip2";
/// Guests that import the contract alone (`contract-only = true`).
const CONTRACT_TARGET: &str = "wasm32-unknown-unknown";
/// Where the components of contract-only guests are written, under the
/// guests' target directory.
const CONTRACT_ONLY_DIR: &str = "contract-only";
const BUILDER_VARIABLE: &str = "AIRSSYS_GUEST_BUILDER";

/// How the guests are compiled to components.
#[derive(Clone, Copy, PartialEq)]
enum Builder {
    /// `cargo build --target wasm32-wasip2`: rustc emits a component;
    /// contract-only guests: `--target wasm32-unknown-unknown`, then wit-component.
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

    /// The directory that holds `guest`'s component.
    fn output_dir(self, guest: &Guest, target_dir: &Path, prebuilt: &Path) -> PathBuf {
        match self {
            Builder::Cargo if guest.contract_only => target_dir.join(CONTRACT_ONLY_DIR),
            Builder::Cargo => target_dir.join(WASI_TARGET).join("release"),
            Builder::CargoComponent => target_dir.join("wasm32-wasip1").join("release"),
            Builder::Prebuilt => prebuilt.to_owned(),
        }
    }
}

struct Guest {
    package: String,
    dir: PathBuf,
    /// Imports the contract alone: built without WASI.
    contract_only: bool,
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
    if builder == Builder::Cargo {
        require_targets(&guests);
    }
    let target_dir = shared_target_dir();
    let prebuilt = guests_dir.join("prebuilt");
    let component = |guest: &Guest| {
        let file = format!("{}.wasm", file_stem(guest));
        builder.output_dir(guest, &target_dir, &prebuilt).join(file)
    };
    match builder {
        Builder::Prebuilt => guests.retain(|guest| component(guest).is_file()),
        Builder::Cargo => {
            let (contract_only, wasi): (Vec<Guest>, Vec<Guest>) =
                guests.drain(..).partition(|guest| guest.contract_only);
            build(builder, WASI_TARGET, &wasi, &target_dir);
            build(builder, CONTRACT_TARGET, &contract_only, &target_dir);
            for guest in &contract_only {
                let module = target_dir
                    .join(CONTRACT_TARGET)
                    .join("release")
                    .join(format!("{}.wasm", file_stem(guest)));
                componentize(&module, &component(guest));
            }
            guests = wasi.into_iter().chain(contract_only).collect();
            guests.sort_by(|a, b| a.package.cmp(&b.package));
        }
        Builder::CargoComponent => {
            if let Some(guest) = guests.iter().find(|g| g.contract_only) {
                println!(
                    "cargo:warning=cargo-component builds every guest for wasm32-wasip1 with its \
                     WASI adapter: `{}` and the other contract-only guests import WASI too, and \
                     do not load on a host without it",
                    guest.package
                );
            }
            build(builder, WASI_TARGET, &guests, &target_dir)
        }
    }
    let module = |guest: &Guest| {
        (builder == Builder::Cargo && guest.contract_only).then(|| {
            target_dir
                .join(CONTRACT_TARGET)
                .join("release")
                .join(format!("{}.wasm", file_stem(guest)))
        })
    };
    write_constants(&guests, component, module);
}

/// The file name cargo gives a package's cdylib, without `.wasm`.
fn file_stem(guest: &Guest) -> String {
    guest.package.replace('-', "_")
}

/// Makes the core module at `module`, whose bindings wit-bindgen embedded,
/// the component at `component`; written only when it changed, so that
/// what depends on it is not rebuilt for nothing.
fn componentize(module: &Path, component: &Path) {
    let bytes = std::fs::read(module).unwrap_or_else(|e| {
        fail(&format!(
            "the guest build did not produce {}: {e}",
            module.display()
        ))
    });
    let encoded = wit_component::ComponentEncoder::default()
        .module(&bytes)
        .and_then(|encoder| encoder.validate(true).encode())
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot make {} a component: {e:#}\n       (a contract-only guest may import \
                 nothing but the contract: no WASI, no `std::time::SystemTime`, no files)",
                module.display()
            ))
        });
    if std::fs::read(component).is_ok_and(|old| old == encoded) {
        return;
    }
    let dir = component
        .parent()
        .expect("a component file has a directory");
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(component, &encoded))
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", component.display())));
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("cargo did not set {name}")))
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1)
}

/// The guests need their targets' standard libraries; say how to get them.
fn require_targets(guests: &[Guest]) {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run `{rustc} --print sysroot`: {e}")));
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    let needed = [
        (WASI_TARGET, guests.iter().any(|g| !g.contract_only)),
        (CONTRACT_TARGET, guests.iter().any(|g| g.contract_only)),
    ];
    let missing: Vec<&str> = needed
        .into_iter()
        .filter(|(target, used)| {
            *used
                && !Path::new(&sysroot)
                    .join("lib/rustlib")
                    .join(target)
                    .is_dir()
        })
        .map(|(target, _)| target)
        .collect();
    if !missing.is_empty() {
        let missing = missing.join(" ");
        fail(&format!(
            "the guest components need the targets {WASI_TARGET} and {CONTRACT_TARGET}; \
             this toolchain ({sysroot}) does not have {missing}.\n       Install it with:\n\n    \
             rustup target add {missing}\n\n       \
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
            let contract_only = manifest
                .lines()
                .any(|line| line.split_whitespace().collect::<String>() == "contract-only=true");
            Some(Guest {
                package,
                dir,
                contract_only,
            })
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

/// Builds `guests` for `target` (cargo-component chooses its own).
fn build(builder: Builder, target: &str, guests: &[Guest], target_dir: &Path) {
    if guests.is_empty() {
        return;
    }
    let mut command = match builder {
        Builder::Cargo => {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut command = Command::new(cargo);
            command.args(["build", "--release", "--target", target]);
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

fn write_constants(
    guests: &[Guest],
    component: impl Fn(&Guest) -> PathBuf,
    module: impl Fn(&Guest) -> Option<PathBuf>,
) {
    let mut code = String::new();
    let mut all = String::from("/// Every guest: (package name, path of its component).\n");
    all.push_str("pub const ALL: &[(&str, &str)] = &[\n");
    for guest in guests {
        let wasm = component(guest);
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
        let module = module(guest).map(|path| path.display().to_string());
        writeln!(
            code,
            "/// The `{}` core module before wit-component made it a component: `Some` for a \
             contract-only guest built by cargo.\npub const {constant}_CORE_MODULE: Option<&str> = {module:?};",
            guest.package,
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
