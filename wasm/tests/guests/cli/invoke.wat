;; A reactor-style module for `vessel run --invoke`: exports taking and
;; returning each number type, one that traps, and one that loops forever
;; (for --fuel).
(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func (export "mul64") (param i64 i64) (result i64)
    local.get 0 local.get 1 i64.mul)
  (func (export "half") (param f64) (result f64)
    local.get 0 f64.const 0.5 f64.mul)
  (func (export "twice") (param f32) (result f32 f32)
    local.get 0 local.get 0 f32.add local.get 0)
  (func (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func (export "spin") (loop $l br $l))
  (func (export "nothing")))
