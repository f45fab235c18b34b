;; state.wat: the module of state_test.c: every way a Wasm program writes its
;; linear memory (stores of each width, the fused add+store form, memory.fill,
;; memory.copy, memory.init, memory.grow, a host function writing through
;; wasm_exec_mem_ptr), for dirty-page tracking; and direct and indirect
;; calls whose frames the restore path must check.
(module
  (import "env" "poke" (func $poke (param i32 i32)))
  (type $i_i (func (param i32) (result i32)))
  (type $j_j (func (param i64) (result i64)))
  (memory (export "mem") 4 8)
  (data $passive "abcdef")
  (table 3 funcref)
  (elem (i32.const 0) $inc $dbl $wide)
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store16_off") (param i32 i32) (i32.store16 offset=65536 (local.get 0) (local.get 1)))
  (func (export "store_add") (param i32 i32 i32)
    (i32.store (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "fill") (param i32 i32 i32)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32)
    (memory.init $passive (local.get 0) (local.get 1) (local.get 2)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "host_poke") (param i32 i32) (call $poke (local.get 0) (local.get 1)))
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $wide (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  ;; 4 + inc(x): a direct call to $inc (function 12)
  (func (export "caller") (param i32) (result i32)
    (i32.add (i32.const 4) (call $inc (local.get 0))))
  ;; 4 + table[t](x) through the type (i32) -> i32
  (func (export "icaller") (param i32 i32) (result i32)
    (i32.add (i32.const 4) (call_indirect (type $i_i) (local.get 0) (local.get 1))))
  ;; calls the host import: a frame at a call to re-issue
  (func (export "hcaller") (param i32) (result i32)
    (call $poke (local.get 0) (i32.const 7))
    (i32.load8_u (local.get 0)))
)
