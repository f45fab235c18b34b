;; mem.wat: a memory and nothing else, for ckpt_bench.c.
(module
  (memory (export "memory") 1)
  (func (export "run")))
