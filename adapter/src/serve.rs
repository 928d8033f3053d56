//! The stdio loop: read a request line, answer with one response line.

use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::messages::{Request, Response};
use crate::protocol::Grant;
use crate::{Adapter, AdapterError, Runtime, Supports};

/// Serves the suite on stdin and stdout until stdin closes.
///
/// Stdout carries only protocol lines: whatever else the process writes to
/// it (a guest's WASI stdout, a stray `println!`) goes to stderr instead,
/// where the suite keeps it for its error messages.
pub fn serve(mut adapter: impl Adapter) -> ExitCode {
    serve_dyn(&mut adapter)
}

/// [`serve`] for an adapter chosen at run time (`Box<dyn Adapter>`).
pub fn serve_dyn(adapter: &mut dyn Adapter) -> ExitCode {
    let mut out = match protocol_output() {
        Ok(out) => out,
        Err(error) => {
            eprintln!("adapter: cannot set up stdout for the protocol: {error}");
            return ExitCode::FAILURE;
        }
    };
    for line in std::io::stdin().lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                eprintln!("adapter: cannot read stdin: {error}");
                return ExitCode::FAILURE;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Request>(&line) {
            Ok(request) => handle(adapter, request),
            Err(error) => Response::error(format!("cannot read the request {line:?}: {error}")),
        };
        let mut text = serde_json::to_string(&response).expect("responses serialize");
        text.push('\n');
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            // The suite is gone.
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::SUCCESS
}

/// Answers one request: what [`serve`] does per line. An adapter that panics
/// answers `refused` with the panic's message.
pub fn handle(adapter: &mut dyn Adapter, request: Request) -> Response {
    let op = request.op();
    match catch_unwind(AssertUnwindSafe(|| answer(adapter, request))) {
        Ok(response) => response,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic without a message");
            Response::refused(format!("the adapter panicked during `{op}`: {message}"))
        }
    }
}

fn answer(adapter: &mut dyn Adapter, request: Request) -> Response {
    let about = adapter.about();
    let supports = about.supports;
    if let Some(missing) = needs(&request, supports) {
        return Response::unsupported(format!(
            "adapter `{}` does not declare `{missing}` support, which `{}` needs",
            about.adapter,
            request.op()
        ));
    }
    match request {
        Request::Hello { .. } => Response::hello(about),
        Request::Check {
            component,
            exact_names: false,
        } => done(adapter.check(&component)),
        Request::Check {
            component,
            exact_names: true,
        } => done(adapter.check_exact(&component)),
        Request::Reset { traps } => done(adapter.reset(&traps)),
        Request::Load {
            id,
            component,
            grant,
            budget_ms,
        } => on_runtime(adapter, "load", |runtime| {
            done(grant.check().and_then(|()| {
                runtime.load(&id, &component, grant, budget_ms.map(Duration::from_millis))
            }))
        }),
        Request::Invoke { id, message } => on_runtime(adapter, "invoke", |runtime| {
            match runtime.invoke(&id, &message) {
                Ok(Ok(payload)) => Response::reply(payload),
                // Refused as in protocol 1.2, the error beside the words.
                Ok(Err(error)) => Response::export_err(message.export, error),
                Err(error) => error.into(),
            }
        }),
        Request::Metadata { id } => {
            on_runtime(adapter, "metadata", |runtime| match runtime.metadata(&id) {
                Ok(metadata) => Response::metadata(metadata),
                Err(error) => error.into(),
            })
        }
        Request::Health { id } => {
            on_runtime(adapter, "health", |runtime| match runtime.health(&id) {
                Ok(status) => Response::health(status),
                Err(error) => error.into(),
            })
        }
        Request::Settle { limit_ms } => on_runtime(adapter, "settle", |runtime| {
            done(runtime.settle(Duration::from_millis(limit_ms)))
        }),
        Request::Logs => on_runtime(adapter, "logs", |runtime| match runtime.logs() {
            Ok(records) => Response::logs(records),
            Err(error) => error.into(),
        }),
        Request::Unload { id } => {
            on_runtime(adapter, "unload", |runtime| done(runtime.unload(&id)))
        }
        Request::Restart => on_runtime(adapter, "restart", |runtime| done(runtime.restart())),
    }
}

