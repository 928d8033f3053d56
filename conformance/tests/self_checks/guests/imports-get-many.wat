;; A component of `airssys:core@1.1.0`: `guests/lifecycle.wat` (the
;; lifecycle exports, a WASI clock) that also imports `get` and `get-many`
;; from `airssys:core/storage@1.1.0`. A host that serves only 1.0.0 links its
;; `storage` import by semver and lacks `get-many`; judged with the 1.0.0
;; contract, `get-many` is not the contract's. `guests_across_versions`
;; checks that it stays `lifecycle.wat` with this import.
(component
  ;; What a component built against `airssys:core@1.1.0` imports to read many
  ;; keys at once: `get-many`, which 1.1.0 added, beside 1.0.0's `get`.
  (import "airssys:core/storage@1.1.0" (instance
    (type $def-storage-error (variant (case "not-found" string) (case "already-exists" string)
      (case "quota-exceeded") (case "invalid-key" string) (case "io-error" string)))
    (export "storage-error" (type $storage-error (eq $def-storage-error)))
    (export "get" (func (param "key" string)
      (result (result (option (list u8)) (error $storage-error)))))
    (export "get-many" (func (param "keys" (list string))
      (result (result (list (option (list u8))) (error $storage-error)))))
  ))
  ;; One WASI import, as components built with std have: the reference host's
  ;; linker judges it (its row's signature trial).
  (import "wasi:clocks/monotonic-clock@0.2.6" (instance (export "now" (func (result u64)))))
  (core module $m
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 65536))
    ;; `metadata`'s record at 1024: name "wat-good" (2048), version "1.0.0"
    ;; (2056), every other field empty. Results at 512 are all zeroes: `ok`.
    (data (i32.const 1024) "\00\08\00\00\08\00\00\00\08\08\00\00\05\00\00\00")
    (data (i32.const 2048) "wat-good")
    (data (i32.const 2056) "1.0.0")
    ;; A bump allocator, reset by each export once its arguments are read.
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32) (local $end i32)
      (local.set $at (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (local.set $end (i32.add (local.get $at) (local.get 3)))
      (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
        (then (if (i32.eq (memory.grow
              (i32.shr_u (i32.add (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65535)) (i32.const 16)))
              (i32.const -1)) (then unreachable))))
      (global.set $bump (local.get $end))
      (local.get $at))
    (func (export "initialize") (param i32 i32 i32 i32 i32 i64 i64 i32 i64) (result i32)
      (global.set $bump (i32.const 65536)) (i32.const 512))
    ;; The message is at the pointer; its payload's length at offset 28.
    (func (export "handle-message") (param $message i32) (result i32)
      (global.set $bump (i32.const 65536)) (i32.const 512))
    (func (export "handle-callback") (param i32) (result i32)
      (global.set $bump (i32.const 65536)) (i32.const 512))
    (func (export "metadata") (result i32) (i32.const 1024))
    (func (export "health") (result i32) (i32.const 0))
    (func (export "shutdown") (result i32) (i32.const 512))
  )
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (type $component-id' (record (field "namespace" string) (field "name" string) (field "instance" string)))
  (export $component-id "component-id" (type $component-id'))
  (type $timestamp' (record (field "seconds" u64) (field "nanoseconds" u32)))
  (export $timestamp "timestamp" (type $timestamp'))
  (type $message-metadata' (record
    (field "correlation-id" (option string))
    (field "reply-to" (option $component-id))
    (field "timestamp" $timestamp)
    (field "content-type" (option string))))
  (export $message-metadata "message-metadata" (type $message-metadata'))
  (type $component-message' (record (field "sender" $component-id) (field "payload" (list u8)) (field "metadata" $message-metadata)))
  (export $component-message "component-message" (type $component-message'))
  (type $resource-limits' (record (field "max-memory-bytes" u64) (field "max-execution-time-ms" u64) (field "max-fuel" (option u64))))
  (export $resource-limits "resource-limits" (type $resource-limits'))
  (type $component-config' (record
    (field "env-vars" (list (tuple string string)))
    (field "config-data" (option (list u8)))
    (field "resource-limits" $resource-limits)))
  (export $component-config "component-config" (type $component-config'))
  (type $health-status' (enum "healthy" "degraded" "unhealthy" "unknown"))
  (export $health-status "health-status" (type $health-status'))
  (type $wasm-error' (variant
    (case "component-not-found" string) (case "instantiation-failed" string) (case "export-not-found" string)
    (case "timeout") (case "resource-limit-exceeded" string) (case "invalid-component" string) (case "runtime-error" string)))
  (export $wasm-error "wasm-error" (type $wasm-error'))
  (type $component-error' (variant
    (case "initialization-failed" string) (case "already-initialized") (case "not-initialized")
    (case "shutdown-failed" string) (case "invalid-state" string)))
  (export $component-error "component-error" (type $component-error'))
  (type $component-metadata' (record
    (field "name" string) (field "version" string) (field "description" string) (field "author" string)
    (field "license" string) (field "supported-operations" (list string)) (field "stateful" bool)))
  (export $component-metadata "component-metadata" (type $component-metadata'))
  (func $initialize (param "config" $component-config) (result (result (error $component-error)))
    (canon lift (core func $i "initialize") (memory $mem) (realloc $realloc)))
  (func $handle-message (param "msg" $component-message) (result (result (option (list u8)) (error $wasm-error)))
    (canon lift (core func $i "handle-message") (memory $mem) (realloc $realloc)))
  (func $handle-callback (param "msg" $component-message) (result (result (error $wasm-error)))
    (canon lift (core func $i "handle-callback") (memory $mem) (realloc $realloc)))
  (func $metadata (result $component-metadata) (canon lift (core func $i "metadata") (memory $mem) (realloc $realloc)))
  (func $health (result $health-status) (canon lift (core func $i "health")))
  (func $shutdown (result (result (error $component-error))) (canon lift (core func $i "shutdown") (memory $mem) (realloc $realloc)))
  (instance $lifecycle
    (export "initialize" (func $initialize))
    (export "handle-message" (func $handle-message))
    (export "handle-callback" (func $handle-callback))
    (export "metadata" (func $metadata))
    (export "health" (func $health))
    (export "shutdown" (func $shutdown)))
  (export "airssys:core/component-lifecycle@1.0.0" (instance $lifecycle))
)
