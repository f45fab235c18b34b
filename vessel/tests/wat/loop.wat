;; loop.wat: a small module for the image reader's tests and fuzz seeds. A
;; loop calls through a table (call_indirect), keeps i32, i64 and f64 locals
;; and two mutable globals, and stores to memory only after iteration 600,
;; so that an image taken early has no memory pages and one taken late has
;; one. run(n) returns a checksum of all of it.
(module
  (type $t (func (param i32) (result i32)))
  (memory (export "memory") 1 4)
  (global $g (mut i32) (i32.const 7))
  (global $h (mut f64) (f64.const 1.5))
  (table 4 funcref)
  (elem (i32.const 0) $inc $mul3 $inc)
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $mul3 (type $t) (i32.mul (local.get 0) (i32.const 3)))
  (func $step (param $i i32) (param $acc i32) (result i32)
    (global.set $g (i32.xor (global.get $g) (local.get $acc)))
    (call_indirect (type $t) (local.get $acc) (i32.rem_u (local.get $i) (i32.const 3))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $x i64) (local $d f64)
    (local.set $acc (i32.const 1))
    (local.set $d (f64.const 0.25))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $step (local.get $i) (local.get $acc)))
        (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 31))
                               (i64.extend_i32_u (local.get $acc))))
        (local.set $d (f64.add (f64.mul (local.get $d) (f64.const 0.5))
                               (f64.convert_i32_u (local.get $i))))
        (global.set $h (f64.add (global.get $h) (local.get $d)))
        (if (i32.gt_u (local.get $i) (i32.const 600))
          (then (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xffc))
                           (local.get $acc))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add
      (i32.add (i32.wrap_i64 (local.get $x)) (global.get $g))
      (i32.add (i32.trunc_f64_u (f64.div (global.get $h) (f64.const 1000)))
               (i32.load (i32.const 400))))))
