//! The memory of a whole component, not of each linear memory: wasmtime's
//! `StoreLimits` bounds every memory and table on its own, so a component
//! with several memories, or with tables, could hold a multiple of its
//! `max-memory-bytes` (SEC-2.2).

use wasmtime::ResourceLimiter;

/// Wasmtime keeps a pointer's worth of space per table element.
const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

/// Counts every linear memory and table of one store against one budget.
#[derive(Debug)]
pub struct ComponentLimiter {
    budget: usize,
    used: usize,
    /// Granted by the last `*_growing`, taken back if the growth then failed.
    pending: usize,
    core_instances: usize,
}

impl ComponentLimiter {
    /// `budget` bytes for all memories and tables together; at most
    /// `core_instances` core instances, and as many tables and memories.
    pub fn new(budget: usize, core_instances: usize) -> Self {
        Self {
            budget,
            used: 0,
            pending: 0,
            core_instances,
        }
    }

    /// No bound: for a store an embedder sets up without a [`Runtime`](super::Runtime).
    pub fn unbounded() -> Self {
        Self::new(usize::MAX, 10_000)
    }

    fn grow(&mut self, more: usize) -> bool {
        match self.used.checked_add(more) {
            Some(total) if total <= self.budget => {
                self.used = total;
                self.pending = more;
                true
            }
            _ => {
                self.pending = 0;
                false
            }
        }
    }

    fn growth_failed(&mut self) {
        self.used -= std::mem::take(&mut self.pending);
    }
}

impl ResourceLimiter for ComponentLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(desired.saturating_sub(current)))
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.growth_failed();
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let more = desired.saturating_sub(current);
        Ok(self.grow(more.saturating_mul(TABLE_ELEMENT_BYTES)))
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.growth_failed();
        Ok(())
    }

    fn instances(&self) -> usize {
        self.core_instances
    }

    fn tables(&self) -> usize {
        self.core_instances
    }

    fn memories(&self) -> usize {
        self.core_instances
    }
}

#[cfg(test)]
mod tests {
    use wasmtime::{Engine, Instance, Module, Store};

    use super::*;

    const PAGE: usize = 64 * 1024;

    /// Two memories and a table, each grown by an export that returns what
    /// `memory.grow` / `table.grow` returned (-1 when refused).
    const TWO_MEMORIES: &str = r#"
        (module
          (memory $a 1)
          (memory $b 1)
          (table $t 0 funcref)
          (func (export "grow-a") (param i32) (result i32) (memory.grow $a (local.get 0)))
          (func (export "grow-b") (param i32) (result i32) (memory.grow $b (local.get 0)))
          (func (export "grow-t") (param i32) (result i32)
            (table.grow $t (ref.null func) (local.get 0))))
    "#;

    fn store(budget: usize) -> (Store<ComponentLimiter>, Instance) {
        let engine = Engine::default();
        let module = Module::new(&engine, wat::parse_str(TWO_MEMORIES).unwrap()).unwrap();
        let mut store = Store::new(&engine, ComponentLimiter::new(budget, 10));
        store.limiter(|limiter| limiter);
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        (store, instance)
    }

    fn grow(store: &mut Store<ComponentLimiter>, instance: &Instance, export: &str, n: i32) -> i32 {
        let grow = instance
            .get_typed_func::<i32, i32>(&mut *store, export)
            .unwrap();
        grow.call(&mut *store, n).unwrap()
    }

    #[test]
    fn all_memories_share_one_budget() {
        let (mut store, instance) = store(10 * PAGE);
        assert_eq!(
            grow(&mut store, &instance, "grow-a", 6),
            1,
            "a: 1 → 7 pages"
        );
        assert_eq!(
            grow(&mut store, &instance, "grow-b", 3),
            -1,
            "b would make 11"
        );
        assert_eq!(
            grow(&mut store, &instance, "grow-b", 2),
            1,
            "b: 1 → 3, 10 in all"
        );
        assert_eq!(store.data().used, 10 * PAGE);
    }

    #[test]
    fn table_elements_count_against_the_same_budget() {
        let (mut store, instance) = store(2 * PAGE + 100 * TABLE_ELEMENT_BYTES);
        assert_eq!(grow(&mut store, &instance, "grow-t", 100), 0);
        assert_eq!(grow(&mut store, &instance, "grow-t", 1), -1);
    }

    #[test]
    fn a_growth_that_fails_after_it_was_granted_is_given_back() {
        let mut limiter = ComponentLimiter::new(10, 1);
        assert!(limiter.grow(8));
        limiter.growth_failed();
        assert!(limiter.grow(10));
    }

    #[test]
    fn instances_past_the_bound_are_refused() {
        let engine = Engine::default();
        let module = Module::new(&engine, wat::parse_str("(module)").unwrap()).unwrap();
        let mut store = Store::new(&engine, ComponentLimiter::new(PAGE, 2));
        store.limiter(|limiter| limiter);
        Instance::new(&mut store, &module, &[]).unwrap();
        Instance::new(&mut store, &module, &[]).unwrap();
        let refused = Instance::new(&mut store, &module, &[]).unwrap_err();
        assert!(format!("{refused:#}").contains("instance"), "{refused:#}");
    }
}
