//! The 17 host functions registered by hand with `func_wrap`, as a host
//! without bindgen does, delegating to the reference implementation. With no
//! [`Mistakes`] it must conform exactly as the bindgen registration does; each
//! mistake is one a hand-written registration makes.

use airssys_host::AirssysView;
use airssys_host::bindings::airssys::core::host_messaging::Host as _;
use airssys_host::bindings::airssys::core::host_services::Host as Services;
use airssys_host::bindings::airssys::core::storage::Host as Storage;
use airssys_host::bindings::airssys::core::types::{ComponentId, LogLevel};
use airssys_host::runtime::ComponentState;
use wasmtime::StoreContextMut;
use wasmtime::component::{ComponentNamedList, Lift, Linker, LinkerInstance, Lower};

type Store<'a> = StoreContextMut<'a, ComponentState>;

#[derive(Clone, Copy)]
pub struct Mistakes {
    /// The instance name given to an interface, from its bare name.
    pub instance: fn(&str) -> String,
    /// `Ok(())` for functions that return `result<_, E>`: no result at all.
    pub unit_results: bool,
    /// A function not registered at all.
    pub left_out: Option<&'static str>,
    /// `list-keys(prefix: string)`, `self-id() -> string` and
    /// `current-time-millis() -> u32`: one wrong type per interface.
    pub wrong_types: bool,
}

pub const NONE: Mistakes = Mistakes {
    instance: qualified,
    unit_results: false,
    left_out: None,
    wrong_types: false,
};

pub fn qualified(interface: &str) -> String {
    format!("airssys:core/{interface}@1.0.0")
}

pub fn bare(interface: &str) -> String {
    interface.to_string()
}

pub fn register(linker: &mut Linker<ComponentState>, mistakes: Mistakes) -> wasmtime::Result<()> {
    let mut storage = linker.instance(&(mistakes.instance)("storage"))?;
    storage_functions(&mut storage, mistakes)?;
    let mut messaging = linker.instance(&(mistakes.instance)("host-messaging"))?;
    messaging_functions(&mut messaging, mistakes)?;
    let mut services = linker.instance(&(mistakes.instance)("host-services"))?;
    services_functions(&mut services, mistakes)
}

