//! An adapter process: requests on its stdin, answers on its stdout, its
//! stderr kept (the last lines) for error messages.
//!
//! Nothing the process does can hold the suite past an exchange's limit
//! (and a 2 s grace for a process that closed its pipes) or grow its memory
//! without bound: requests are written by a thread of their own (an adapter
//! that stops reading blocks that thread, and the exchange times out),
//! answers are handed over one at a time (a line written while no request
//! waits is refused, not buffered), and a process that closes its stdout but
//! keeps running is stopped after the grace.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{
    Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError, sync_channel,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airssys_conformance_adapter::{Request, Response};

use super::{Channel, Failure};

/// How many of the adapter's last stderr lines an error message shows.
const STDERR_LINES: usize = 20;
/// The longest stderr line kept; the rest of it is dropped.
const LONGEST_STDERR_LINE: usize = 2000;
/// The longest answer the suite reads: a broken adapter that writes without
/// end costs it no more memory than this. The largest real answers (a probe's
/// reply to a call with a payload at the 1 MiB message limit, in base64) are
/// a few MiB.
const LONGEST_ANSWER: usize = 64 << 20;
/// How long a process whose stdout closed may take to exit before it is
/// stopped: `exec >&-; sleep 86400` is a failure now, not in a day.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// What the threads around the process tell the exchange.
enum Event {
    /// A line the process wrote to stdout.
    Line(String),
    /// Its stdout ended.
    Closed,
    /// A request could not be written: the process closed its stdin.
    Unwritable,
}

pub(super) struct Process {
    child: Child,
    /// Requests for the writer thread; `None` once the process is stopped.
    requests: Option<SyncSender<Vec<u8>>>,
    /// Lines and write failures, one at a time: the reader waits for the
    /// exchange to take a line before it reads the next one.
    events: Receiver<Event>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// How it ended, once it is reaped.
    status: Option<std::io::Result<ExitStatus>>,
    /// The last request sent, for errors about what came after it.
    last_op: Option<&'static str>,
}

impl Process {
    pub fn start(command: &str) -> Result<Self, Failure> {
        let mut shell = shell(command);
        shell
            .current_dir(super::caller_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            // Its own process group, so that stopping it also stops what it
            // started (`cargo run` starts the adapter as its child).
            use std::os::unix::process::CommandExt;
            shell.process_group(0);
        }
        let mut child = shell
            .spawn()
            .map_err(|e| Failure::Start(format!("cannot run `sh -c {command:?}`: {e}")))?;
        let mut stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let stderr_pipe = child.stderr.take().expect("piped");
        let (tell, events) = sync_channel(0);
        let told = tell.clone();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Some(line) = read_line(&mut stdout, LONGEST_ANSWER) {
                if told.send(Event::Line(line)).is_err() {
                    return;
                }
            }
            let _ = told.send(Event::Closed);
        });
        let (requests, to_write) = sync_channel::<Vec<u8>>(1);
        std::thread::spawn(move || {
            for request in to_write {
                if stdin
                    .write_all(&request)
                    .and_then(|()| stdin.flush())
                    .is_err()
                {
                    let _ = tell.send(Event::Unwritable);
                    break;
                }
            }
        });
        let stderr: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let kept = stderr.clone();
        std::thread::spawn(move || {
            let mut stderr = BufReader::new(stderr_pipe);
            while let Some(line) = read_line(&mut stderr, LONGEST_STDERR_LINE) {
                let mut kept = kept.lock().unwrap();
                if kept.len() == STDERR_LINES {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
        Ok(Self {
            child,
            requests: Some(requests),
            events,
            stderr,
            status: None,
            last_op: None,
        })
    }

    fn stderr(&self) -> String {
        // Let the reader catch up with what the process wrote just before exiting.
        std::thread::sleep(Duration::from_millis(50));
        let kept = self.stderr.lock().unwrap();
        kept.iter().map(|l| format!("  | {l}\n")).collect()
    }

    /// The process closed its stdout (or stdin): how it ended, waiting for
    /// it no longer than [`EXIT_GRACE`].
    fn exited(&mut self, op: &'static str) -> Failure {
        let ended = self.ends_within(EXIT_GRACE);
        self.stop();
        let mut status = match (&self.status, ended) {
            (Some(Ok(status)), true) => status.to_string(),
            (Some(Err(e)), true) => format!("status unknown: {e}"),
            (_, false) => format!(
                "stopped: it closed its end of a protocol pipe but was still running {} s \
                 later",
                EXIT_GRACE.as_secs_f64()
            ),
            (None, true) => "status unknown".into(),
        };
        let dir = super::caller_dir();
        status.push_str(&format!(", started by `sh -c` in {}", dir.display()));
        Failure::Exited {
            status,
            op,
            stderr: self.stderr(),
        }
    }

    /// Whether the process exits within `grace`. It is not reaped: the
    /// group is signalled while its leader's id is still taken (see `stop`).
    fn ends_within(&mut self, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        loop {
            if self.has_exited() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[cfg(unix)]
    fn has_exited(&mut self) -> bool {
        if self.status.is_some() {
            return true;
        }
        // SAFETY: `waitid` writes only into `info`, which lives on this
        // stack; WNOWAIT leaves the child a zombie, to be reaped by `stop`.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let done = libc::waitid(
                libc::P_PID,
                self.child.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            );
            done != 0 || info.si_pid() != 0
        }
    }

    #[cfg(not(unix))]
    fn has_exited(&mut self) -> bool {
        if self.status.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.status = Some(Ok(status)),
                Ok(None) => return false,
                Err(e) => self.status = Some(Err(e)),
            }
        }
        true
    }

    /// Stops the process and what it started, then reaps it. The group is
    /// signalled before the leader is reaped: until then its id cannot be
    /// given to another process, so the signal reaches only this adapter's
    /// group.
    fn stop(&mut self) {
        self.requests = None;
        if self.status.is_some() {
            return;
        }
        #[cfg(unix)]
        // SAFETY: signals the process group this process leads (see `start`),
        // whose leader is not reaped yet.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.child.kill();
        self.status = Some(self.child.wait());
    }
}

