//! The wire, as an adapter in another crate (or another language) sees it:
//! every message built with this crate's constructors is written byte for
//! byte as the crate wrote it before its types became non-exhaustive, and
//! older peers' lines read as before. Lines of protocol 1.4 (exact names)
//! are marked where they differ: `hello`'s `minor` and `supports`, the
//! `exact_names` check and the `by_semver` refusal.

use airssys_conformance_adapter::{
    About, AdapterError, Capabilities, ComponentId, Grant, Handler, Import, LogRecord, Message,
    Metadata, PROTOCOL_MINOR, PROTOCOL_VERSION, Request, Response, Supports, Unsatisfied,
};

fn id() -> ComponentId {
    ComponentId::new("n", "a", "1")
}

fn other() -> ComponentId {
    ComponentId::new("n", "b", "2")
}

/// Each request, and the line airssys-conformance-adapter 0.1.0 (ace4a05's
/// crate, protocol 1.3) wrote for it.
fn requests() -> Vec<(Request, &'static str)> {
    let capabilities = Capabilities::none()
        .with_storage_read(true)
        .with_storage_delete(true)
        .with_send(vec!["n/*/*".into()])
        .with_broadcast(vec!["*/b/1".into()]);
    vec![
        (Request::hello(), r#"{"op":"hello","protocol":1}"#),
        (
            Request::check("/tmp/x.wasm"),
            r#"{"op":"check","component":"/tmp/x.wasm"}"#,
        ),
        // Protocol 1.4.
        (
            Request::check_exact("/tmp/x.wasm"),
            r#"{"op":"check","component":"/tmp/x.wasm","exact_names":true}"#,
        ),
        (Request::reset(Vec::new()), r#"{"op":"reset","traps":[]}"#),
        (
            Request::reset(vec![Import::new("airssys:core/storage@1.0.0", "get")]),
            r#"{"op":"reset","traps":[{"instance":"airssys:core/storage@1.0.0","name":"get"}]}"#,
        ),
        (
            Request::load(id(), "/tmp/x.wasm", Grant::Everything, None),
            r#"{"op":"load","id":{"namespace":"n","name":"a","instance":"1"},"component":"/tmp/x.wasm","grant":"everything"}"#,
        ),
        (
            Request::load(id(), "/tmp/x.wasm", Grant::Nothing, Some(250)),
            r#"{"op":"load","id":{"namespace":"n","name":"a","instance":"1"},"component":"/tmp/x.wasm","grant":"nothing","budget_ms":250}"#,
        ),
        (
            Request::load(id(), "/tmp/x.wasm", Grant::Only(capabilities), None),
            r#"{"op":"load","id":{"namespace":"n","name":"a","instance":"1"},"component":"/tmp/x.wasm","grant":{"only":{"storage-read":true,"storage-write":false,"storage-delete":true,"send":["n/*/*"],"request":[],"broadcast":["*/b/1"]}}}"#,
        ),
        (
            Request::invoke(id(), Message::new(b"x".to_vec(), "text/plain")),
            r#"{"op":"invoke","id":{"namespace":"n","name":"a","instance":"1"},"payload":"eA==","content_type":"text/plain"}"#,
        ),
        (
            Request::invoke(
                id(),
                Message::new(b"hi".to_vec(), "t")
                    .from_sender(other())
                    .as_request("c-1", other()),
            ),
            r#"{"op":"invoke","id":{"namespace":"n","name":"a","instance":"1"},"payload":"aGk=","content_type":"t","sender":{"namespace":"n","name":"b","instance":"2"},"correlation_id":"c-1","reply_to":{"namespace":"n","name":"b","instance":"2"}}"#,
        ),
        (
            Request::invoke(
                id(),
                Message::new(Vec::new(), "application/vnd.airssys.timeout")
                    .with_correlation_id("c-1")
                    .to_export(Handler::HandleCallback),
            ),
            r#"{"op":"invoke","id":{"namespace":"n","name":"a","instance":"1"},"payload":"","content_type":"application/vnd.airssys.timeout","correlation_id":"c-1","export":"handle-callback"}"#,
        ),
        (
            Request::metadata(id()),
            r#"{"op":"metadata","id":{"namespace":"n","name":"a","instance":"1"}}"#,
        ),
        (
            Request::health(id()),
            r#"{"op":"health","id":{"namespace":"n","name":"a","instance":"1"}}"#,
        ),
        (Request::settle(1500), r#"{"op":"settle","limit_ms":1500}"#),
        (Request::Logs, r#"{"op":"logs"}"#),
        (
            Request::unload(id()),
            r#"{"op":"unload","id":{"namespace":"n","name":"a","instance":"1"}}"#,
        ),
        (Request::Restart, r#"{"op":"restart"}"#),
    ]
}

/// Each answer, and the line airssys-conformance-adapter 0.1.0 wrote for it.
fn responses() -> Vec<(Response, &'static str)> {
    let about = About::new("a", "0.1.0", "h 1", "24.0.4")
        .supporting(Supports::CHECK_ONLY.with_load(true).with_lifecycle(true));
    vec![
        (
            Response::hello(about),
            // Protocol 1.4: `minor` 4 and `exact_names` (0.1.0: 3, without it).
            r#"{"answer":"hello","protocol":1,"minor":4,"adapter":"a","version":"0.1.0","host":"h 1","wasmtime":"24.0.4","supports":{"load":true,"runtime":false,"traps":false,"grants":false,"lifecycle":true,"exact_names":false}}"#,
        ),
        (Response::Ok, r#"{"answer":"ok"}"#),
        (
            Response::reply(Some(b"re:x".to_vec())),
            r#"{"answer":"reply","payload":"cmU6eA=="}"#,
        ),
        (
            Response::reply(None),
            r#"{"answer":"reply","payload":null}"#,
        ),
        (
            Response::metadata(
                Metadata::new("counter", "1.0.0")
                    .with_texts("counts", "acme", "MIT")
                    .with_operations(vec!["count".into()], true),
            ),
            r#"{"answer":"metadata","name":"counter","version":"1.0.0","description":"counts","author":"acme","license":"MIT","supported_operations":["count"],"stateful":true}"#,
        ),
        (
            Response::health("healthy"),
            r#"{"answer":"health","status":"healthy"}"#,
        ),
        (
            Response::logs(vec![
                LogRecord::new(id(), "warn", "m").with_context(vec![("k".into(), "v".into())]),
            ]),
            r#"{"answer":"logs","records":[{"component":{"namespace":"n","name":"a","instance":"1"},"level":"warn","message":"m","context":[["k","v"]]}]}"#,
        ),
        (
            Response::refused("no"),
            r#"{"answer":"refused","reason":"no"}"#,
        ),
        (
            AdapterError::msg("no")
                .with_missing("airssys:core/storage@1.0.0#get")
                .with_other_type("self-id")
                .into(),
            r#"{"answer":"refused","reason":"no","unsatisfied":{"missing":["airssys:core/storage@1.0.0#get"],"other_type":["self-id"]}}"#,
        ),
        // Protocol 1.4.
        (
            AdapterError::msg("only by semver")
                .with_by_semver(
                    "airssys:core/storage@1.0.0#get",
                    Some("airssys:core/storage@1.1.0".into()),
                )
                .with_by_semver("airssys:core/storage@1.0.0#set", None)
                .into(),
            r#"{"answer":"refused","reason":"only by semver","unsatisfied":{"by_semver":[{"import":"airssys:core/storage@1.0.0#get","registered":"airssys:core/storage@1.1.0"},{"import":"airssys:core/storage@1.0.0#set"}]}}"#,
        ),
        (
            Response::export_err(Handler::HandleMessage, "x"),
            r#"{"answer":"refused","reason":"handle-message returned x","err":"x"}"#,
        ),
        (
            Response::unsupported("r"),
            r#"{"answer":"unsupported","reason":"r"}"#,
        ),
        (Response::error("m"), r#"{"answer":"error","message":"m"}"#),
    ]
}

#[test]
fn every_request_is_written_as_before_and_read_back_whole() {
    for (request, line) in requests() {
        assert_eq!(serde_json::to_string(&request).unwrap(), line);
        assert_eq!(serde_json::from_str::<Request>(line).unwrap(), request);
        assert!(line.starts_with(&format!(r#"{{"op":"{}""#, request.op())));
    }
}

#[test]
fn every_answer_is_written_as_before_and_read_back_whole() {
    for (response, line) in responses() {
        assert_eq!(serde_json::to_string(&response).unwrap(), line);
        assert_eq!(serde_json::from_str::<Response>(line).unwrap(), response);
        assert!(line.starts_with(&format!(r#"{{"answer":"{}""#, response.answer())));
    }
}

/// The golden lines name all 11 operations and 9 answers of protocol 1.4
/// (what `Request::op` and `Response::answer` list); one a later minor adds
/// gets its line here, and these counts change with it.
#[test]
fn the_golden_lines_cover_every_operation_and_answer() {
    let ops: std::collections::BTreeSet<_> = requests().iter().map(|(r, _)| r.op()).collect();
    let answers: std::collections::BTreeSet<_> =
        responses().iter().map(|(r, _)| r.answer()).collect();
    assert_eq!(ops.len(), 11, "{ops:?}");
    assert_eq!(answers.len(), 9, "{answers:?}");
}

/// Protocol minors only add: a 1.0 adapter's lines read as before.
#[test]
fn lines_of_older_peers_read_as_before() {
    let old_refusal: Response =
        serde_json::from_str(r#"{"answer":"refused","reason":"no"}"#).unwrap();
    assert_eq!(old_refusal, Response::refused("no"));
    let old_hello: Response = serde_json::from_str(
        r#"{"answer":"hello","protocol":1,"adapter":"a","version":"1","host":"h","wasmtime":"24.0.4","supports":{"load":false,"runtime":false,"traps":false,"grants":false}}"#,
    )
    .unwrap();
    assert_eq!(
        old_hello,
        Response::hello_speaking(1, 0, About::new("a", "1", "h", "24.0.4"))
    );
    // A 1.3 adapter's `supports`, without `exact_names`: false.
    let hello_1_3: Response = serde_json::from_str(
        r#"{"answer":"hello","protocol":1,"minor":3,"adapter":"a","version":"1","host":"h","wasmtime":"24.0.4","supports":{"load":true,"runtime":false,"traps":false,"grants":false,"lifecycle":true}}"#,
    )
    .unwrap();
    let Response::Hello { about, .. } = hello_1_3 else {
        panic!("hello");
    };
    assert!(!about.supports.exact_names && about.supports.lifecycle);
    let reset: Request = serde_json::from_str(r#"{"op":"reset"}"#).unwrap();
    assert_eq!(reset, Request::reset(Vec::new()));
    let old_invoke: Request = serde_json::from_str(
        r#"{"op":"invoke","id":{"namespace":"n","name":"a","instance":"1"},"payload":"AP8=","content_type":"t"}"#,
    )
    .unwrap();
    assert_eq!(
        old_invoke,
        Request::invoke(id(), Message::new(vec![0, 0xff], "t"))
    );
    assert!(!Message::new(Vec::new(), "t").needs_lifecycle());
    let callback = Message::new(Vec::new(), "t").to_export(Handler::HandleCallback);
    assert!(callback.needs_lifecycle());
    let hello = Response::hello(About::new("a", "1", "h", "24.0.4"));
    assert!(
        matches!(hello, Response::Hello { protocol, minor, .. } if (protocol, minor) == (PROTOCOL_VERSION, PROTOCOL_MINOR))
    );
    let full_name = Unsatisfied::full_name(Some("airssys:core/storage@1.0.0"), "get");
    assert_eq!(full_name, "airssys:core/storage@1.0.0#get");
}
