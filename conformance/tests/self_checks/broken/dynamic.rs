//! Functions registered with `func_new`, wasmtime's dynamic registration (what
//! plugin hosts and language bridges use): the linker takes any type for
//! them, and wasmtime checks an answer's type only when it lowers it into the
//! component. On top of the reference registration (`allow_shadowing`), each
//! answers the contract's way or with another type on one branch.

use airssys_host::bindings::airssys::core::errors::StorageError;
use airssys_host::bindings::airssys::core::host_messaging::Host as _;
use airssys_host::bindings::airssys::core::host_services::Host as _;
use airssys_host::bindings::airssys::core::storage::Host as _;
use airssys_host::runtime::ComponentState;
use airssys_host::{AirssysView, register_host_functions};
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Val};

use airssys_conformance::contract::HostFn;
use airssys_reference_adapter::Registration;

type Store<'a> = StoreContextMut<'a, ComponentState>;

pub struct Dynamic {
    pub function: HostFn,
    /// How it answers in a few words, unique among `function`'s: its
    /// snapshot is `dynamic-<function>-<name>`.
    pub name: &'static str,
    pub what: &'static str,
    pub registration: Registration,
    pub answers: Answers,
}

/// What the function's answers show of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// The contract's type on every branch: no trial may fail.
    Typed,
    /// Another type on a branch: its signature trial must fail, and no
    /// other trial.
    Mistyped,
    /// A branch that fails for another reason: its signature is not judged
    /// (never passed), and only its own behaviour trials may fail.
    Unseen,
}

pub const DYNAMIC: &[Dynamic] = &[
    Dynamic {
        function: HostFn::Get,
        name: "typed",
        what: "func_new, answering the contract's type",
        registration: get_dynamic,
        answers: Answers::Typed,
    },
    Dynamic {
        function: HostFn::Get,
        name: "answers-text",
        what: "func_new, answering option<string> where option<list<u8>> is due",
        registration: get_answers_text,
        answers: Answers::Mistyped,
    },
    Dynamic {
        function: HostFn::Set,
        name: "errs-as-text",
        what: "func_new, answering err(string) where err(storage-error) is due",
        registration: set_errs_as_text,
        answers: Answers::Mistyped,
    },
    Dynamic {
        function: HostFn::SelfId,
        name: "id-as-text",
        what: "func_new, answering the id as a string",
        registration: self_id_as_text,
        answers: Answers::Mistyped,
    },
    Dynamic {
        function: HostFn::CurrentTimeMillis,
        name: "signed-millis",
        what: "func_new, answering s64 where u64 is due",
        registration: millis_signed,
        answers: Answers::Mistyped,
    },
    Dynamic {
        function: HostFn::Get,
        name: "fails-for-present-keys",
        what: "func_new, failing the call for a present key",
        registration: get_fails_for_present_keys,
        answers: Answers::Unseen,
    },
];

/// The reference registration, then `name` in `function`'s instance
/// registered again with `func_new`, answering as `answer` says.
fn reference_but(
    linker: &mut Linker<ComponentState>,
    function: HostFn,
    answer: impl Fn(&mut Store<'_>, &[Val]) -> wasmtime::Result<Val> + Send + Sync + 'static,
) -> wasmtime::Result<()> {
    register_host_functions(linker)?;
    linker.allow_shadowing(true);
    linker.instance(function.interface().instance())?.func_new(
        function.name(),
        move |mut store, _, params, results| {
            results[0] = answer(&mut store, params)?;
            Ok(())
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

fn text(params: &[Val], at: usize) -> String {
    match &params[at] {
        Val::String(text) => text.clone(),
        other => panic!("wasmtime lifted a {other:?} where the import has a string"),
    }
}

fn bytes(params: &[Val], at: usize) -> Vec<u8> {
    match &params[at] {
        Val::List(items) => items
            .iter()
            .map(|item| match item {
                Val::U8(byte) => *byte,
                other => panic!("wasmtime lifted a {other:?} in a list<u8>"),
            })
            .collect(),
        other => panic!("wasmtime lifted a {other:?} where the import has a list<u8>"),
    }
}

fn list_u8(bytes: Vec<u8>) -> Val {
    Val::List(bytes.into_iter().map(Val::U8).collect())
}

/// A `storage-error` as the WIT declares it.
fn storage_error(error: StorageError) -> Val {
    let (case, detail) = match error {
        StorageError::NotFound(detail) => ("not-found", Some(detail)),
        StorageError::AlreadyExists(detail) => ("already-exists", Some(detail)),
        StorageError::QuotaExceeded => ("quota-exceeded", None),
        StorageError::InvalidKey(detail) => ("invalid-key", Some(detail)),
        StorageError::IoError(detail) => ("io-error", Some(detail)),
    };
    Val::Variant(case.into(), detail.map(|d| Box::new(Val::String(d))))
}

fn result(answer: Result<Option<Val>, Val>) -> Val {
    Val::Result(
        answer
            .map(|ok| ok.map(Box::new))
            .map_err(|e| Some(Box::new(e))),
    )
}

/// `get`'s answer as the contract types it, `result<option<list<u8>>,
/// storage-error>`, with a stored value as `value` makes it.
fn get_answer(got: Result<Option<Vec<u8>>, StorageError>, value: fn(Vec<u8>) -> Val) -> Val {
    result(
        got.map(|stored| Some(Val::Option(stored.map(|v| Box::new(value(v))))))
            .map_err(storage_error),
    )
}

fn get_dynamic(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, HostFn::Get, |store, params| {
        let got = store.data_mut().airssys().get(text(params, 0));
        Ok(get_answer(got, list_u8))
    })
}

/// Right where it answers; a host error (the call traps) for a key that is
/// there, so the `some` branch is never seen.
fn get_fails_for_present_keys(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, HostFn::Get, |store, params| {
        let got = store.data_mut().airssys().get(text(params, 0));
        if matches!(got, Ok(Some(_))) {
            wasmtime::bail!("the disk is on fire");
        }
        Ok(get_answer(got, list_u8))
    })
}

/// A stored value as text: right for an absent key (`none`), wrong for a
/// present one.
fn get_answers_text(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, HostFn::Get, |store, params| {
        let got = store.data_mut().airssys().get(text(params, 0));
        Ok(get_answer(got, |v| {
            Val::String(String::from_utf8_lossy(&v).into())
        }))
    })
}

/// Right on `ok`; the error's words where the `storage-error` is due.
fn set_errs_as_text(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, HostFn::Set, |store, params| {
        let set = store
            .data_mut()
            .airssys()
            .set(text(params, 0), bytes(params, 1));
        Ok(result(
            set.map(|()| None)
                .map_err(|error| Val::String(format!("{error:?}"))),
        ))
    })
}

fn self_id_as_text(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, HostFn::SelfId, |store, _| {
        let id = store.data_mut().airssys().self_id();
        Ok(Val::String(format!(
            "{}/{}/{}",
            id.namespace, id.name, id.instance
        )))
    })
}

fn millis_signed(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, HostFn::CurrentTimeMillis, |store, _| {
        let millis = store.data_mut().airssys().current_time_millis();
        Ok(Val::S64(millis as i64))
    })
}
