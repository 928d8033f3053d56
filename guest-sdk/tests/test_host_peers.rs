//! Real components answering each other in one test host: each loaded id
//! has its own storage (STO-10), grant, `self-id` and log records, and the
//! dispatcher delivers to them as a host's does (MSG-2, MSG-5, MSG-6.2);
//! and the lifecycle exports called as a host calls them (SVC-6).

use std::time::Duration;

use airssys_guest::testing::{Grants, TestHost};
use airssys_guest::{
    Component, ComponentId, Config, Error, Health, Message, MessagingError, Metadata, messaging,
    services, storage,
};

/// Answers a request with `re:` + payload and counts what it got in its
/// own storage; logs each message. Its health is `degraded` when told.
struct Echo;

impl Component for Echo {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let seen = storage::get("seen")?.map_or(0, |b| b.len()) + 1;
        storage::set("seen", vec![b'x'; seen])?;
        airssys_guest::info!("echo {}", String::from_utf8_lossy(&message.payload));
        if message.payload == b"degrade" {
            storage::set("mood", "degraded")?;
        }
        if message.payload == b"fail" {
            return Err(Error::msg("asked to fail"));
        }
        Ok(message
            .is_request()
            .then(|| [b"re:", &message.payload[..]].concat()))
    }

    fn metadata() -> Metadata {
        Metadata::new().name("echo").version("1.2.3")
    }

    fn health() -> Health {
        match storage::get("mood") {
            Ok(Some(mood)) if mood == b"degraded" => Health::Degraded,
            _ => Health::Healthy,
        }
    }
}

/// Stores its callbacks under `callback`, its self-id under `me`, and, on a
/// message naming a target, requests that target with a 500 ms timeout.
struct Asker;

impl Component for Asker {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        storage::set("me", messaging::self_id().to_string())?;
        let target: ComponentId = message.text()?.parse().map_err(Error::payload)?;
        let pending = messaging::request(&target, "question", Duration::from_millis(500))?;
        storage::set("asked", pending.correlation_id())?;
        Ok(None)
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        let what = if message.is_timeout() {
            format!("timeout from {}", message.sender)
        } else {
            format!("{} from {}", message.text()?, message.sender)
        };
        storage::set("callback", what)?;
        Ok(())
    }
}

fn echo() -> ComponentId {
    ComponentId::new("acme", "echo", "0")
}

fn text(bytes: Option<&Vec<u8>>) -> Option<String> {
    bytes.map(|b| String::from_utf8_lossy(b).into_owned())
}

#[test]
fn a_request_to_a_loaded_component_is_answered_by_its_handle_message() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    let pending = messaging::request(&echo(), "ping", Duration::from_secs(1)).unwrap();
    assert!(
        host.storage_of(&echo()).is_empty(),
        "delivered after the call returns, when the dispatcher runs (MSG-2)"
    );

    host.deliver_callbacks::<Asker>().unwrap();

    assert_eq!(
        text(host.storage().get("callback")).as_deref(),
        Some("re:ping from acme/echo/0")
    );
    assert_eq!(
        pending.cancel(),
        Err(MessagingError::InvalidMessage(format!(
            "request `{}` was already answered",
            host.sent()[0].correlation_id.clone().unwrap()
        )))
    );
}

/// MSG-6.2: a request still queued at its deadline is delivered all the
/// same, its reply dropped, and the timeout notice goes to the requester.
#[test]
fn a_loaded_component_that_answers_after_the_deadline_is_a_timeout() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    let _pending = messaging::request(&echo(), "ping", Duration::from_millis(500)).unwrap();
    host.advance(Duration::from_secs(60));

    assert_eq!(host.deliver_callbacks::<Asker>().unwrap(), 1);

    assert_eq!(
        text(host.storage().get("callback")).as_deref(),
        Some("timeout from acme/echo/0")
    );
    assert_eq!(
        text(host.storage_of(&echo()).get("seen")).as_deref(),
        Some("x"),
        "the request was delivered all the same"
    );
}

