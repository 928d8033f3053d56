;; A component that imports `get-many` from `storage@1.1.0` and exports it
;; as its own `get-many`, lowered and lifted through its memory: what a
;; guest's call of it goes through (tests/clauses/versions.rs,
;; tests/hostile/main.rs).
(component
  (type $storage-error' (variant
    (case "not-found" string) (case "already-exists" string) (case "quota-exceeded")
    (case "invalid-key" string) (case "io-error" string)))
  (import "airssys:core/storage@1.1.0" (instance $storage
    (type $e' (variant
      (case "not-found" string) (case "already-exists" string) (case "quota-exceeded")
      (case "invalid-key" string) (case "io-error" string)))
    (export "storage-error" (type $e (eq $e')))
    (export "get-many" (func (param "keys" (list string))
      (result (result (list (option (list u8))) (error $e)))))))
  (core module $libc
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
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
      (local.get $at)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (core func $get-many (canon lower (func $storage "get-many") (memory $mem) (realloc $realloc)))
  (core module $main
    (import "storage" "get-many" (func $get-many (param i32 i32 i32)))
    ;; The answer's 16 bytes at 16, below the allocator's first block.
    (func (export "get-many") (param i32 i32) (result i32)
      (call $get-many (local.get 0) (local.get 1) (i32.const 16))
      (i32.const 16)))
  (core instance $main (instantiate $main
    (with "storage" (instance (export "get-many" (func $get-many))))))
  (export $storage-error "storage-error" (type $storage-error'))
  (func (export "get-many") (param "keys" (list string))
    (result (result (list (option (list u8))) (error $storage-error)))
    (canon lift (core func $main "get-many") (memory $mem) (realloc $realloc)))
)
