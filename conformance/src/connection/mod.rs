//! The suite's side of the adapter protocol: a [`Connection`] to one adapter
//! (a process, or a host in this process on a thread of its own), every
//! exchange bounded by a time limit, and a [`Pool`] of them for trials that
//! run at the same time. A host on the suite's own wasmtime is served as
//! such an adapter from this process ([`in_process`]).

pub(crate) mod in_process;
mod process;
pub(crate) mod semver;
mod thread;

pub(crate) use thread::Make;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airssys_conformance_adapter::{About, PROTOCOL_VERSION, Request, Response};

/// How to reach a host.
#[derive(Clone)]
pub(crate) enum Connector {
    /// An adapter process, started with `sh -c command`.
    Process { command: String },
    /// An adapter in this process: each connection makes one and runs it on
    /// a thread of its own.
    Thread { name: String, make: Arc<Make> },
}

impl Connector {
    /// How reports and errors name the adapter.
    pub fn name(&self) -> String {
        match self {
            Connector::Process { command } => format!("adapter `{command}`"),
            Connector::Thread { name, .. } => format!("in-process adapter of `{name}`"),
        }
    }
}

/// What went wrong with an adapter, in words that name it and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterError {
    /// e.g. "adapter `cargo run -q -p my-adapter`"
    pub adapter: String,
    /// What went wrong.
    pub failure: Failure,
}

/// How an adapter failed the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It could not be started at all.
    Start(String),
    /// No answer within the limit; the adapter was stopped.
    TimedOut {
        /// The limit that passed.
        after: Duration,
        /// The protocol operation it did not answer, e.g. `invoke`.
        op: &'static str,
    },
    /// The process ended (or its thread died) before answering, or closed
    /// its pipes and was stopped.
    Exited {
        /// How it ended, e.g. `exit status: 101`.
        status: String,
        /// The operation it was asked.
        op: &'static str,
        /// The last lines it wrote to stderr.
        stderr: String,
    },
    /// A line on stdout that is not a protocol message.
    Garbage {
        /// The line, cut short.
        line: String,
        /// The operation it was asked.
        op: &'static str,
        /// Why the line does not parse.
        error: String,
        /// The last lines it wrote to stderr.
        stderr: String,
    },
    /// Not an answer the suite can take here: another protocol message, a
    /// line written when no request waited, or a request left unread.
    Protocol(String),
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let adapter = &self.adapter;
        match &self.failure {
            Failure::Start(why) => write!(f, "{adapter} could not be started: {why}"),
            Failure::TimedOut { after, op } => write!(
                f,
                "{adapter} did not answer `{op}` within {} s and was stopped",
                // Tenths: `1.8 s`, `30 s`.
                (after.as_secs_f64() * 10.0).round() / 10.0
            ),
            Failure::Exited { status, op, stderr } => {
                write!(f, "{adapter} exited ({status}) before answering `{op}`")?;
                tail(f, stderr)
            }
            Failure::Garbage {
                line,
                op,
                error,
                stderr,
            } => {
                let shown: String = line.chars().take(200).collect();
                write!(
                    f,
                    "{adapter} answered `{op}` with a line that is not a protocol message \
                     ({error}): {shown:?}. An adapter writes only protocol lines to stdout; \
                     anything else belongs on stderr"
                )?;
                tail(f, stderr)
            }
            Failure::Protocol(why) => write!(f, "{adapter}: {why}"),
        }
    }
}

fn tail(f: &mut fmt::Formatter<'_>, stderr: &str) -> fmt::Result {
    if stderr.trim().is_empty() {
        write!(f, "; it wrote nothing to stderr")
    } else {
        write!(f, "; its stderr ended with:\n{stderr}")
    }
}

impl std::error::Error for AdapterError {}

/// One way to exchange protocol messages with an adapter.
trait Channel: Send {
    /// Sends `request` and waits at most `limit` for the answer. On a time
    /// out the adapter is stopped: the channel is unusable afterwards.
    fn exchange(&mut self, request: &Request, limit: Duration) -> Result<Response, Failure>;
}

/// A live adapter that has said hello.
pub(crate) struct Connection {
    channel: Box<dyn Channel>,
    adapter: String,
    pub about: About,
    /// False once an exchange failed: the adapter is gone or in an unknown state.
    healthy: bool,
}

impl Connection {
    /// Starts the adapter and greets it, within `limit`.
    pub fn open(connector: &Connector, limit: Duration) -> Result<Connection, AdapterError> {
        let adapter = connector.name();
        let fail = |failure| AdapterError {
            adapter: adapter.clone(),
            failure,
        };
        let mut channel: Box<dyn Channel> = match connector {
            Connector::Process { command } => {
                Box::new(process::Process::start(command).map_err(fail)?)
            }
            Connector::Thread { make, .. } => Box::new(thread::Thread::start(make).map_err(fail)?),
        };
        let hello = Request::hello();
        match channel.exchange(&hello, limit).map_err(fail)? {
            Response::Hello {
                protocol, about, ..
            } if protocol == PROTOCOL_VERSION => Ok(Connection {
                channel,
                adapter,
                about,
                healthy: true,
            }),
            Response::Hello { protocol, .. } => Err(fail(Failure::Protocol(format!(
                "it speaks adapter protocol version {protocol}; this suite speaks version \
                 {PROTOCOL_VERSION} (docs/adapter-protocol.md). Build the adapter against the \
                 airssys-conformance-adapter crate of this suite's version"
            )))),
            other => Err(fail(Failure::Protocol(format!(
                "it answered `hello` with {other:?}"
            )))),
        }
    }

    /// One request and its answer, within `limit`.
    pub fn exchange(
        &mut self,
        request: Request,
        limit: Duration,
    ) -> Result<Response, AdapterError> {
        let answer = self.channel.exchange(&request, limit);
        match answer {
            Ok(Response::Error { message, .. }) => {
                self.healthy = false;
                Err(self.error(Failure::Protocol(format!(
                    "it could not read the suite's `{}` request: {message}",
                    request.op()
                ))))
            }
            Ok(response) => Ok(response),
            Err(failure) => {
                self.healthy = false;
                Err(self.error(failure))
            }
        }
    }

    pub fn error(&self, failure: Failure) -> AdapterError {
        AdapterError {
            adapter: self.adapter.clone(),
            failure,
        }
    }
}

/// Connections to one host, made as needed and reused by later trials.
pub(crate) struct Pool {
    connector: Connector,
    startup: Duration,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub fn new(connector: Connector, startup: Duration) -> Self {
        Self {
            connector,
            startup,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn name(&self) -> String {
        self.connector.name()
    }

    /// An idle connection, or a new one.
    pub fn lease(&self) -> Result<Lease<'_>, AdapterError> {
        let idle = self.idle.lock().unwrap().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => Connection::open(&self.connector, self.startup)?,
        };
        Ok(Lease {
            pool: self,
            connection: Some(connection),
        })
    }
}

/// A connection taken from a [`Pool`], given back when dropped if it is
/// still healthy.
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    connection: Option<Connection>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.connection.as_ref().expect("leased")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.connection.as_mut().expect("leased")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && connection.healthy
        {
            self.pool.idle.lock().unwrap().push(connection);
        }
    }
}

/// Where the user typed the command: `cargo test` runs the suite in the
/// package's directory, but leaves `PWD` as the shell set it.
pub fn caller_dir() -> std::path::PathBuf {
    std::env::var_os("PWD")
        .map(std::path::PathBuf::from)
        .filter(|dir| dir.is_absolute() && dir.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}