/// STO-10: two ids of one component type, each with its own namespace, and
/// the component under test with a third; MSG-1: each its own id.
#[test]
fn each_loaded_id_has_its_own_storage_self_id_and_log_records() {
    let host = TestHost::new();
    let other = ComponentId::new("acme", "echo", "1");
    host.load_component::<Echo>(&echo())
        .load_component::<Echo>(&other);
    storage::set("seen", "mine").unwrap();

    messaging::send(&echo(), "a").unwrap();
    messaging::send(&echo(), "b").unwrap();
    messaging::send(&other, "c").unwrap();
    assert_eq!(host.dispatch(), 3);

    assert_eq!(
        text(host.storage_of(&echo()).get("seen")).as_deref(),
        Some("xx")
    );
    assert_eq!(
        text(host.storage_of(&other).get("seen")).as_deref(),
        Some("x")
    );
    assert_eq!(text(host.storage().get("seen")).as_deref(), Some("mine"));
    let logged: Vec<(String, String)> = host
        .logs()
        .into_iter()
        .map(|r| (r.component.to_string(), r.message))
        .collect();
    assert_eq!(
        logged,
        [
            ("acme/echo/0".into(), "echo a".into()),
            ("acme/echo/0".into(), "echo b".into()),
            ("acme/echo/1".into(), "echo c".into()),
        ]
    );
}

#[test]
fn a_loaded_component_gets_the_callbacks_of_its_own_requests() {
    let host = TestHost::new();
    let asker = ComponentId::new("acme", "asker", "0");
    host.load_component::<Echo>(&echo())
        .load_component::<Asker>(&asker);

    let returned = host
        .deliver_message_to(&asker, Message::new(echo(), "acme/echo/0"))
        .unwrap();
    assert_eq!(returned, None);
    assert_eq!(host.dispatch(), 2, "the request, then the reply");

    let asked = host.storage_of(&asker);
    assert_eq!(text(asked.get("me")).as_deref(), Some("acme/asker/0"));
    assert_eq!(
        text(asked.get("callback")).as_deref(),
        Some("re:question from acme/echo/0")
    );
    assert!(
        host.storage().is_empty(),
        "the component under test did nothing"
    );
    let sent = &host.sent()[0];
    assert_eq!((&sent.sender, &sent.target), (&asker, &echo()));
}

#[test]
fn a_loaded_component_has_its_own_grant() {
    let host = TestHost::new();
    let asker = ComponentId::new("acme", "asker", "0");
    host.load_component::<Echo>(&echo())
        .load_component::<Asker>(&asker)
        .grant_to(&asker, Grants::nothing().storage());

    let refused = host
        .deliver_message_to(&asker, Message::new(echo(), "acme/echo/0"))
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("capability denied: messaging request to acme/echo/0"),
        "{refused}"
    );
    let _pending = messaging::request(
        &echo(),
        "the test's own grant is untouched",
        Duration::from_secs(1),
    )
    .unwrap();
}

/// MSG-2.3: the sender is not told; the test can look.
#[test]
fn a_failed_delivery_is_a_problem_the_sender_is_not_told_of() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    let _pending = messaging::request(&echo(), "fail", Duration::from_millis(100)).unwrap();
    host.dispatch();
    assert_eq!(
        host.problems(),
        [
            "handle-message of acme/echo/0 returned err: asked to fail (the sender is not told, MSG-2.3)"
        ]
    );
    host.advance(Duration::from_millis(100));
    host.deliver_callbacks::<Asker>().unwrap();
    assert_eq!(
        text(host.storage().get("callback")).as_deref(),
        Some("timeout from acme/echo/0"),
        "an err does not answer (MSG-5.2)"
    );
}