/// The next line of `reader`, without its newline and cut at `longest`
/// bytes (the rest of the line is skipped, not kept); `None` at the end.
fn read_line(reader: &mut impl BufRead, longest: usize) -> Option<String> {
    let mut line = Vec::new();
    let mut cut = false;
    loop {
        let available = match reader.fill_buf() {
            Ok([]) if line.is_empty() && !cut => return None,
            Ok([]) => break,
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        let (chunk, newline) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..end], true),
            None => (available, false),
        };
        let room = longest.saturating_sub(line.len());
        cut |= chunk.len() > room;
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len() + usize::from(newline);
        reader.consume(used);
        if newline {
            break;
        }
    }
    let mut text = String::from_utf8_lossy(&line).into_owned();
    if cut {
        text.push_str(" [line cut here]");
    }
    Some(text)
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut shell = Command::new("cmd");
        shell.arg("/C").arg(command);
        shell
    } else {
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(command);
        shell
    }
}

impl Channel for Process {
    fn exchange(&mut self, request: &Request, limit: Duration) -> Result<Response, Failure> {
        let op = request.op();
        match self.events.try_recv() {
            Ok(Event::Line(line)) => {
                self.stop();
                let shown: String = line.chars().take(200).collect();
                let after = match self.last_op {
                    Some(last) => format!("after its answer to `{last}`"),
                    None => "before its first request".into(),
                };
                return Err(Failure::Protocol(format!(
                    "it wrote a line to stdout while no request was waiting for an answer \
                     ({after}; found when `{op}` was to be sent): {shown:?}. An adapter answers \
                     each request with one line and writes nothing else to stdout"
                )));
            }
            Ok(Event::Closed | Event::Unwritable) | Err(TryRecvError::Disconnected) => {
                return Err(self.exited(op));
            }
            Err(TryRecvError::Empty) => {}
        }
        let mut line = serde_json::to_vec(request).expect("requests serialize");
        line.push(b'\n');
        let written = self
            .requests
            .as_ref()
            .map(|requests| requests.try_send(line));
        match written {
            Some(Ok(())) => {}
            Some(Err(TrySendError::Full(_))) => {
                self.stop();
                return Err(Failure::Protocol(format!(
                    "it has not read an earlier request in full (it answered before reading \
                     it), so `{op}` could not be sent"
                )));
            }
            None | Some(Err(TrySendError::Disconnected(_))) => return Err(self.exited(op)),
        }
        self.last_op = Some(op);
        match self.events.recv_timeout(limit) {
            Ok(Event::Line(line)) => {
                serde_json::from_str(&line).map_err(|error| Failure::Garbage {
                    line,
                    op,
                    error: error.to_string(),
                    stderr: self.stderr(),
                })
            }
            Ok(Event::Closed | Event::Unwritable) | Err(RecvTimeoutError::Disconnected) => {
                Err(self.exited(op))
            }
            Err(RecvTimeoutError::Timeout) => {
                self.stop();
                Err(Failure::TimedOut { after: limit, op })
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `exchange` against `command` on a thread, and fails the test
    /// (instead of hanging it) if no verdict comes within `within`.
    fn exchange_with(
        command: &str,
        request: Request,
        limit: Duration,
        within: Duration,
    ) -> (Result<Response, Failure>, Duration) {
        let command = command.to_owned();
        let (done, verdict) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut process = Process::start(&command).expect("sh starts");
            let answer = process.exchange(&request, limit);
            let _ = done.send((answer, started.elapsed()));
        });
        verdict
            .recv_timeout(within)
            .unwrap_or_else(|_| panic!("no verdict on the adapter within {within:?}"))
    }

    #[test]
    #[cfg(unix)]
    fn an_adapter_that_closes_stdout_but_keeps_running_is_stopped_after_a_grace() {
        let (answer, took) = exchange_with(
            "exec >&-; sleep 86400",
            Request::Logs,
            Duration::from_secs(60),
            Duration::from_secs(20),
        );
        let Err(Failure::Exited { status, .. }) = answer else {
            panic!("expected an exit, got {answer:?}");
        };
        assert!(status.contains("still running 2 s later"), "{status}");
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }

    #[test]
    #[cfg(unix)]
    fn an_adapter_that_stops_reading_times_out_on_a_large_request() {
        // Larger than any pipe buffer, so that writing it blocks.
        let request = Request::invoke(
            airssys_conformance_adapter::ComponentId {
                namespace: "a".into(),
                name: "b".into(),
                instance: "c".into(),
            },
            airssys_conformance_adapter::Message::new(vec![7; 4 << 20], "application/octet-stream"),
        );
        let (answer, took) = exchange_with(
            "exec sleep 86400",
            request,
            Duration::from_millis(500),
            Duration::from_secs(20),
        );
        assert!(
            matches!(answer, Err(Failure::TimedOut { op: "invoke", .. })),
            "{answer:?}"
        );
        assert!(took < Duration::from_secs(5), "took {took:?}");
    }

    #[test]
    #[cfg(unix)]
    fn lines_nobody_asked_for_are_refused_not_kept() {
        let unasked = serde_json::to_string(&Response::Ok).unwrap();
        let mut process =
            Process::start(&format!("while :; do echo '{unasked}'; done")).expect("sh starts");
        std::thread::sleep(Duration::from_millis(200));
        let answer = process.exchange(&Request::Logs, Duration::from_secs(5));
        let Err(Failure::Protocol(why)) = answer else {
            panic!("an unasked line was taken as the answer: {answer:?}");
        };
        assert!(why.contains("no request was waiting"), "{why}");
    }

    #[test]
    fn lines_are_read_up_to_a_limit() {
        let mut input = std::io::Cursor::new(b"short\n0123456789abc\nlast".to_vec());
        assert_eq!(read_line(&mut input, 10).as_deref(), Some("short"));
        assert_eq!(
            read_line(&mut input, 10).as_deref(),
            Some("0123456789 [line cut here]")
        );
        assert_eq!(read_line(&mut input, 10).as_deref(), Some("last"));
        assert_eq!(read_line(&mut input, 10), None);
    }
}
