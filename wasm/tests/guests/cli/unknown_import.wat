;; Imports a function WASI does not have: instantiation must fail.
(module
  (import "wasi_snapshot_preview1" "no_such_call" (func (param i32)))
  (import "env" "something" (func))
  (func (export "_start")))