/// SVC-6: name and version from `metadata` at load; `health` asked when
/// another component asks, as the peer itself answers it.
#[test]
fn a_loaded_component_is_described_by_its_metadata_and_health() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    let info = services::component_info(&echo()).unwrap();
    assert_eq!(
        (info.name.as_str(), info.version.as_str()),
        ("echo", "1.2.3")
    );
    assert_eq!(info.health, "healthy");

    messaging::send(&echo(), "degrade").unwrap();
    host.dispatch();
    assert_eq!(
        services::component_info(&echo()).unwrap().health,
        "degraded"
    );
}

/// Sleeps 200 ms in `health`: past the 100 ms another component's question allows.
struct Slow;

impl Component for Slow {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn health() -> Health {
        services::sleep(Duration::from_millis(200));
        Health::Healthy
    }
}

/// SVC-6.2: at load `health` has the whole call budget; asked by another
/// component, 100 ms, and one that runs past it reports unhealthy while
/// the caller goes on.
#[test]
fn a_health_past_the_health_budget_reports_unhealthy() {
    let host = TestHost::new();
    let slow = ComponentId::new("acme", "slow", "0");
    host.load_component::<Slow>(&slow);
    let info = services::component_info(&slow).unwrap();
    assert_eq!(info.health, "unhealthy");
    storage::set("the caller", "goes on").unwrap();

    // SEC-2.3: it trapped, so it is retired: calls into it fail at once.
    let refused = host
        .deliver_message_to(&slow, Message::new(slow.clone(), "hi"))
        .unwrap_err();
    assert!(refused.to_string().contains("is retired"), "{refused}");
    messaging::send(&slow, "hi").unwrap();
    host.dispatch();
    assert_eq!(
        host.problems(),
        ["acme/slow/0 is retired: it trapped, so deliveries to it fail at once (SEC-2.3)"]
    );
    assert_eq!(services::component_info(&slow).unwrap().health, "unhealthy");
}

/// Counts in its storage how often its `health` runs.
struct Counted;

impl Component for Counted {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn health() -> Health {
        let asked = storage::get("asked").ok().flatten().unwrap_or_default();
        let _ = storage::set("asked", [asked, b"x".to_vec()].concat());
        Health::Healthy
    }
}

/// Asks about `acme/counted/0` in its own `health`.
struct Chain;

impl Component for Chain {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn health() -> Health {
        let counted = ComponentId::new("acme", "counted", "0");
        match services::component_info(&counted) {
            Ok(_) => Health::Healthy,
            Err(_) => Health::Unhealthy,
        }
    }
}

/// SVC-6.2: a question asked while a `health` runs for another question
/// gets the last answer without running anything, so a chain of
/// components asking each other costs one health budget.
#[test]
fn a_question_asked_inside_a_health_question_gets_the_last_answer() {
    let host = TestHost::new();
    let counted = ComponentId::new("acme", "counted", "0");
    let chain = ComponentId::new("acme", "chain", "0");
    host.load_component::<Counted>(&counted);
    assert_eq!(
        text(host.storage_of(&counted).get("asked")).as_deref(),
        Some("x")
    );
    services::component_info(&counted).unwrap();
    assert_eq!(
        text(host.storage_of(&counted).get("asked")).as_deref(),
        Some("xx")
    );

    // Loading asks under the whole call budget, as a host's own question.
    host.load_component::<Chain>(&chain);
    assert_eq!(
        text(host.storage_of(&counted).get("asked")).as_deref(),
        Some("xxx")
    );
    assert_eq!(services::component_info(&chain).unwrap().health, "healthy");
    assert_eq!(
        text(host.storage_of(&counted).get("asked")).as_deref(),
        Some("xxx"),
        "asked inside chain's health: the last answer, nothing run"
    );
}

#[test]
#[should_panic(expected = "`test/component/0` is the component under test")]
fn the_component_under_test_is_not_loaded_again() {
    let host = TestHost::new();
    host.load_component::<Echo>(&ComponentId::new("test", "component", "0"));
}

/// Keeps what `initialize` was given; refuses to shut down.
struct Configured;

