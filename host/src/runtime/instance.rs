//! One loaded component: its store, its exports, and calls into it within its
//! resource limits. A trap ends the call and retires the instance (SEC-2).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Weak};
use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limiter::ComponentLimiter;
use crate::bindings::RuntimeHost;
use crate::bindings::airssys::core::types::{ComponentHandle, ComponentId, HealthStatus};
use crate::bindings::exports::airssys::core::component_lifecycle::Guest;
use crate::component_id::SharedId;
use crate::ctx::AirssysCtx;
use crate::registry::HealthSource;
use crate::view::AirssysView;

/// The store data of a component the [`Runtime`](super::Runtime) loaded.
pub struct ComponentState {
    pub(crate) airssys: AirssysCtx,
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limits: ComponentLimiter,
}

impl ComponentState {
    /// Store data for a component run outside a [`Runtime`](super::Runtime):
    /// WASI with stderr inherited, no memory limit.
    pub fn new(airssys: AirssysCtx) -> Self {
        Self {
            airssys,
            wasi: WasiCtx::builder().inherit_stderr().build(),
            table: ResourceTable::new(),
            limits: ComponentLimiter::unbounded(),
        }
    }
}

impl AirssysView for ComponentState {
    fn airssys(&mut self) -> &mut AirssysCtx {
        &mut self.airssys
    }
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Why a call into a component did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// No component with this id is loaded.
    #[error("no component `{0}` is loaded")]
    NotLoaded(ComponentId),
    /// The call trapped: a guest fault, a host bound (SEC-2.4), or its
    /// execution budget, health budget or fuel ran out. The component is
    /// retired (SEC-2.3).
    #[error("component `{id}` trapped in {export}: {reason}")]
    Trapped {
        /// The component called.
        id: ComponentId,
        /// The export called, by its WIT name, e.g. `"handle-message"`.
        export: &'static str,
        /// What ended the call, in words (e.g. the budget it ran past).
        reason: String,
    },
    /// The component trapped in an earlier call and is not entered again (SEC-2.3).
    #[error("component `{0}` trapped earlier and cannot be entered again; unload and load it anew")]
    Retired(ComponentId),
}

pub(crate) struct LoadedComponent {
    pub id: SharedId,
    pub handle: ComponentHandle,
    store: Mutex<Store<ComponentState>>,
    exports: RuntimeHost,
    budget_ms: u128,
    /// Fuel per call, when fuel is metered.
    fuel: Option<u64>,
    retired: AtomicBool,
}

pub(crate) struct CallBudget {
    pub millis: u128,
    pub fuel: Option<u64>,
}

/// Ends a call once its execution budget has passed. Checked at every epoch
/// tick, against the wall clock, so several tickers on one engine only make
/// the check more frequent, never the budget shorter.
pub(crate) fn enforce_budget(store: &mut Store<ComponentState>) {
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|context| {
        if context.data().airssys.remaining_budget().is_zero() {
            Err(Trap::Interrupt.into())
        } else {
            Ok(UpdateDeadline::Continue(1))
        }
    });
}

impl LoadedComponent {
    pub fn new(
        id: SharedId,
        handle: ComponentHandle,
        store: Store<ComponentState>,
        exports: RuntimeHost,
        budget: CallBudget,
    ) -> Self {
        Self {
            id,
            handle,
            store: Mutex::new(store),
            exports,
            budget_ms: budget.millis,
            fuel: budget.fuel,
            retired: AtomicBool::new(false),
        }
    }

    /// Calls `export` through `f`, waiting for any call already running in this component.
    pub fn call<R>(
        &self,
        export: &'static str,
        f: impl FnOnce(&mut Store<ComponentState>, &Guest) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        self.enter(&mut store, export, f)
    }

    /// Like [`call`](Self::call), but `None` instead of waiting when the
    /// component is busy, and for at most `limit` of its budget.
    pub fn try_call_within<R>(
        &self,
        export: &'static str,
        limit: Duration,
        f: impl FnOnce(&mut Store<ComponentState>, &Guest) -> wasmtime::Result<R>,
    ) -> Option<Result<R, CallError>> {
        let mut store = self.store.try_lock().ok()?;
        Some(self.enter_within(&mut store, export, Some(limit), f))
    }

