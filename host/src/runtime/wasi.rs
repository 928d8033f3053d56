//! The WASI 0.2 a [`Runtime`](super::Runtime) gives its components, with two
//! changes that keep a guest from making the host wait or hold without bound:
//! - a blocking `wasi:io/poll` call (`poll`, `pollable.block`: how Rust's
//!   `std::thread::sleep` sleeps) ends with the execution budget, as a loop
//!   does, instead of blocking the host past it (SEC-2.1);
//! - stdout and stderr are not the host's: each line becomes a log record
//!   of the component (SVC-1.3), cut like `log` messages are.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::Trap;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::bindings::sync::io::poll;
use wasmtime_wasi::p2::{DynPollable, OutputStream, Pollable, StreamResult};

use super::ComponentState;
use crate::bindings::airssys::core::types::LogLevel;
use crate::component_id::SharedId;
use crate::ctx::AirssysHost;
use crate::log_sink::{LogRecord, deliver};
use airssys_contract::log::cut_marker;

/// WASI 0.2 as `add_to_linker_sync` registers it, with `wasi:io/poll`
/// replaced by the budgeted one. A [`Runtime`](super::Runtime) adds it by
/// itself; an embedder with its own linker of [`ComponentState`] may too.
pub fn add_to_linker(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    linker.allow_shadowing(true);
    let budgeted =
        poll::add_to_linker::<ComponentState, HasBudgetedPoll>(linker, |state| BudgetedPoll {
            remaining: state.airssys.remaining_budget(),
            table: &mut state.table,
        });
    linker.allow_shadowing(false);
    budgeted
}

struct HasBudgetedPoll;

impl HasData for HasBudgetedPoll {
    type Data<'a> = BudgetedPoll<'a>;
}

/// `wasi:io/poll` for one call: waits at most what remains of its budget.
struct BudgetedPoll<'a> {
    table: &'a mut ResourceTable,
    remaining: Duration,
}

impl BudgetedPoll<'_> {
    /// `ready`, unless the budget runs out first: then the call traps, as
    /// epoch interruption ends a loop. A future that is ready at once wins
    /// even when no budget is left.
    fn within_budget<R>(
        remaining: Duration,
        ready: impl Future<Output = R>,
    ) -> wasmtime::Result<R> {
        // The timer is made inside the runtime `in_tokio` enters.
        wasmtime_wasi::runtime::in_tokio(async { tokio::time::timeout(remaining, ready).await })
            .map_err(|_| Trap::Interrupt.into())
    }
}

impl poll::Host for BudgetedPoll<'_> {
    fn poll(&mut self, pollables: Vec<Resource<DynPollable>>) -> wasmtime::Result<Vec<u32>> {
        let ready = wasmtime_wasi::p2::bindings::io::poll::Host::poll(self.table, pollables);
        Self::within_budget(self.remaining, ready)?
    }
}

impl poll::HostPollable for BudgetedPoll<'_> {
    fn ready(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<bool> {
        poll::HostPollable::ready(self.table, pollable)
    }

    fn block(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<()> {
        let ready =
            wasmtime_wasi::p2::bindings::io::poll::HostPollable::block(self.table, pollable);
        Self::within_budget(self.remaining, ready)?
    }

    fn drop(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<()> {
        poll::HostPollable::drop(self.table, pollable)
    }
}

/// Which of the component's output streams, and the level its lines get.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stdio {
    Stdout,
    Stderr,
}

impl Stdio {
    fn name(self) -> &'static str {
        match self {
            Stdio::Stdout => "stdout",
            Stdio::Stderr => "stderr",
        }
    }

    fn level(self) -> LogLevel {
        match self {
            Stdio::Stdout => LogLevel::Info,
            Stdio::Stderr => LogLevel::Warn,
        }
    }
}

/// A component's stdout or stderr, as log records: one per line. Every
/// stream the guest opens on it shares one line buffer, which holds at most
/// `max_log_message_bytes`; the rest of a longer line is counted, not kept.
#[derive(Clone)]
pub(crate) struct GuestOutput(Arc<Mutex<Lines>>);

impl GuestOutput {
    pub fn new(host: Arc<AirssysHost>, component: SharedId, stdio: Stdio) -> Self {
        Self(Arc::new(Mutex::new(Lines {
            host,
            component,
            stdio,
            line: Vec::new(),
            line_len: 0,
        })))
    }
}

struct Lines {
    host: Arc<AirssysHost>,
    component: SharedId,
    stdio: Stdio,
    /// The first `max_log_message_bytes` of the line being written.
    line: Vec<u8>,
    /// The whole line's length so far.
    line_len: usize,
}

impl Lines {
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.keep(&rest[..end]);
            self.emit();
            rest = &rest[end + 1..];
        }
        self.keep(rest);
    }

    fn keep(&mut self, bytes: &[u8]) {
        let limit = self.host.config.max_log_message_bytes;
        let room = limit.saturating_sub(self.line.len());
        self.line.extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.line_len += bytes.len();
    }

    fn emit(&mut self) {
        let kept = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
        let len = std::mem::take(&mut self.line_len);
        let message = if len > kept.len() {
            let kept_len = kept.len();
            kept + &cut_marker(len, kept_len)
        } else {
            kept
        };
        deliver(
            self.host.log_sink.as_deref(),
            LogRecord {
                component: self.component.clone(),
                level: self.stdio.level(),
                message,
                context: vec![("stream".into(), self.stdio.name().into())],
            },
        );
    }
}

impl Drop for Lines {
    /// A last line without its newline is not lost.
    fn drop(&mut self) {
        if self.line_len > 0 {
            self.emit();
        }
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for GuestOutput {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .write(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[async_trait::async_trait]
impl Pollable for GuestOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for GuestOutput {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .write(bytes);
        std::task::Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
