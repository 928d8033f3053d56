//! `airssys componentize`: a core module built with the SDK for
//! `wasm32-unknown-unknown` made a component that imports the contract
//! alone, so that it loads on a host that provides no WASI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use wasmtime::component::Component;
use wasmtime::{Config, Engine};

use airssys_component_types::{Provider, provided};

use crate::args::ComponentizeArgs;
use crate::output::line;

/// The first bytes of a component: magic, then version 0x0d and layer 1.
const COMPONENT_HEADER: &[u8] = b"\0asm\x0d\0\x01\0";
const WASM_MAGIC: &[u8] = b"\0asm";

/// `target/wasm32-unknown-unknown/release/x.wasm` → `…/x.component.wasm`.
fn default_output(module: &Path) -> PathBuf {
    let stem = module
        .file_stem()
        .map_or("component".into(), |s| s.to_string_lossy());
    module.with_file_name(format!("{stem}.component.wasm"))
}

/// The component made of `module`'s bytes, or why it cannot be made, with
/// what to do instead.
pub fn encode(module: &[u8]) -> Result<Vec<u8>, String> {
    if module.starts_with(COMPONENT_HEADER) {
        return Err("this is already a component; nothing to do (check it with \
                    `airssys inspect`)"
            .into());
    }
    if !module.starts_with(WASM_MAGIC) {
        return Err("this is not a WebAssembly module".into());
    }
    wit_component::ComponentEncoder::default()
        .module(module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| {
            let why = format!("{e:#}");
            let hint = if why.contains("wasi_snapshot_preview1") {
                "it imports WASI preview 1 (`wasm32-wasip1`): build it for \
                 `wasm32-unknown-unknown` for a component that imports the contract alone, or \
                 for `wasm32-wasip2`, which makes a component with WASI 0.2 by itself"
            } else {
                "a contract-only component may import nothing but the contract: no \
                 `std::time::SystemTime`, files or environment (the SDK's own time and log \
                 functions go through the contract)"
            };
            format!("cannot make it a component: {why}\n  hint: {hint}")
        })
}

pub fn componentize(args: ComponentizeArgs) -> Result<ExitCode, String> {
    let module = &args.module;
    let bytes =
        std::fs::read(module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
    let component = encode(&bytes).map_err(|e| format!("{}: {e}", module.display()))?;
    let output = args.output.unwrap_or_else(|| default_output(module));
    let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same_file(&output, module) {
        return Err(format!(
            "{} is the module itself; choose another --output",
            output.display()
        ));
    }
    // Compiled before it is written, so a component wasmtime refuses leaves no file.
    let engine =
        Engine::new(Config::new().wasm_component_model(true)).map_err(|e| format!("{e:#}"))?;
    let compiled = Component::new(&engine, &component).map_err(|e| {
        format!(
            "{}: the component made of it does not compile: {e:#}",
            module.display()
        )
    })?;
    std::fs::write(&output, &component)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    let imports: Vec<String> = compiled
        .component_type()
        .imports(&engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    // Judged as `--component` judges imports: the contract at its version.
    let outside: Vec<&String> = imports
        .iter()
        .filter(|name| !matches!(provided(name), Ok(Provider::Contract)))
        .collect();
    line(&format!(
        "wrote {} ({} bytes)",
        output.display(),
        component.len()
    ));
    line(&format!("imports: {}", imports.join(", ")));
    if outside.is_empty() {
        line("it imports the contract alone: it loads on a host that provides no WASI");
    } else {
        let outside: Vec<&str> = outside.iter().map(|s| s.as_str()).collect();
        line(&format!(
            "outside the contract: {}; it needs a host that provides them",
            outside.join(", ")
        ));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_core_module_is_refused_with_what_to_do() {
        let component = wat::parse_str("(component)").unwrap();
        assert!(
            encode(&component)
                .unwrap_err()
                .contains("already a component")
        );
        assert!(
            encode(b"hello")
                .unwrap_err()
                .contains("not a WebAssembly module")
        );
        let preview1 = wat::parse_str(
            r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))"#,
        )
        .unwrap();
        let error = encode(&preview1).unwrap_err();
        assert!(error.contains("wasm32-unknown-unknown"), "{error}");
        assert_eq!(
            default_output(Path::new("t/release/counter.wasm")),
            Path::new("t/release/counter.component.wasm")
        );
    }
}
