;; forward.wat: a function for each of 22 forwarding pairs (wasm/src/ops.h,
;; WASM_FWDS): an operation whose result the next one reads at once, which
;; the interpreter passes in a register. wasm/tests/forward_test.c checks
;; each result against C and that the pair was formed.
(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 4096))
  ;; words 0..7 at 64: 10, 20, ..., 80 (and 64 at 60); pointers 128 -> 132 -> 136 -> 77
  (data (i32.const 60) "\40\00\00\00")
  (data (i32.const 64) "\0a\00\00\00\14\00\00\00\1e\00\00\00\28\00\00\00\32\00\00\00\3c\00\00\00\46\00\00\00\50\00\00\00")
  (data (i32.const 128) "\84\00\00\00\88\00\00\00\4d\00\00\00")
  (data (i32.const 160) "abcdefgh\00\ff")
  ;; i32.add into a loop's compare (operand 1): steps of p up to n
  (func (export "add_le_loop") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $c i32)
    (loop $l
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $l (i32.le_u (local.tee $i (i32.add (local.get $i) (local.get $p))) (local.get $n))))
    (local.get $c))
  ;; i32.add with an immediate into the loop's compare (operand 2)
  (func (export "addimm_ne_loop") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 3))))
      (br_if $l (i32.ne (local.get $n) (local.tee $i (i32.add (local.get $i) (i32.const 1))))))
    (local.get $s))
  ;; a counter decremented into br_if's condition
  (func (export "addimm_brif_loop") (param $n i32) (result i32)
    (local $c i32)
    (loop $l
      (local.set $c (i32.add (local.get $c) (i32.const 2)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (local.get $c))
  ;; a scaled index into a load's address, either side of the add
  (func (export "shl_load_b") (param $i i32) (result i32)
    (i32.load (i32.add (i32.const 64) (i32.shl (local.get $i) (i32.const 2)))))
  ;; the base a loaded value (the word at 60: 64)
  (func (export "shl_load_c") (param $i i32) (result i32)
    (i32.load (i32.add (i32.load (i32.const 60)) (i32.shl (local.get $i) (i32.const 2)))))
  (func (export "shl_load_a") (param $i i32) (param $base i32) (result i32)
    (i32.load (i32.add (i32.shl (local.get $i) (i32.const 2)) (local.get $base))))
  (func (export "and_shl") (param $x i32) (result i32)
    (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 3)))
  ;; a byte test: load8_u into eqz into add
  (func (export "ld8_eqz_add") (param $p i32) (param $q i32) (result i32)
    (i32.add (local.get $q) (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $q))))))
  ;; a loaded byte compared and branched on, as either operand
  (func (export "ld8_ne_b") (param $p i32) (param $v i32) (result i32)
    (block (br_if 0 (i32.ne (local.get $v) (i32.load8_u (local.get $p)))) (return (i32.const 0)))
    (i32.const 1))
  (func (export "ld8_ne_a") (param $p i32) (param $v i32) (result i32)
    (block (br_if 0 (i32.ne (i32.load8_u (local.get $p)) (local.get $v))) (return (i32.const 0)))
    (i32.const 1))
  ;; a masked value kept in a local and tested by if
  (func (export "and_unless") (param $x i32) (result i32)
    (local $t i32)
    (if (result i32) (local.tee $t (i32.and (local.get $x) (i32.const 12)))
      (then (i32.add (local.get $t) (i32.const 100))) (else (i32.const 7))))
  ;; pointer chasing
  (func (export "load_chain") (param $p i32) (result i32)
    (i32.load (i32.load (i32.load (local.get $p)))))
  ;; a computed value stored
  (func (export "store_addimm") (param $p i32) (param $x i32) (result i32)
    (i32.store (local.get $p) (i32.add (local.get $x) (i32.const 5)))
    (i32.load (local.get $p)))
  (func (export "mulimm_add") (param $x i32) (param $y i32) (result i32)
    (i32.add (local.get $y) (i32.mul (local.get $x) (i32.const 12))))
  (func (export "mulimm_add_a") (param $x i32) (param $y i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 12)) (local.get $y)))
  ;; the shadow stack pointer's bump
  (func (export "sp_bump") (param $x i32) (result i32)
    (global.set $g (i32.sub (global.get $g) (local.get $x)))
    (global.set $g (i32.sub (global.get $g) (i32.const 16)))
    (global.get $g))
  (func (export "i64_shl_or") (param $a i64) (param $b i64) (result i64)
    (i64.or (local.get $a) (i64.shl (local.get $b) (i64.const 8))))
  (func (export "f64_sub_mul") (param $a f64) (param $b f64) (param $c f64) (result f64)
    (f64.mul (f64.sub (local.get $a) (local.get $b)) (local.get $c)))
  (func (export "f64_sub_mul_b") (param $a f64) (param $b f64) (param $c f64) (result f64)
    (f64.mul (local.get $c) (f64.sub (local.get $a) (local.get $b))))
  (func (export "f64_sqrt_mul") (param $a f64) (param $b f64) (result f64)
    (f64.mul (local.get $b) (f64.sqrt (local.get $a))))
  (func (export "f64_mul_mul") (param $a f64) (param $b f64) (param $c f64) (result f64)
    (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c)))
)
