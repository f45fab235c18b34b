;; kernels.wat: the safe-point cost kernels of vessel/bench (sp_bench.c).
;; fib is all calls (a safe point per call), loop is all back-edges (a safe
;; point per iteration), memsum mixes back-edges with loads and stores.
(module
  (memory (export "memory") 16)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "loop") (param $n i32) (result i32)
    (local $i i32) (local $x i32)
    (local.set $x (i32.const 1))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1664525))
                               (i32.const 1013904223)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $x))
  (func (export "memsum") (param $rounds i32) (result i32)
    (local $r i32) (local $i i32) (local $s i32)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $r) (local.get $rounds)))
        (local.set $i (i32.const 0))
        (block $end
          (loop $inner
            (br_if $end (i32.ge_u (local.get $i) (i32.const 1048576)))
            (i32.store (local.get $i) (i32.add (i32.load (local.get $i)) (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.load (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $inner)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $outer)))
    (local.get $s)))