/// `func_wrap`, unless `name` is the function left out.
fn define<P, R>(
    instance: &mut LinkerInstance<'_, ComponentState>,
    mistakes: Mistakes,
    name: &str,
    function: impl Fn(Store<'_>, P) -> wasmtime::Result<R> + Send + Sync + 'static,
) -> wasmtime::Result<()>
where
    P: ComponentNamedList + Lift + 'static,
    R: ComponentNamedList + Lower + 'static,
{
    if mistakes.left_out == Some(name) {
        return Ok(());
    }
    instance.func_wrap(name, function)
}

fn storage_functions(
    i: &mut LinkerInstance<'_, ComponentState>,
    m: Mistakes,
) -> wasmtime::Result<()> {
    define(i, m, "get", |mut s: Store, (key,): (String,)| {
        Ok((s.data_mut().airssys().get(key),))
    })?;
    if m.unit_results {
        define(
            i,
            m,
            "set",
            |mut s: Store, (key, value): (String, Vec<u8>)| {
                let _ = s.data_mut().airssys().set(key, value);
                Ok(())
            },
        )?;
        define(i, m, "delete", |mut s: Store, (key,): (String,)| {
            let _ = s.data_mut().airssys().delete(key);
            Ok(())
        })?;
    } else {
        define(
            i,
            m,
            "set",
            |mut s: Store, (key, value): (String, Vec<u8>)| {
                Ok((s.data_mut().airssys().set(key, value),))
            },
        )?;
        define(i, m, "delete", |mut s: Store, (key,): (String,)| {
            Ok((s.data_mut().airssys().delete(key),))
        })?;
    }
    define(i, m, "exists", |mut s: Store, (key,): (String,)| {
        Ok((s.data_mut().airssys().exists(key),))
    })?;
    if m.wrong_types {
        define(i, m, "list-keys", |mut s: Store, (prefix,): (String,)| {
            Ok((s.data_mut().airssys().list_keys(Some(prefix)),))
        })?;
    } else {
        define(
            i,
            m,
            "list-keys",
            |mut s: Store, (prefix,): (Option<String>,)| {
                Ok((s.data_mut().airssys().list_keys(prefix),))
            },
        )?;
    }
    define(i, m, "usage", |mut s: Store, (): ()| {
        Ok((Storage::usage(s.data_mut().airssys()),))
    })
}

fn messaging_functions(
    i: &mut LinkerInstance<'_, ComponentState>,
    m: Mistakes,
) -> wasmtime::Result<()> {
    type Target = (ComponentId, Vec<u8>);
    if m.unit_results {
        define(i, m, "send", |mut s: Store, (target, payload): Target| {
            let _ = s.data_mut().airssys().send(target, payload);
            Ok(())
        })?;
        define(i, m, "cancel-request", |mut s: Store, (id,): (String,)| {
            let _ = s.data_mut().airssys().cancel_request(id);
            Ok(())
        })?;
        define(
            i,
            m,
            "broadcast",
            |mut s: Store, (targets, payload): (Vec<ComponentId>, Vec<u8>)| {
                let _ = s.data_mut().airssys().broadcast(targets, payload);
                Ok(())
            },
        )?;
    } else {
        define(i, m, "send", |mut s: Store, (target, payload): Target| {
            Ok((s.data_mut().airssys().send(target, payload),))
        })?;
        define(i, m, "cancel-request", |mut s: Store, (id,): (String,)| {
            Ok((s.data_mut().airssys().cancel_request(id),))
        })?;
        define(
            i,
            m,
            "broadcast",
            |mut s: Store, (targets, payload): (Vec<ComponentId>, Vec<u8>)| {
                Ok((s.data_mut().airssys().broadcast(targets, payload),))
            },
        )?;
    }
    define(
        i,
        m,
        "request",
        |mut s: Store, (target, payload, timeout): (ComponentId, Vec<u8>, u64)| {
            Ok((s.data_mut().airssys().request(target, payload, timeout),))
        },
    )?;
    if m.wrong_types {
        define(i, m, "self-id", |mut s: Store, (): ()| {
            Ok((s.data_mut().airssys().self_id().to_string(),))
        })
    } else {
        define(i, m, "self-id", |mut s: Store, (): ()| {
            Ok((s.data_mut().airssys().self_id(),))
        })
    }
}

fn services_functions(
    i: &mut LinkerInstance<'_, ComponentState>,
    m: Mistakes,
) -> wasmtime::Result<()> {
    type LogArgs = (LogLevel, String, Option<Vec<(String, String)>>);
    define(
        i,
        m,
        "log",
        |mut s: Store, (level, message, context): LogArgs| {
            s.data_mut().airssys().log(level, message, context);
            Ok(())
        },
    )?;
    define(i, m, "current-time", |mut s: Store, (): ()| {
        Ok((s.data_mut().airssys().current_time(),))
    })?;
    if m.wrong_types {
        define(i, m, "current-time-millis", |mut s: Store, (): ()| {
            Ok((s.data_mut().airssys().current_time_millis() as u32,))
        })?;
    } else {
        define(i, m, "current-time-millis", |mut s: Store, (): ()| {
            Ok((s.data_mut().airssys().current_time_millis(),))
        })?;
    }
    define(i, m, "sleep-millis", |mut s: Store, (ms,): (u64,)| {
        Services::sleep_millis(s.data_mut().airssys(), ms)
    })?;
    define(i, m, "list-components", |mut s: Store, (): ()| {
        Ok((s.data_mut().airssys().list_components(),))
    })?;
    define(
        i,
        m,
        "get-component-metadata",
        |mut s: Store, (id,): (ComponentId,)| {
            Ok((s.data_mut().airssys().get_component_metadata(id),))
        },
    )
}
