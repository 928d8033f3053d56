//! An adapter in this process, on a thread of its own so that a host call
//! that never returns costs that thread, not the suite.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use airssys_conformance_adapter::{Adapter, Request, Response, handle};

use super::{Channel, Failure};

/// Makes the adapter a connection talks to, on the connection's thread.
pub(crate) type Make = dyn Fn() -> Result<Box<dyn Adapter>, String> + Send + Sync;

pub(super) struct Thread {
    requests: Option<Sender<Request>>,
    answers: Receiver<Response>,
}

impl Thread {
    /// The adapter is made on its own thread, so it need not be `Send`.
    pub fn start(make: &Arc<Make>) -> Result<Self, Failure> {
        let make = make.clone();
        let (requests, incoming) = channel::<Request>();
        let (reply, answers) = channel();
        let (started, start) = channel();
        std::thread::Builder::new()
            .name("conformance-host".into())
            .spawn(move || {
                let mut adapter = match make() {
                    Ok(adapter) => {
                        let _ = started.send(Ok(()));
                        adapter
                    }
                    Err(why) => {
                        let _ = started.send(Err(why));
                        return;
                    }
                };
                for request in incoming {
                    if reply.send(handle(adapter.as_mut(), request)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| Failure::Start(format!("cannot start a thread: {e}")))?;
        match start.recv() {
            Ok(Ok(())) => Ok(Self {
                requests: Some(requests),
                answers,
            }),
            Ok(Err(why)) => Err(Failure::Start(why)),
            Err(_) => Err(Failure::Start("it panicked while starting".into())),
        }
    }
}

impl Channel for Thread {
    fn exchange(&mut self, request: &Request, limit: Duration) -> Result<Response, Failure> {
        let op = request.op();
        let gone = || Failure::Exited {
            status: "its thread ended".into(),
            op,
            stderr: String::new(),
        };
        let requests = self.requests.as_ref().ok_or_else(gone)?;
        requests.send(request.clone()).map_err(|_| gone())?;
        match self.answers.recv_timeout(limit) {
            Ok(response) => Ok(response),
            Err(RecvTimeoutError::Disconnected) => Err(gone()),
            Err(RecvTimeoutError::Timeout) => {
                // A thread cannot be stopped: it is left to its call, and no
                // more requests are sent to it.
                self.requests = None;
                Err(Failure::TimedOut { after: limit, op })
            }
        }
    }
}
