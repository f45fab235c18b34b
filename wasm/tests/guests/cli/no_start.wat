;; A valid module that exports no _start.
(module (func (export "main")))