impl Component for Configured {
    fn initialize(config: Config) -> Result<(), Error> {
        let url = config
            .env_var("URL")
            .ok_or_else(|| Error::msg("URL is not set"))?;
        storage::set("url", url)?;
        storage::set(
            "budget",
            config.resource_limits.max_execution_time_ms.to_string(),
        )?;
        Ok(())
    }

    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn metadata() -> Metadata {
        Metadata::new().name("configured")
    }

    fn health() -> Health {
        Health::Degraded
    }

    fn shutdown() -> Result<(), Error> {
        Err(Error::msg("still busy"))
    }
}

#[test]
fn lifecycle_exports_are_called_as_a_host_calls_them() {
    let host = TestHost::new();
    let refused = host
        .initialize::<Configured>(TestHost::default_config())
        .unwrap_err();
    assert_eq!(refused.to_string(), "URL is not set");

    let mut config = TestHost::default_config();
    config
        .env_vars
        .push(("URL".into(), "https://example.com".into()));
    host.initialize::<Configured>(config).unwrap();
    assert_eq!(
        text(host.storage().get("url")).as_deref(),
        Some("https://example.com")
    );
    assert_eq!(text(host.storage().get("budget")).as_deref(), Some("5000"));

    assert_eq!(host.metadata::<Configured>().name, "configured");
    assert_eq!(host.health::<Configured>(), Health::Degraded);
    let me = services::component_info(&messaging::self_id()).unwrap();
    assert_eq!(
        (me.name.as_str(), me.health.as_str()),
        ("configured", "degraded")
    );
    assert_eq!(
        host.shutdown::<Configured>().unwrap_err().to_string(),
        "still busy"
    );
}

/// Says its name is 1025 bytes long.
struct Verbose;

impl Component for Verbose {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn metadata() -> Metadata {
        Metadata::new().name("n".repeat(1025))
    }
}

#[test]
#[should_panic(expected = "the metadata name of `acme/verbose/0` is 1025 bytes; a host refuses")]
fn a_component_with_a_name_over_1_kib_is_not_loaded() {
    let host = TestHost::new();
    host.load_component::<Verbose>(&ComponentId::new("acme", "verbose", "0"));
}

/// Fails every message with a long text.
struct Failing;

impl Component for Failing {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        Err(Error::msg("why".repeat(1000) + message.text()?))
    }
}

/// HOST-5: the newest 256 problems, each cut to 512 bytes.
#[test]
fn problems_are_kept_as_a_dispatch_report_keeps_them() {
    let host = TestHost::new();
    let failing = ComponentId::new("acme", "failing", "0");
    host.load_component::<Failing>(&failing);
    for n in 0..300 {
        messaging::send(&failing, n.to_string()).unwrap();
        if n % 100 == 99 {
            host.dispatch();
        }
    }
    host.dispatch();
    let problems = host.problems();
    assert_eq!(problems.len(), 256);
    assert!(problems.iter().all(|p| p.len() <= 512 && p.ends_with('…')));
    assert!(problems[0].starts_with("handle-message of acme/failing/0 returned err: whywhy"));
}

/// MSG-4.2, STO-10.1, SVC-5.1: unloading drops what was queued and the
/// component leaves the registry; its storage belongs to its id.
#[test]
fn an_unloaded_component_gets_nothing_sent_before_and_keeps_its_keys() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    messaging::send(&echo(), "a").unwrap();
    host.dispatch();
    messaging::send(&echo(), "queued before the unload").unwrap();
    let pending = messaging::request(&echo(), "ping", Duration::from_millis(500)).unwrap();

    host.unload(&echo()).unwrap();
    assert_eq!(services::components(), [messaging::self_id()]);
    assert_eq!(
        messaging::send(&echo(), "b"),
        Err(MessagingError::TargetNotFound(echo()))
    );
    host.load_component::<Echo>(&echo());
    assert_eq!(host.dispatch(), 0, "nothing sent to its predecessor");
    assert_eq!(host.sent().len(), 3, "the record of what was sent stays");
    assert_eq!(
        text(host.storage_of(&echo()).get("seen")).as_deref(),
        Some("x")
    );

    host.advance(Duration::from_millis(500));
    host.deliver_callbacks::<Asker>().unwrap();
    assert_eq!(
        text(host.storage().get("callback")).as_deref(),
        Some("timeout from acme/echo/0"),
        "a request to it times out"
    );
    drop(pending);
}