fn done(result: Result<(), AdapterError>) -> Response {
    match result {
        Ok(()) => Response::Ok,
        Err(error) => error.into(),
    }
}

/// `answer`, on the runtime the last `reset` started.
fn on_runtime(
    adapter: &mut dyn Adapter,
    op: &str,
    answer: impl FnOnce(&mut dyn Runtime<Component = Path>) -> Response,
) -> Response {
    match adapter.runtime() {
        Some(runtime) => answer(runtime),
        None => Response::refused(format!(
            "`{op}` has no started host to go to: no `reset` succeeded yet, or the \
             adapter does not implement `Adapter::runtime`"
        )),
    }
}

/// The capability a request needs that `supports` lacks, if any.
fn needs(request: &Request, supports: Supports) -> Option<&'static str> {
    match request {
        Request::Check {
            exact_names: true, ..
        } if !supports.exact_names => Some("exact_names"),
        Request::Hello { .. } | Request::Check { .. } => None,
        Request::Reset { traps } if !traps.is_empty() && !supports.traps => Some("traps"),
        Request::Load {
            grant: Grant::Only(_),
            ..
        } if !supports.grants => Some("grants"),
        Request::Invoke { message, .. } if message.needs_lifecycle() && !supports.lifecycle => {
            Some("lifecycle")
        }
        Request::Metadata { .. } | Request::Health { .. } => {
            (!supports.lifecycle).then_some("lifecycle")
        }
        Request::Reset { .. } | Request::Load { .. } | Request::Invoke { .. } => {
            (!supports.load).then_some("load")
        }
        Request::Settle { .. } | Request::Logs | Request::Unload { .. } | Request::Restart => {
            (!supports.runtime).then_some("runtime")
        }
    }
}

/// The original stdout for protocol lines, with file descriptor 1 pointed at
/// stderr from now on.
#[cfg(unix)]
fn protocol_output() -> std::io::Result<Box<dyn Write>> {
    use std::os::fd::FromRawFd;
    std::io::stdout().flush()?;
    // SAFETY: plain descriptor calls; `dup` gives a descriptor this function
    // owns, handed to the `File` that closes it.
    unsafe {
        let protocol = libc::dup(1);
        if protocol < 0 || libc::dup2(2, 1) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Box::new(std::io::BufWriter::new(
            std::fs::File::from_raw_fd(protocol),
        )))
    }
}

