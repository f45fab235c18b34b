;; fuzz_guest.wat: the guest of fuzz_wbpf_host: each export passes its
;; arguments straight to one wasm_bpf import, so the fuzz target can call the
;; host functions with any arguments against a memory it filled.
(module
  (import "wasm_bpf" "wasm_load_bpf_object" (func $load (param i32 i32) (result i64)))
  (import "wasm_bpf" "wasm_attach_bpf_program" (func $attach (param i64 i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_buffer_poll"
    (func $poll (param i64 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_map_fd_by_name" (func $mapfd (param i64 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_map_operate"
    (func $mapop (param i32 i32 i32 i32 i32 i64) (result i32)))
  (import "wasm_bpf" "wasm_close_bpf_object" (func $close (param i64) (result i32)))
  (memory (export "memory") 1 2)
  (table 2 funcref)
  (elem (i32.const 0) $cb $bad)
  (func $cb (param i32 i32 i32) (result i32) (i32.const 0))
  (func $bad (param i32) (result i32) (local.get 0))
  (func (export "load") (param i32 i32) (result i64) (call $load (local.get 0) (local.get 1)))
  (func (export "attach") (param i64 i32 i32) (result i32)
    (call $attach (local.get 0) (local.get 1) (local.get 2)))
  (func (export "poll") (param i64 i32 i32 i32 i32 i32) (result i32)
    (call $poll (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5) (i32.const 0)))
  (func (export "mapfd") (param i64 i32) (result i32) (call $mapfd (local.get 0) (local.get 1)))
  (func (export "mapop") (param i32 i32 i32 i32 i32 i64) (result i32)
    (call $mapop (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5)))
  (func (export "close") (param i64) (result i32) (call $close (local.get 0))))
