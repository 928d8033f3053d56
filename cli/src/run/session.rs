//! One `airssys run` session: acting on each line, delivering what the
//! components send one another, and printing it all in the order it
//! happened: the line, the log records its call caused, then its outcome.

use std::sync::Arc;
use std::time::Duration;

use airssys_host::messaging::router::{DeliveryKind, TIMEOUT_CONTENT_TYPE};
use airssys_host::runtime::{CallError, Delivered, UnloadError};
use airssys_host::{ComponentId, ComponentMessage, Runtime};

use super::lines::{Line, SYNTAX};
use crate::output::{
    HeldLogs, Style, component_error, counted, health, id, line, metadata_lines, payload,
    trap_lines, wasm_error,
};

/// What a session did, for its summary and exit code.
#[derive(Default)]
pub struct Tally {
    pub sent: usize,
    pub problems: usize,
    pub delivered: usize,
    pub timeouts: usize,
}

impl Tally {
    pub fn summary(&self) -> String {
        format!(
            "{} sent, {} delivered between components, {} timed out, {}",
            self.sent,
            self.delivered,
            self.timeouts,
            counted(self.problems, "problem")
        )
    }
}

pub struct Session<'a> {
    pub runtime: &'a Runtime,
    pub logs: Arc<HeldLogs>,
    pub style: Style,
    /// Who sends a line's message when the line names nobody (`--sender`).
    pub sender: ComponentId,
    /// How long the deliveries after one line may take (`--deliver-for`).
    pub deliver_for: Duration,
    pub tally: Tally,
    /// The number of the session's last request, for its correlation id.
    requests: u64,
}

impl<'a> Session<'a> {
    pub fn new(
        runtime: &'a Runtime,
        logs: Arc<HeldLogs>,
        style: Style,
        sender: ComponentId,
        deliver_for: Duration,
    ) -> Self {
        Self {
            runtime,
            logs,
            style,
            sender,
            deliver_for,
            tally: Tally::default(),
            requests: 0,
        }
    }

    /// Acts on one line, then delivers what it made the components send.
    pub fn act(&mut self, what: Line) {
        match what {
            Line::Message {
                sender,
                target,
                text,
                request,
            } => {
                let sender = sender.unwrap_or_else(|| self.sender.clone());
                if request {
                    self.request(sender, &target, &text);
                } else {
                    self.send(sender, &target, &text);
                }
            }
            Line::Health(target) => {
                line(&format!("→ {}: health", id(&target)));
                let answer = self.runtime.health(&target);
                self.logs.print(self.style);
                match answer {
                    Ok(status) => line(&format!("← {}: {}", id(&target), health(status))),
                    Err(call) => self.trapped(&target, &call),
                }
            }
            Line::Metadata(target) => {
                line(&format!("→ {}: metadata", id(&target)));
                let answer = self.runtime.metadata(&target);
                self.logs.print(self.style);
                match answer {
                    Ok(metadata) => {
                        line(&format!("← {}: metadata", id(&target)));
                        for field in metadata_lines(&metadata) {
                            line(&format!("    {field}"));
                        }
                    }
                    Err(call) => self.trapped(&target, &call),
                }
            }
            Line::Help => {
                for row in SYNTAX.lines() {
                    line(row);
                }
            }
        }
        self.deliver();
    }

    /// A line that could not be read or parsed: counted as a problem; the
    /// session goes on with the next.
    pub fn refuse(&mut self, place: &str, why: &str) {
        self.tally.problems += 1;
        self.style.problem_line(&format!("{place}{why}"));
    }

    fn sender_note(&self, sender: &ComponentId) -> String {
        if *sender == self.sender {
            String::new()
        } else {
            format!(" from {}", id(sender))
        }
    }

    fn send(&mut self, sender: ComponentId, target: &ComponentId, text: &str) {
        self.tally.sent += 1;
        let from = self.sender_note(&sender);
        line(&format!(
            "→ {}{from}: {}",
            id(target),
            payload(text.as_bytes())
        ));
        let message = ComponentMessage::new(sender, text.as_bytes().to_vec());
        let answer = self.runtime.invoke(target, &message);
        self.logs.print(self.style);
        match answer {
            Ok(Ok(None)) => line(&format!("← {}: ok", id(target))),
            Ok(Ok(Some(answer))) => line(&format!(
                "← {}: ok, answering {} to a message, which nobody receives: \
                 only a request's answer is a reply (`request ID TEXT`)",
                id(target),
                payload(&answer)
            )),
            Ok(Err(error)) => self.returned_err(target, &error),
            Err(call) => self.trapped(target, &call),
        }
    }

