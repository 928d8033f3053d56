//! The contract's error values as the WIT writes them, e.g.
//! `runtime-error("no quota")`: what the host says about a component's
//! answer reads in the contract's words, never in Rust's `Debug`
//! (`RuntimeError("no quota")`), so a host written in any language can say
//! the same thing the same way.

use crate::bindings::airssys::core::errors::{ComponentError, WasmError};

/// A `wasm-error` as the WIT writes it.
pub fn wasm_error(error: &WasmError) -> String {
    let (case, text) = match error {
        WasmError::ComponentNotFound(text) => ("component-not-found", Some(text)),
        WasmError::InstantiationFailed(text) => ("instantiation-failed", Some(text)),
        WasmError::ExportNotFound(text) => ("export-not-found", Some(text)),
        WasmError::Timeout => ("timeout", None),
        WasmError::ResourceLimitExceeded(text) => ("resource-limit-exceeded", Some(text)),
        WasmError::InvalidComponent(text) => ("invalid-component", Some(text)),
        WasmError::RuntimeError(text) => ("runtime-error", Some(text)),
    };
    case_text(case, text)
}

/// A `component-error` as the WIT writes it.
pub fn component_error(error: &ComponentError) -> String {
    let (case, text) = match error {
        ComponentError::InitializationFailed(text) => ("initialization-failed", Some(text)),
        ComponentError::AlreadyInitialized => ("already-initialized", None),
        ComponentError::NotInitialized => ("not-initialized", None),
        ComponentError::ShutdownFailed(text) => ("shutdown-failed", Some(text)),
        ComponentError::InvalidState(text) => ("invalid-state", Some(text)),
    };
    case_text(case, text)
}

fn case_text(case: &str, text: Option<&String>) -> String {
    match text {
        Some(text) => format!("{case}({})", string(text)),
        None => case.to_owned(),
    }
}

/// A WIT `string`: always quoted, escaped so that it stays on its line.
pub fn string(text: &str) -> String {
    format!("\"{}\"", text.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_written_in_wit() {
        assert_eq!(
            wasm_error(&WasmError::RuntimeError("no \"x\"\n".into())),
            "runtime-error(\"no \\\"x\\\"\\n\")"
        );
        assert_eq!(wasm_error(&WasmError::Timeout), "timeout");
        assert_eq!(
            component_error(&ComponentError::InitializationFailed("bad".into())),
            "initialization-failed(\"bad\")"
        );
        assert_eq!(
            component_error(&ComponentError::NotInitialized),
            "not-initialized"
        );
    }
}
