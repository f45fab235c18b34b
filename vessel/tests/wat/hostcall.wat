;; hostcall.wat: a loop calling the host function env.tick, for the test of
;; host calls stopped in flight (reissue_test.c). run(n) sums tick(i) for
;; i < n.
(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $tick (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc)))