    /// A request from `sender`, as the router would hand it over: a
    /// correlation id and `reply-to` set (MSG-5). `handle-message`'s
    /// `ok(some(reply))` is its reply, printed here: the command line made
    /// the request, so the reply (or its absence) never reaches `sender`,
    /// even when `sender` is a loaded component.
    fn request(&mut self, sender: ComponentId, target: &ComponentId, text: &str) {
        self.tally.sent += 1;
        self.requests += 1;
        let correlation = format!("cli-{}", self.requests);
        let from = self.sender_note(&sender);
        line(&format!(
            "→ {} (request {correlation}{from}): {}",
            id(target),
            payload(text.as_bytes())
        ));
        let mut message = ComponentMessage::new(sender.clone(), text.as_bytes().to_vec());
        message.metadata.correlation_id = Some(correlation.clone());
        message.metadata.reply_to = Some(sender);
        let answer = self.runtime.invoke(target, &message);
        self.logs.print(self.style);
        match answer {
            Ok(Ok(Some(reply))) => line(&format!(
                "← {} (reply to {correlation}): {}",
                id(target),
                payload(&reply)
            )),
            // The request is the command line's, whatever sender it
            // names: no callback goes to a component, so nothing times
            // out here; a component that had asked would get the notice.
            Ok(Ok(None)) => line(&format!(
                "← {}: ok, no reply to request {correlation} (a component that asked would \
                 get a timeout notice)",
                id(target)
            )),
            Ok(Err(error)) => self.returned_err(target, &error),
            Err(call) => self.trapped(target, &call),
        }
    }

    fn returned_err(
        &mut self,
        target: &ComponentId,
        error: &airssys_host::bindings::airssys::core::errors::WasmError,
    ) {
        self.tally.problems += 1;
        self.style
            .problem_line(&format!("← {}: err({})", id(target), wasm_error(error)));
    }

    /// A call that did not complete: the component's trap, its message on
    /// lines of its own, or why it could not be called.
    fn trapped(&mut self, target: &ComponentId, call: &CallError) {
        self.tally.problems += 1;
        match call {
            CallError::Trapped { export, reason, .. } => {
                self.style.problem_line(&format!(
                    "← {}: trapped in {export}; the component is retired, no call enters it again:",
                    id(target)
                ));
                for row in trap_lines(reason) {
                    self.style.problem_line(&format!("    {row}"));
                }
            }
            CallError::NotLoaded(_) => {
                let loaded: Vec<String> = self.runtime.ids().iter().map(id).collect();
                self.style.problem_line(&format!(
                    "← {}: {call}; the components are: {}",
                    id(target),
                    loaded.join(", ")
                ));
            }
            // Retired, or an error a later host adds: its own words.
            _ => {
                self.style
                    .problem_line(&format!("← {}: {call}", id(target)));
            }
        }
    }

    /// Calls each component's `shutdown`, as a host does before it drops a
    /// component (GST-6); only a failure is printed. A component that
    /// trapped is not entered again: its trap was counted already.
    pub fn shut_down(&mut self, ids: &[ComponentId]) {
        for target in ids {
            let unloaded = self.runtime.unload(target);
            self.logs.print(self.style);
            match unloaded {
                Ok(()) | Err(UnloadError::Call(CallError::Retired(_))) => {}
                Err(UnloadError::Shutdown { error, .. }) => {
                    self.tally.problems += 1;
                    self.style.problem_line(&format!(
                        "← {}: its shutdown returned err({})",
                        id(target),
                        component_error(&error)
                    ));
                }
                Err(UnloadError::Call(call)) => self.trapped(target, &call),
                Err(other) => {
                    self.tally.problems += 1;
                    self.style
                        .problem_line(&format!("← {}: {other}", id(target)));
                }
            }
        }
    }

    /// Delivers what the components sent one another, printing each
    /// delivery, then the log records it caused, then its problem.
    pub fn deliver(&mut self) {
        let (style, logs) = (self.style, self.logs.clone());
        let report = self
            .runtime
            .run_until_idle_observed(self.deliver_for, &mut |delivered| {
                print_delivery(style, &logs, &delivered)
            });
        // Records of what ran outside a delivery: a timeout's expiry, or a
        // last line of output a dropped component left.
        self.logs.print(self.style);
        self.tally.delivered += report.delivered;
        self.tally.timeouts += report.timeouts;
        self.tally.problems += report.problems.len() + report.problems_dropped;
    }
}

/// One delivery between components: a message, a request, a reply, or a
/// request's timeout; the records its call logged; then its problem, if it
/// had one.
fn print_delivery(style: Style, logs: &HeldLogs, delivered: &Delivered<'_>) {
    let message = delivered.message;
    let (from, to) = (id(&message.sender), id(delivered.target));
    let correlation = message.metadata.correlation_id.as_deref().unwrap_or("?");
    let timed_out = message.metadata.content_type.as_deref() == Some(TIMEOUT_CONTENT_TYPE);
    line(&match delivered.kind {
        DeliveryKind::Message => format!("⇢ {from} → {to}: {}", payload(&message.payload)),
        DeliveryKind::Request => format!(
            "⇢ {from} → {to} (request {correlation}): {}",
            payload(&message.payload)
        ),
        DeliveryKind::Callback if timed_out => {
            format!("↩ {to}: its request {correlation} to {from} timed out")
        }
        DeliveryKind::Callback => format!(
            "↩ {from} → {to} (reply to {correlation}): {}",
            payload(&message.payload)
        ),
    });
    logs.print(style);
    if let Err(problem) = delivered.outcome {
        let mut rows = trap_lines(problem).into_iter();
        if let Some(first) = rows.next() {
            style.problem_line(&format!("  not delivered: {first}"));
        }
        for row in rows {
            style.problem_line(&format!("    {row}"));
        }
    }
}