    pub fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Relaxed)
    }

    fn enter<R>(
        &self,
        store: &mut MutexGuard<'_, Store<ComponentState>>,
        export: &'static str,
        f: impl FnOnce(&mut Store<ComponentState>, &Guest) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        self.enter_within(store, export, None, f)
    }

    /// Calls `export` under the component's budget, or `limit` if shorter.
    fn enter_within<R>(
        &self,
        store: &mut MutexGuard<'_, Store<ComponentState>>,
        export: &'static str,
        limit: Option<Duration>,
        f: impl FnOnce(&mut Store<ComponentState>, &Guest) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        if self.is_retired() {
            return Err(CallError::Retired(ComponentId::clone(&self.id)));
        }
        store.set_epoch_deadline(1);
        if let Some(fuel) = self.fuel {
            store
                .set_fuel(fuel)
                .expect("fuel is metered when a fuel budget is set");
        }
        let shortened = limit.filter(|limit| limit.as_millis() < self.budget_ms);
        match shortened {
            Some(limit) => store.data_mut().airssys.begin_call_within(limit),
            None => store.data_mut().airssys.begin_call(),
        }
        let guest = self.exports.airssys_core_component_lifecycle();
        f(store, guest).map_err(|error| {
            self.retired.store(true, Ordering::Relaxed);
            let reason = self.describe_trap(&error, shortened);
            tracing::warn!(component = %self.id, export, "{reason:?}");
            CallError::Trapped {
                id: ComponentId::clone(&self.id),
                export,
                reason,
            }
        })
    }

    fn describe_trap(&self, error: &wasmtime::Error, shortened: Option<Duration>) -> String {
        match (error.downcast_ref::<Trap>(), shortened) {
            (Some(Trap::Interrupt), Some(limit)) => format!(
                "ran past the {} ms another component's question may take \
                 (HostConfig::health_budget, SVC-6.2)",
                limit.as_millis()
            ),
            (Some(Trap::Interrupt), None) => format!(
                "exceeded its execution budget of {} ms (max-execution-time)",
                self.budget_ms
            ),
            (Some(Trap::OutOfFuel), _) => "ran out of fuel (max-fuel)".into(),
            // wasmtime's text opens with "error while executing at wasm
            // backtrace:"; the cause, which says what happened, comes first.
            (_, _) => {
                let full = format!("{error:#}");
                let cause = error.root_cause().to_string();
                if full.starts_with(&cause) {
                    full
                } else {
                    format!("{cause}\n{full}")
                }
            }
        }
    }
}

/// Reads health through a weak link, so the registry does not keep an
/// unloaded component alive, and runs it for at most `budget` (SVC-6.2).
pub(crate) struct HealthProbe {
    pub component: Weak<LoadedComponent>,
    pub budget: Duration,
}

thread_local! {
    /// Set while this thread runs a `health` export for another component's
    /// question: a question asked from inside it gets the last answer, so
    /// that a chain of components cannot add up their health budgets.
    static ASKING: Cell<bool> = const { Cell::new(false) };
}

impl HealthSource for HealthProbe {
    fn current_health(&self) -> Option<HealthStatus> {
        let component = self.component.upgrade()?;
        if component.is_retired() {
            return Some(HealthStatus::Unhealthy);
        }
        if ASKING.get() {
            return None;
        }
        /// Clears the flag however the call ends, a panic included.
        struct Asking;
        impl Drop for Asking {
            fn drop(&mut self) {
                ASKING.set(false);
            }
        }
        ASKING.set(true);
        let asking = Asking;
        let answer = component.try_call_within("health", self.budget, |store, guest| {
            guest.call_health(store)
        });
        drop(asking);
        match answer? {
            Ok(health) => Some(health),
            Err(_) => Some(HealthStatus::Unhealthy),
        }
    }
}