#[test]
fn unload_runs_shutdown_and_unloads_even_when_it_fails() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    host.unload(&echo()).unwrap();
    assert!(!services::components().contains(&echo()));

    struct Stubborn;
    impl Component for Stubborn {
        fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
            Ok(None)
        }
        fn shutdown() -> Result<(), Error> {
            Err(Error::msg("still busy"))
        }
    }
    let stubborn = ComponentId::new("acme", "stubborn", "0");
    host.load_component::<Stubborn>(&stubborn);
    assert_eq!(
        host.unload(&stubborn).unwrap_err().to_string(),
        "still busy"
    );
    assert!(!services::components().contains(&stubborn));
}

/// Sleeps 6 s in `health`: past even the whole call budget.
struct Stuck;

impl Component for Stuck {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn health() -> Health {
        services::sleep(Duration::from_secs(6));
        Health::Healthy
    }
}

/// A `health` that traps at load leaves the component loaded, retired and
/// `unhealthy`, as on the reference host.
#[test]
fn a_health_that_traps_at_load_retires_the_component() {
    let host = TestHost::new();
    let stuck = ComponentId::new("acme", "stuck", "0");
    host.load_component::<Stuck>(&stuck);
    assert!(services::components().contains(&stuck));
    assert_eq!(
        services::component_info(&stuck).unwrap().health,
        "unhealthy"
    );
    assert!(
        host.deliver_message_to(&stuck, Message::new(stuck.clone(), "hi"))
            .is_err()
    );
}

#[test]
#[should_panic(expected = "`acme/echo/0` is already loaded, and a host loads one component per id")]
fn one_id_is_loaded_once() {
    let host = TestHost::new();
    host.load_component::<Echo>(&echo());
    host.load_component::<Echo>(&echo());
}

/// Answers requests with `re:` + payload, and keeps plain messages under
/// `got`, with their sender.
struct Server;

impl Component for Server {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        if message.is_request() {
            return Ok(Some([b"re:", &message.payload[..]].concat()));
        }
        storage::set(
            "got",
            format!("{} from {}", message.text()?, message.sender),
        )?;
        Ok(None)
    }
}

/// MSG-5 the other way round: a loaded component asks the component under
/// test, whose reply becomes the asker's callback.
#[test]
fn a_loaded_component_can_ask_the_component_under_test() {
    let host = TestHost::new();
    let asker = ComponentId::new("acme", "asker", "0");
    host.load_component::<Asker>(&asker);
    host.deliver_message_to(&asker, Message::new(echo(), "test/component/0"))
        .unwrap();

    assert_eq!(host.deliver_queued::<Server>().unwrap(), 1);

    assert_eq!(
        text(host.storage_of(&asker).get("callback")).as_deref(),
        Some("re:question from test/component/0")
    );
}

/// MSG-2: a component may send to itself; the message waits for delivery
/// and fills its own queue (MSG-9) until delivered.
#[test]
fn the_component_under_test_gets_what_it_sent_itself_when_delivered() {
    let host = TestHost::new();
    let me = messaging::self_id();
    for n in 0..1024 {
        messaging::send(&me, n.to_string()).unwrap();
    }
    assert_eq!(
        messaging::send(&me, "one more"),
        Err(MessagingError::QueueFull)
    );
    assert_eq!(host.deliver_queued::<Server>().unwrap(), 1024);
    assert_eq!(
        text(host.storage().get("got")).as_deref(),
        Some("1023 from test/component/0")
    );
    messaging::send(&me, "room again").unwrap();
}