#[cfg(not(unix))]
fn protocol_output() -> std::io::Result<Box<dyn Write>> {
    Ok(Box::new(std::io::stdout()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        About, ComponentId, Import, Message, PROTOCOL_MINOR, PROTOCOL_VERSION, Unsatisfied,
    };

    struct CheckOnly;

    impl Adapter for CheckOnly {
        fn about(&self) -> About {
            About::new("check-only", "0", "test", "0")
        }
        fn check(&mut self, component: &Path) -> Result<(), AdapterError> {
            if component.ends_with("panics.wasm") {
                panic!("boom");
            }
            Err(format!("cannot instantiate {}", component.display()).into())
        }
    }

    #[test]
    fn check_answers_with_the_hosts_words() {
        let response = handle(&mut CheckOnly, Request::check("x.wasm"));
        assert_eq!(response, Response::refused("cannot instantiate x.wasm"));
    }

    /// Protocol 1.1: an adapter that names the unsatisfied imports has them
    /// on the wire beside its words.
    #[test]
    fn check_answers_the_imports_an_adapter_names() {
        struct Naming;
        impl Adapter for Naming {
            fn about(&self) -> About {
                CheckOnly.about()
            }
            fn check(&mut self, _: &Path) -> Result<(), AdapterError> {
                Err(AdapterError::msg("no")
                    .with_unsatisfied(Unsatisfied::none().with_missing("i#f")))
            }
        }
        let check = Request::check("x.wasm");
        let Response::Refused { unsatisfied, .. } = handle(&mut Naming, check) else {
            panic!("refused");
        };
        assert_eq!(unsatisfied.missing, ["i#f"]);
    }

    /// Protocol 1.4: a `check` with exact names goes to `check_exact` of an
    /// adapter that declares `exact_names`, and is unsupported, never a
    /// plain `check`, for one that does not.
    #[test]
    fn a_check_with_exact_names_needs_the_declaration() {
        struct Exact;
        impl Adapter for Exact {
            fn about(&self) -> About {
                CheckOnly
                    .about()
                    .supporting(Supports::CHECK_ONLY.with_exact_names(true))
            }
            fn check(&mut self, _: &Path) -> Result<(), AdapterError> {
                Ok(())
            }
            fn check_exact(&mut self, _: &Path) -> Result<(), AdapterError> {
                Err(AdapterError::msg("only by semver")
                    .with_by_semver("a:b/c@1.0.0#f", Some("a:b/c@1.1.0".into())))
            }
        }
        let Response::Refused { unsatisfied, .. } = handle(&mut Exact, Request::check_exact("x"))
        else {
            panic!("refused");
        };
        assert_eq!(unsatisfied.by_semver[0].import, "a:b/c@1.0.0#f");
        assert_eq!(
            unsatisfied.by_semver[0].registered.as_deref(),
            Some("a:b/c@1.1.0")
        );
        assert_eq!(handle(&mut Exact, Request::check("x")), Response::Ok);
        let Response::Unsupported { reason } = handle(&mut CheckOnly, Request::check_exact("x"))
        else {
            panic!("unsupported");
        };
        assert!(reason.contains("`exact_names`"), "{reason}");
    }

    #[test]
    fn undeclared_operations_are_unsupported_not_called() {
        let id = ComponentId::new("n", "a", "1");
        let load = Request::load(id, "x.wasm", Grant::Everything, None);
        let Response::Unsupported { reason } = handle(&mut CheckOnly, load) else {
            panic!("load must be unsupported");
        };
        assert!(reason.contains("`load`"), "{reason}");
        let traps = Request::Reset {
            traps: vec![Import {
                instance: "i".into(),
                name: "f".into(),
            }],
        };
        assert!(matches!(
            handle(&mut CheckOnly, traps),
            Response::Unsupported { .. }
        ));
        assert!(matches!(
            handle(&mut CheckOnly, Request::Logs),
            Response::Unsupported { .. }
        ));
    }

    /// Protocol 1.3: an adapter that does not declare `lifecycle` is never
    /// handed a callback as if it were a message, nor asked for metadata.
    #[test]
    fn lifecycle_requests_are_unsupported_without_the_declaration() {
        struct LoadsOnly;
        impl Adapter for LoadsOnly {
            fn about(&self) -> About {
                About {
                    supports: Supports::CHECK_ONLY.with_load(true).with_runtime(true),
                    ..CheckOnly.about()
                }
            }
            fn check(&mut self, _: &Path) -> Result<(), AdapterError> {
                Ok(())
            }
        }
        let id = ComponentId::new("n", "a", "1");
        let callback = Request::Invoke {
            id: id.clone(),
            message: crate::Message::new(Vec::new(), "t").to_export(crate::Handler::HandleCallback),
        };
        let Response::Unsupported { reason } = handle(&mut LoadsOnly, callback) else {
            panic!("a callback must be unsupported");
        };
        assert!(reason.contains("`lifecycle`"), "{reason}");
        assert!(matches!(
            handle(&mut LoadsOnly, Request::Health { id }),
            Response::Unsupported { .. }
        ));
    }

    /// A runtime with `load` and `invoke` alone: its `invoke` fails with an
    /// import's name, answers an export's `err`, or replies.
    struct LoadAndInvoke;

    impl Adapter for LoadAndInvoke {
        fn about(&self) -> About {
            // Declares more than it implements: the defaults still answer.
            CheckOnly.about().supporting(Supports::EVERYTHING)
        }
        fn check(&mut self, _: &Path) -> Result<(), AdapterError> {
            Ok(())
        }
        fn runtime(&mut self) -> Option<&mut dyn Runtime<Component = Path>> {
            Some(self)
        }
    }

    impl Runtime for LoadAndInvoke {
        type Component = Path;
        fn load(
            &mut self,
            _: &ComponentId,
            _: &Path,
            _: Grant,
            _: Option<Duration>,
        ) -> Result<(), AdapterError> {
            Ok(())
        }
        fn invoke(
            &mut self,
            _: &ComponentId,
            message: &Message,
        ) -> Result<crate::Handled, AdapterError> {
            match message.payload.as_slice() {
                b"mistyped" => Err(AdapterError::msg("get answered a string")
                    .with_other_type("airssys:core/storage@1.0.0#get")),
                b"err" => Ok(Err("WasmError::Timeout".into())),
                payload => Ok(Ok(Some(payload.to_vec()))),
            }
        }
    }

    #[test]
    fn invoke_answers_say_the_import_of_another_type_and_the_exports_err() {
        let id = ComponentId::new("n", "a", "1");
        let invoke = |payload: &[u8]| {
            handle(
                &mut LoadAndInvoke,
                Request::invoke(id.clone(), Message::new(payload, "t")),
            )
        };
        let Response::Refused {
            unsatisfied, err, ..
        } = invoke(b"mistyped")
        else {
            panic!("refused");
        };
        assert_eq!(unsatisfied.other_type, ["airssys:core/storage@1.0.0#get"]);
        assert_eq!(err, None);
        let Response::Refused { reason, err, .. } = invoke(b"err") else {
            panic!("refused");
        };
        assert_eq!(err.as_deref(), Some("WasmError::Timeout"));
        assert_eq!(reason, "handle-message returned WasmError::Timeout");
        assert_eq!(invoke(b"x"), Response::reply(Some(b"x".to_vec())));
    }

    /// The methods a later protocol added have defaults that answer
    /// `unsupported`, even from an adapter that declares them, so the suite
    /// ignores those trials with the reason instead of failing them.
    #[test]
    fn a_runtimes_defaults_answer_unsupported() {
        let id = ComponentId::new("n", "a", "1");
        for request in [
            Request::metadata(id.clone()),
            Request::health(id.clone()),
            Request::settle(10),
            Request::Logs,
            Request::unload(id.clone()),
            Request::Restart,
        ] {
            let op = request.op();
            let Response::Unsupported { reason } = handle(&mut LoadAndInvoke, request) else {
                panic!("`{op}` must be unsupported");
            };
            assert!(reason.contains(&format!("`{op}`")), "{reason}");
        }
    }

    #[test]
    fn a_panicking_adapter_refuses_with_the_message() {
        let response = handle(&mut CheckOnly, Request::check("panics.wasm"));
        let Response::Refused { reason, .. } = response else {
            panic!("{response:?}");
        };
        assert!(reason.contains("panicked during `check`: boom"), "{reason}");
    }

    #[test]
    fn hello_names_the_protocol_version() {
        let Response::Hello {
            protocol,
            minor,
            about,
        } = handle(&mut CheckOnly, Request::Hello { protocol: 1 })
        else {
            panic!("hello");
        };
        assert_eq!((protocol, minor), (PROTOCOL_VERSION, PROTOCOL_MINOR));
        assert_eq!(about.adapter, "check-only");
    }
}
