/* ops.h: the internal operations, as an X-macro list shared by the compiler
 * (compile.c, which emits them) and the interpreter (interp.c, which has one
 * label per operation). The numeric operations 0x45..0xc4 keep the order of
 * their Wasm opcodes so that the compiler maps them by arithmetic.
 *
 * Operand layouts (cells after the handler): see the comment at each label in
 * interp.c. "s" is a frame-relative slot number.
 */
#ifndef ISTHMUS_WASM_OPS_H
#define ISTHMUS_WASM_OPS_H

#define WASM_OPS(X)                                                               \
	X(EXIT)                                                                   \
	X(UNREACHABLE)                                                            \
	X(BR)                                                                     \
	X(BR_IF)                                                                  \
	X(BR_UNLESS)                                                              \
	X(BR_TABLE)                                                               \
	X(RET)                                                                    \
	X(CALL)                                                                   \
	X(CALL_INDIRECT)                                                          \
	X(CALL_DEF) /* call of a function defined in the same module */           \
	X(SAFEPOINT)                                                              \
	X(MOV)                                                                    \
	X(MOVN)                                                                   \
	X(CONST)                                                                  \
	X(SELECT)                                                                 \
	X(SELECT64) /* the condition is a 64-bit slot (from i64.eqz folded in) */ \
	X(GLOBAL_GET)                                                             \
	X(GLOBAL_SET)                                                             \
	X(I32_LOAD)                                                               \
	X(I64_LOAD)                                                               \
	X(F32_LOAD)                                                               \
	X(F64_LOAD)                                                               \
	X(I32_LOAD8_S)                                                            \
	X(I32_LOAD8_U)                                                            \
	X(I32_LOAD16_S)                                                           \
	X(I32_LOAD16_U)                                                           \
	X(I64_LOAD8_S)                                                            \
	X(I64_LOAD8_U)                                                            \
	X(I64_LOAD16_S)                                                           \
	X(I64_LOAD16_U)                                                           \
	X(I64_LOAD32_S)                                                           \
	X(I64_LOAD32_U)                                                           \
	X(I32_STORE)                                                              \
	X(I64_STORE)                                                              \
	X(F32_STORE)                                                              \
	X(F64_STORE)                                                              \
	X(I32_STORE8)                                                             \
	X(I32_STORE16)                                                            \
	X(I64_STORE8)                                                             \
	X(I64_STORE16)                                                            \
	X(I64_STORE32)                                                            \
	X(MEMORY_SIZE)                                                            \
	X(MEMORY_GROW)                                                            \
	/* 0x45 */                                                                \
	X(I32_EQZ)                                                                \
	X(I32_EQ)                                                                 \
	X(I32_NE)                                                                 \
	X(I32_LT_S)                                                               \
	X(I32_LT_U)                                                               \
	X(I32_GT_S)                                                               \
	X(I32_GT_U)                                                               \
	X(I32_LE_S)                                                               \
	X(I32_LE_U)                                                               \
	X(I32_GE_S)                                                               \
	X(I32_GE_U)                                                               \
	X(I64_EQZ)                                                                \
	X(I64_EQ)                                                                 \
	X(I64_NE)                                                                 \
	X(I64_LT_S)                                                               \
	X(I64_LT_U)                                                               \
	X(I64_GT_S)                                                               \
	X(I64_GT_U)                                                               \
	X(I64_LE_S)                                                               \
	X(I64_LE_U)                                                               \
	X(I64_GE_S)                                                               \
	X(I64_GE_U)                                                               \
	X(F32_EQ)                                                                 \
	X(F32_NE)                                                                 \
	X(F32_LT)                                                                 \
	X(F32_GT)                                                                 \
	X(F32_LE)                                                                 \
	X(F32_GE)                                                                 \
	X(F64_EQ)                                                                 \
	X(F64_NE)                                                                 \
	X(F64_LT)                                                                 \
	X(F64_GT)                                                                 \
	X(F64_LE)                                                                 \
	X(F64_GE)                                                                 \
	X(I32_CLZ)                                                                \
	X(I32_CTZ)                                                                \
	X(I32_POPCNT)                                                             \
	X(I32_ADD)                                                                \
	X(I32_SUB)                                                                \
	X(I32_MUL)                                                                \
	X(I32_DIV_S)                                                              \
	X(I32_DIV_U)                                                              \
	X(I32_REM_S)                                                              \
	X(I32_REM_U)                                                              \
	X(I32_AND)                                                                \
	X(I32_OR)                                                                 \
	X(I32_XOR)                                                                \
	X(I32_SHL)                                                                \
	X(I32_SHR_S)                                                              \
	X(I32_SHR_U)                                                              \
	X(I32_ROTL)                                                               \
	X(I32_ROTR)                                                               \
	X(I64_CLZ)                                                                \
	X(I64_CTZ)                                                                \
	X(I64_POPCNT)                                                             \
	X(I64_ADD)                                                                \
	X(I64_SUB)                                                                \
	X(I64_MUL)                                                                \
	X(I64_DIV_S)                                                              \
	X(I64_DIV_U)                                                              \
	X(I64_REM_S)                                                              \
	X(I64_REM_U)                                                              \
	X(I64_AND)                                                                \
	X(I64_OR)                                                                 \
	X(I64_XOR)                                                                \
	X(I64_SHL)                                                                \
	X(I64_SHR_S)                                                              \
	X(I64_SHR_U)                                                              \
	X(I64_ROTL)                                                               \
	X(I64_ROTR)                                                               \
	X(F32_ABS)                                                                \
	X(F32_NEG)                                                                \
	X(F32_CEIL)                                                               \
	X(F32_FLOOR)                                                              \
	X(F32_TRUNC)                                                              \
	X(F32_NEAREST)                                                            \
	X(F32_SQRT)                                                               \
	X(F32_ADD)                                                                \
	X(F32_SUB)                                                                \
	X(F32_MUL)                                                                \
	X(F32_DIV)                                                                \
	X(F32_MIN)                                                                \
	X(F32_MAX)                                                                \
	X(F32_COPYSIGN)                                                           \
	X(F64_ABS)                                                                \
	X(F64_NEG)                                                                \
	X(F64_CEIL)                                                               \
	X(F64_FLOOR)                                                              \
	X(F64_TRUNC)                                                              \
	X(F64_NEAREST)                                                            \
	X(F64_SQRT)                                                               \
	X(F64_ADD)                                                                \
	X(F64_SUB)                                                                \
	X(F64_MUL)                                                                \
	X(F64_DIV)                                                                \
	X(F64_MIN)                                                                \
	X(F64_MAX)                                                                \
	X(F64_COPYSIGN)                                                           \
	X(I32_WRAP_I64)                                                           \
	X(I32_TRUNC_F32_S)                                                        \
	X(I32_TRUNC_F32_U)                                                        \
	X(I32_TRUNC_F64_S)                                                        \
	X(I32_TRUNC_F64_U)                                                        \
	X(I64_EXTEND_I32_S)                                                       \
	X(I64_EXTEND_I32_U)                                                       \
	X(I64_TRUNC_F32_S)                                                        \
	X(I64_TRUNC_F32_U)                                                        \
	X(I64_TRUNC_F64_S)                                                        \
	X(I64_TRUNC_F64_U)                                                        \
	X(F32_CONVERT_I32_S)                                                      \
	X(F32_CONVERT_I32_U)                                                      \
	X(F32_CONVERT_I64_S)                                                      \
	X(F32_CONVERT_I64_U)                                                      \
	X(F32_DEMOTE_F64)                                                         \
	X(F64_CONVERT_I32_S)                                                      \
	X(F64_CONVERT_I32_U)                                                      \
	X(F64_CONVERT_I64_S)                                                      \
	X(F64_CONVERT_I64_U)                                                      \
	X(F64_PROMOTE_F32)                                                        \
	X(I32_REINTERPRET_F32)                                                    \
	X(I64_REINTERPRET_F64)                                                    \
	X(F32_REINTERPRET_I32)                                                    \
	X(F64_REINTERPRET_I64)                                                    \
	X(I32_EXTEND8_S)                                                          \
	X(I32_EXTEND16_S)                                                         \
	X(I64_EXTEND8_S)                                                          \
	X(I64_EXTEND16_S)                                                         \
	X(I64_EXTEND32_S)                                                         \
	/* 0xfc 0..7 */                                                           \
	X(I32_TRUNC_SAT_F32_S)                                                    \
	X(I32_TRUNC_SAT_F32_U)                                                    \
	X(I32_TRUNC_SAT_F64_S)                                                    \
	X(I32_TRUNC_SAT_F64_U)                                                    \
	X(I64_TRUNC_SAT_F32_S)                                                    \
	X(I64_TRUNC_SAT_F32_U)                                                    \
	X(I64_TRUNC_SAT_F64_S)                                                    \
	X(I64_TRUNC_SAT_F64_U)                                                    \
	X(MEMORY_INIT)                                                            \
	X(DATA_DROP)                                                              \
	X(MEMORY_COPY)                                                            \
	X(MEMORY_FILL)                                                            \
	X(TABLE_INIT)                                                             \
	X(ELEM_DROP)                                                              \
	X(TABLE_COPY)                                                             \
	X(TABLE_GROW)                                                             \
	X(TABLE_SIZE)                                                             \
	X(TABLE_FILL)                                                             \
	X(TABLE_GET)                                                              \
	X(TABLE_SET)                                                              \
	X(REF_IS_NULL)                                                            \
	X(REF_FUNC)                                                               \
	/* with an immediate second operand, in the order of the originals */     \
	X(I32_EQ_IMM)                                                             \
	X(I32_NE_IMM)                                                             \
	X(I32_LT_S_IMM)                                                           \
	X(I32_LT_U_IMM)                                                           \
	X(I32_GT_S_IMM)                                                           \
	X(I32_GT_U_IMM)                                                           \
	X(I32_LE_S_IMM)                                                           \
	X(I32_LE_U_IMM)                                                           \
	X(I32_GE_S_IMM)                                                           \
	X(I32_GE_U_IMM)                                                           \
	X(I32_ADD_IMM)                                                            \
	X(I32_SUB_IMM)                                                            \
	X(I32_MUL_IMM)                                                            \
	X(I32_AND_IMM)                                                            \
	X(I32_OR_IMM)                                                             \
	X(I32_XOR_IMM)                                                            \
	X(I32_SHL_IMM)                                                            \
	X(I32_SHR_S_IMM)                                                          \
	X(I32_SHR_U_IMM)                                                          \
	X(I64_EQ_IMM)                                                             \
	X(I64_NE_IMM)                                                             \
	X(I64_LT_S_IMM)                                                           \
	X(I64_LT_U_IMM)                                                           \
	X(I64_GT_S_IMM)                                                           \
	X(I64_GT_U_IMM)                                                           \
	X(I64_LE_S_IMM)                                                           \
	X(I64_LE_U_IMM)                                                           \
	X(I64_GE_S_IMM)                                                           \
	X(I64_GE_U_IMM)                                                           \
	X(I64_ADD_IMM)                                                            \
	X(I64_SUB_IMM)                                                            \
	X(I64_MUL_IMM)                                                            \
	X(I64_AND_IMM)                                                            \
	X(I64_OR_IMM)                                                             \
	X(I64_XOR_IMM)                                                            \
	X(I64_SHL_IMM)                                                            \
	X(I64_SHR_S_IMM)                                                          \
	X(I64_SHR_U_IMM)                                                          \
	/* compare and branch */                                                  \
	X(BR_IF_I32_EQ)                                                           \
	X(BR_IF_I32_NE)                                                           \
	X(BR_IF_I32_LT_S)                                                         \
	X(BR_IF_I32_LT_U)                                                         \
	X(BR_IF_I32_GT_S)                                                         \
	X(BR_IF_I32_GT_U)                                                         \
	X(BR_IF_I32_LE_S)                                                         \
	X(BR_IF_I32_LE_U)                                                         \
	X(BR_IF_I32_GE_S)                                                         \
	X(BR_IF_I32_GE_U)                                                         \
	X(BR_IF_I32_EQ_IMM)                                                       \
	X(BR_IF_I32_NE_IMM)                                                       \
	X(BR_IF_I32_LT_S_IMM)                                                     \
	X(BR_IF_I32_LT_U_IMM)                                                     \
	X(BR_IF_I32_GT_S_IMM)                                                     \
	X(BR_IF_I32_GT_U_IMM)                                                     \
	X(BR_IF_I32_LE_S_IMM)                                                     \
	X(BR_IF_I32_LE_U_IMM)                                                     \
	X(BR_IF_I32_GE_S_IMM)                                                     \
	X(BR_IF_I32_GE_U_IMM)                                                     \
	/* memory access at the sum of two i32 slots (i32.add fused in) */        \
	X(I32_LOAD_ADD)                                                           \
	X(I64_LOAD_ADD)                                                           \
	X(F32_LOAD_ADD)                                                           \
	X(F64_LOAD_ADD)                                                           \
	X(I32_LOAD8_S_ADD)                                                        \
	X(I32_LOAD8_U_ADD)                                                        \
	X(I32_LOAD16_S_ADD)                                                       \
	X(I32_LOAD16_U_ADD)                                                       \
	X(I64_LOAD8_S_ADD)                                                        \
	X(I64_LOAD8_U_ADD)                                                        \
	X(I64_LOAD16_S_ADD)                                                       \
	X(I64_LOAD16_U_ADD)                                                       \
	X(I64_LOAD32_S_ADD)                                                       \
	X(I64_LOAD32_U_ADD)                                                       \
	X(I32_STORE_ADD)                                                          \
	X(I64_STORE_ADD)                                                          \
	X(F32_STORE_ADD)                                                          \
	X(F64_STORE_ADD)                                                          \
	X(I32_STORE8_ADD)                                                         \
	X(I32_STORE16_ADD)                                                        \
	X(I64_STORE8_ADD)                                                         \
	X(I64_STORE16_ADD)                                                        \
	X(I64_STORE32_ADD)                                                        \
	/* f64 arithmetic with one operand loaded from memory (f64.load fused     \
	 * in): dst addr off other; _LB: other op mem, _LA: mem op other */       \
	X(F64_ADD_LB)                                                             \
	X(F64_SUB_LB)                                                             \
	X(F64_MUL_LB)                                                             \
	X(F64_DIV_LB)                                                             \
	X(F64_SUB_LA)                                                             \
	X(F64_DIV_LA)                                                             \
	/* the same, stored back where it was loaded from (f64.store fused in):   \
	 * addr off other (unused): in the order of the _LB/_LA ops above */      \
	X(F64_ADD_LB_RMW)                                                         \
	X(F64_SUB_LB_RMW)                                                         \
	X(F64_MUL_LB_RMW)                                                         \
	X(F64_DIV_LB_RMW)                                                         \
	X(F64_SUB_LA_RMW)                                                         \
	X(F64_DIV_LA_RMW)                                                         \
	/* i32 arithmetic with one operand loaded by i32.load (fused in):         \
	 * dst addr off other; _LA: mem op other */                               \
	X(I32_ADD_LB)                                                             \
	X(I32_SUB_LB)                                                             \
	X(I32_MUL_LB)                                                             \
	X(I32_AND_LB)                                                             \
	X(I32_OR_LB)                                                              \
	X(I32_XOR_LB)                                                             \
	X(I32_SUB_LA)                                                             \
	/* the same, stored back where it was loaded from (i32.store fused in):   \
	 * addr off other (unused) */                                             \
	X(I32_ADD_LB_RMW)                                                         \
	X(I32_SUB_LB_RMW)                                                         \
	X(I32_MUL_LB_RMW)                                                         \
	X(I32_AND_LB_RMW)                                                         \
	X(I32_OR_LB_RMW)                                                          \
	X(I32_XOR_LB_RMW)                                                         \
	X(I32_SUB_LA_RMW)                                                         \
	/* f64 arithmetic whose result is stored (f64.store fused in):            \
	 * addr a b off */                                                        \
	X(F64_ADD_ST)                                                             \
	X(F64_SUB_ST)                                                             \
	X(F64_MUL_ST)                                                             \
	X(F64_DIV_ST)                                                             \
	/* backward branches to a loop, with the loop's safe-point check */       \
	X(BR_LOOP)                                                                \
	X(BR_IF_LOOP)                                                             \
	X(BR_UNLESS_LOOP)                                                         \
	X(BR_IF_I32_EQ_LOOP)                                                      \
	X(BR_IF_I32_NE_LOOP)                                                      \
	X(BR_IF_I32_LT_S_LOOP)                                                    \
	X(BR_IF_I32_LT_U_LOOP)                                                    \
	X(BR_IF_I32_GT_S_LOOP)                                                    \
	X(BR_IF_I32_GT_U_LOOP)                                                    \
	X(BR_IF_I32_LE_S_LOOP)                                                    \
	X(BR_IF_I32_LE_U_LOOP)                                                    \
	X(BR_IF_I32_GE_S_LOOP)                                                    \
	X(BR_IF_I32_GE_U_LOOP)                                                    \
	X(BR_IF_I32_EQ_IMM_LOOP)                                                  \
	X(BR_IF_I32_NE_IMM_LOOP)                                                  \
	X(BR_IF_I32_LT_S_IMM_LOOP)                                                \
	X(BR_IF_I32_LT_U_IMM_LOOP)                                                \
	X(BR_IF_I32_GT_S_IMM_LOOP)                                                \
	X(BR_IF_I32_GT_U_IMM_LOOP)                                                \
	X(BR_IF_I32_LE_S_IMM_LOOP)                                                \
	X(BR_IF_I32_LE_U_IMM_LOOP)                                                \
	X(BR_IF_I32_GE_S_IMM_LOOP)                                                \
	X(BR_IF_I32_GE_U_IMM_LOOP)                                                \
	/* the same for i64 */                                                    \
	X(BR_IF_I64_EQ)                                                           \
	X(BR_IF_I64_NE)                                                           \
	X(BR_IF_I64_LT_S)                                                         \
	X(BR_IF_I64_LT_U)                                                         \
	X(BR_IF_I64_GT_S)                                                         \
	X(BR_IF_I64_GT_U)                                                         \
	X(BR_IF_I64_LE_S)                                                         \
	X(BR_IF_I64_LE_U)                                                         \
	X(BR_IF_I64_GE_S)                                                         \
	X(BR_IF_I64_GE_U)                                                         \
	X(BR_IF_I64_EQ_IMM)                                                       \
	X(BR_IF_I64_NE_IMM)                                                       \
	X(BR_IF_I64_LT_S_IMM)                                                     \
	X(BR_IF_I64_LT_U_IMM)                                                     \
	X(BR_IF_I64_GT_S_IMM)                                                     \
	X(BR_IF_I64_GT_U_IMM)                                                     \
	X(BR_IF_I64_LE_S_IMM)                                                     \
	X(BR_IF_I64_LE_U_IMM)                                                     \
	X(BR_IF_I64_GE_S_IMM)                                                     \
	X(BR_IF_I64_GE_U_IMM)                                                     \
	X(BR_IF_I64_EQ_LOOP)                                                      \
	X(BR_IF_I64_NE_LOOP)                                                      \
	X(BR_IF_I64_LT_S_LOOP)                                                    \
	X(BR_IF_I64_LT_U_LOOP)                                                    \
	X(BR_IF_I64_GT_S_LOOP)                                                    \
	X(BR_IF_I64_GT_U_LOOP)                                                    \
	X(BR_IF_I64_LE_S_LOOP)                                                    \
	X(BR_IF_I64_LE_U_LOOP)                                                    \
	X(BR_IF_I64_GE_S_LOOP)                                                    \
	X(BR_IF_I64_GE_U_LOOP)                                                    \
	X(BR_IF_I64_EQ_IMM_LOOP)                                                  \
	X(BR_IF_I64_NE_IMM_LOOP)                                                  \
	X(BR_IF_I64_LT_S_IMM_LOOP)                                                \
	X(BR_IF_I64_LT_U_IMM_LOOP)                                                \
	X(BR_IF_I64_GT_S_IMM_LOOP)                                                \
	X(BR_IF_I64_GT_U_IMM_LOOP)                                                \
	X(BR_IF_I64_LE_S_IMM_LOOP)                                                \
	X(BR_IF_I64_LE_U_IMM_LOOP)                                                \
	X(BR_IF_I64_GE_S_IMM_LOOP)                                                \
	X(BR_IF_I64_GE_U_IMM_LOOP)                                                \
	X(BR_IF64)                                                                \
	X(BR_UNLESS64)                                                            \
	X(BR_IF64_LOOP)                                                           \
	X(BR_UNLESS64_LOOP)                                                       \
	/* a bit test (i32.and with an immediate) and branch */                   \
	X(BR_IF_AND_IMM)                                                          \
	X(BR_UNLESS_AND_IMM)                                                      \
	X(BR_IF_AND_IMM_LOOP)                                                     \
	X(BR_UNLESS_AND_IMM_LOOP)                                                 \
	/* f64.mul, then an add read-modify-write of its product (fuse_pairs) */  \
	X(F64_MULADD_LB_RMW)                                                      \
	X(F64_MULADD_RMW)                                                         \
	X(F64_MULADD_LA_RMW)                                                      \
	X(F64_MULSUB_ST)                                                          \
	X(F64_MUL_ADD_A)                                                          \
	X(F64_MUL_ADD_B)

/* Pairs of consecutive operations that run as one handler (compile.c,
 * fuse_pairs): the first one's body, then a direct jump to the second's
 * label. Each first operation has a body macro PB_<op> in interp.c. */
#define WASM_PAIRS(X)                                                          \
	X(I32_STORE8, I32_ADD)                                                 \
	X(I32_ADD, BR_IF_I32_LE_U_LOOP)                                        \
	X(I32_ADD, I32_ADD)                                                    \
	X(I32_EQZ, I32_ADD)                                                    \
	X(I32_ADD, I32_LOAD8_U_ADD)                                            \
	X(I32_LOAD8_U_ADD, I32_EQZ)                                            \
	X(F64_MUL, F64_MUL)                                                    \
	X(F64_ADD_LB_RMW, I32_ADD_IMM)                                         \
	X(F64_SUB, F64_MUL)                                                    \
	X(F64_LOAD_ADD, F64_SUB)                                               \
	X(F64_MUL, F64_ADD_LB_RMW)                                             \
	X(F64_MUL, F64_SUB_ST)                                                 \
	X(I32_ADD_IMM, F64_MUL)                                                \
	X(I32_ADD_IMM, I32_ADD_IMM)                                            \
	X(F64_MUL, F64_LOAD_ADD)                                               \
	X(F64_LOAD, F64_MUL)                                                   \
	X(F64_SUB_ST, F64_LOAD)                                                \
	X(F64_MUL_LB, F64_ADD_LB_RMW)                                          \
	X(F64_ADD_LB_RMW, F64_MUL_LB)                                          \
	X(F64_LOAD_ADD, F64_LOAD_ADD)                                          \
	X(I32_SHL_IMM, I32_LOAD_ADD)                                           \
	X(I32_ADD, I32_ADD_IMM)                                                \
	X(I32_STORE, I32_ADD)                                                  \
	X(SELECT, I32_STORE)                                                   \
	X(I32_GT_U, SELECT)                                                    \
	X(I32_LE_U, I32_ADD)                                                   \
	X(I32_ADD, BR_IF_I32_GE_U)                                             \
	X(I32_ADD_IMM, I32_LE_U)                                               \
	X(I32_LOAD_ADD, I32_GT_U)                                              \
	X(I32_LOAD_ADD, I32_SHL_IMM)                                           \
	X(I32_ADD_IMM, BR_IF_I32_LT_U_LOOP)                                    \
	X(BR_IF_I32_GE_U, I32_ADD_IMM)                                         \
	X(BR_IF_I32_LT_U_LOOP, I32_SHL_IMM)                                    \
	X(I64_STORE, I32_ADD_IMM)                                              \
	X(I32_ADD_IMM, I64_LOAD_ADD)                                           \
	X(I32_AND_IMM, I32_SHL_IMM)                                            \
	X(I32_ADD, RET)                                                        \
	X(I32_ADD_IMM, CALL_DEF)                                               \
	X(I32_ADD_IMM, BR_IF_I32_GT_U_IMM_LOOP)                                \
	X(I32_ADD_IMM, MOV)                                                    \
	X(MOV, I32_ADD_IMM)                                                    \
	X(I32_ADD_IMM, I32_AND_IMM)                                            \
	X(MOV, CALL_INDIRECT)                                                  \
	X(MOV, BR_IF_I32_NE_IMM_LOOP)                                          \
	X(I32_LOAD_ADD, CALL_INDIRECT)                                         \
	X(I32_ADD_IMM, BR_IF_I32_NE_LOOP)                                      \
	X(I32_ADD_IMM, F64_LOAD_ADD)                                           \
	X(F64_LOAD_ADD, F64_MUL)                                               \
	X(BR_IF_I32_NE_LOOP, F64_MUL_LB)                                       \
	X(MOV, MOV)                                                            \
	X(I32_LOAD, I32_LOAD)                                                  \
	X(I32_LOAD8_U, I32_LOAD8_U)                                            \
	X(I32_AND_IMM, BR_UNLESS)                                              \
	X(I32_ADD_IMM, BR_IF_LOOP)                                             \
	X(I32_LOAD8_U, BR_IF_I32_NE)                                           \
	X(BR_IF_I32_NE, I32_ADD_IMM)                                           \
	X(BR_IF_LOOP, I32_LOAD8_U)                                             \
	X(MOV, RET)                                                            \
	X(MOV, CALL_DEF)                                                       \
	X(I32_LOAD8_U, I32_SHL_IMM)                                            \
	X(I32_ADD_IMM, I32_LOAD)                                               \
	X(I32_ADD, I32_LOAD8_U)                                                \
	X(MOV, BR)                                                             \
	X(I32_STORE8, I32_ADD_IMM)                                             \
	X(I32_SHL_IMM, I32_ADD)                                                \
	X(I32_LOAD8_U, BR_TABLE)                                               \
	X(I32_MUL_IMM, I32_ADD)                                                \
	X(BR_UNLESS, I32_LOAD)                                                 \
	X(I32_LOAD, I32_SHL_IMM)                                               \
	X(I32_LOAD8_U, BR_UNLESS)                                              \
	X(I32_ADD_IMM, BR_LOOP)                                                \
	X(I64_ADD_IMM, I32_LOAD8_U)                                            \
	X(MOV, I64_ADD_IMM)                                                    \
	X(I32_SHL_IMM, I32_SHR_S_IMM)                                          \
	X(I32_LOAD, I32_STORE)                                                 \
	X(BR_UNLESS, I32_LOAD8_U)                                              \
	X(I32_ADD_IMM, I32_LOAD8_U_ADD)                                        \
	X(BR_UNLESS, I32_AND_IMM)                                              \
	X(GLOBAL_GET, I32_SUB_IMM)                                             \
	X(I32_ADD_IMM, GLOBAL_SET)                                             \
	X(I32_SUB_IMM, GLOBAL_SET)                                             \
	X(I32_LOAD, BR_UNLESS)                                                 \
	X(I64_LOAD8_U, I64_SHL_IMM)                                            \
	X(GLOBAL_SET, MOV)                                                     \
	X(I32_STORE, I32_ADD_IMM)                                              \
	X(I32_LOAD, I32_LOAD8_U)                                               \
	X(CONST, MOV)                                                          \
	X(I32_STORE, I32_LOAD)                                                 \
	X(I32_LOAD, I32_MUL_IMM)                                               \
	X(I32_LOAD, BR_IF)                                                     \
	X(I32_STORE, I32_STORE)                                                \
	X(I32_LOAD8_U, I32_OR)                                                 \
	X(I32_LOAD16_U, I32_AND)                                               \
	X(I32_OR, I32_LOAD16_U)                                                \
	X(I64_SHL_IMM, I64_OR)                                                 \
	X(I32_SHR_S_IMM, BR_IF_I32_GT_S_IMM)                                   \
	X(I64_EXTEND_I32_U, I64_AND_IMM)                                       \
	X(I32_LOAD, I32_LOAD16_U)                                              \
	X(I32_LOAD8_S, I32_AND_IMM)                                            \
	X(I32_SHL_IMM, I32_LOAD8_U)                                            \
	X(CONST, BR)                                                           \
	X(I32_AND_IMM, I32_STORE)                                              \
	X(I32_LOAD8_U, I32_AND_IMM)                                            \
	X(I32_LOAD, I32_ADD_LB)                                                \
	X(CONST, CONST)                                                        \
	X(BR_IF_I32_GT_S, I32_ADD)                                             \
	X(I32_LOAD8_S, BR_IF_I32_LT_S_IMM)                                     \
	X(I32_AND_IMM, BR_IF)                                                  \
	X(I64_OR, I64_STORE)                                                   \
	X(I32_ADD, I32_LOAD8_S)                                                \
	X(I32_ADD_IMM, I32_LOAD16_U)                                           \
	X(I32_LOAD8_U, BR_IF)                                                  \
	X(I64_LOAD8_U, I64_OR)                                                 \
	X(I64_OR, I64_LOAD8_U)                                                 \
	X(I32_ADD_IMM, P_I32_ADD_IMM__BR_IF_LOOP)                              \
	X(I32_LOAD8_U, P_I32_LOAD8_U__BR_IF_I32_NE)                            \
	X(BR_IF_I32_NE, P_I32_ADD_IMM__I32_ADD_IMM)                            \
	X(MOV, P_MOV__RET)                                                     \
	X(MOV, P_I64_ADD_IMM__I32_LOAD8_U)                                     \
	X(GLOBAL_GET, P_I32_SUB_IMM__GLOBAL_SET)                               \
	X(MOV, P_MOV__MOV)                                                     \
	X(I32_ADD_IMM, P_GLOBAL_SET__MOV)                                      \
	X(I32_LOAD, P_I32_LOAD__I32_LOAD)                                      \
	X(I32_LOAD8_U, P_I32_SHL_IMM__I32_SHR_S_IMM)                           \
	X(I32_AND_IMM, P_BR_UNLESS__I32_AND_IMM)                               \
	X(I32_LOAD, P_I32_LOAD__I32_SHL_IMM)                                   \
	X(I32_STORE8, P_I32_ADD_IMM__I32_LOAD8_U_ADD)                          \
	X(I64_LOAD8_U, P_I64_SHL_IMM__I64_OR)                                  \
	X(I32_LOAD8_U_ADD, P_I32_STORE8__I32_ADD_IMM)                          \
	X(MOV, P_MOV__CALL_DEF)                                                \
	X(I32_LOAD16_U, P_I32_AND_IMM__BR_UNLESS)                              \
	X(I32_MUL_LB, P_I32_ADD__I32_ADD_IMM)                                  \
	X(I64_OR, P_I64_LOAD8_U__I64_SHL_IMM)                                  \
	X(I32_AND_IMM, P_I32_ADD__I32_LOAD8_U)                                 \
	X(I32_LOAD8_U_ADD, P_I32_AND_IMM__BR_UNLESS)                           \
	X(I32_AND, P_I32_ADD__I32_ADD_IMM)                                     \
	X(BR_UNLESS, P_I32_LOAD8_U__I32_LOAD8_U)                               \
	X(I32_ADD, P_I32_LOAD8_U__I32_SHL_IMM)                                 \
	X(I32_ADD_IMM, P_I32_ADD_IMM__I32_ADD_IMM)                             \
	X(I32_LOAD8_U, P_BR_IF_I32_NE__I32_ADD_IMM)                            \
	X(BR_IF_I32_LT_S_IMM, P_I32_ADD_IMM__I32_ADD_IMM)                      \
	X(I32_LOAD8_U, P_I32_SHL_IMM__I32_LOAD8_U)                             \
	X(I64_SHL_IMM, I64_LOAD8_U)                                            \
	X(SELECT, I32_STORE16)                                                 \
	X(I64_ADD, I64_STORE32)                                                \
	X(I32_ADD_IMM, BR_IF_I32_GE_U)                                         \
	X(I32_ADD_IMM, I64_ADD)                                                \
	X(I32_SHL_IMM, P_I32_LOAD8_U__I32_OR)                                  \
	X(I32_OR, P_I32_LOAD16_U__I32_AND)                                     \
	X(I64_LOAD8_U, P_I64_SHL_IMM__I64_LOAD8_U)                             \
	X(I32_LOAD, P_I32_MUL_IMM__I32_ADD)                                    \
	X(MOV, P_MOV__CALL_INDIRECT)                                           \
	X(CONST, P_MOV__RET)                                                   \
	X(I64_STORE32, P_I32_ADD_IMM__I32_ADD_IMM)                             \
	X(I32_ADD_IMM, P_I32_ADD_IMM__BR_IF_I32_GE_U)                          \
	X(I32_ADD, P_I32_ADD_IMM__I64_ADD)                                     \
	X(I32_ADD_IMM, F64_MULADD_LA_RMW)                                      \
	X(F64_MUL, F64_MULSUB_ST)                                              \
	X(F64_SUB, F64_MUL_ADD_A)                                              \
	X(F64_SUB, F64_MUL_ADD_B)                                              \
	/* chains into forwarding pairs: each chain of three above (a, P_b__c) \
	 * whose b and c also form a forwarding pair */                        \
	X(I32_ADD_IMM, F_I32_ADD_IMM__BR_IF_LOOP_1)                            \
	X(I32_LOAD8_U, F_I32_LOAD8_U__BR_IF_I32_NE_2)                          \
	X(I32_LOAD8_U, F_I32_LOAD8_U__BR_IF_I32_NE_1)                          \
	X(GLOBAL_GET, F_I32_SUB_IMM__GLOBAL_SET_2)                             \
	X(MOV, F_MOV__MOV_2)                                                   \
	X(I32_LOAD, F_I32_LOAD__I32_LOAD_2)                                    \
	X(I32_LOAD, F_I32_LOAD__I32_SHL_IMM_2)                                 \
	X(I64_LOAD8_U, F_I64_SHL_IMM__I64_OR_3)                                \
	X(I32_LOAD16_U, F_I32_AND_IMM__BR_UNLESS_1)                            \
	X(I32_MUL_LB, F_I32_ADD__I32_ADD_IMM_2)                                \
	X(I64_OR, F_I64_LOAD8_U__I64_SHL_IMM_2)                                \
	X(I32_AND_IMM, F_I32_ADD__I32_LOAD8_U_2)                               \
	X(I32_LOAD8_U_ADD, F_I32_AND_IMM__BR_UNLESS_1)                         \
	X(I32_AND, F_I32_ADD__I32_ADD_IMM_2)                                   \
	X(I32_ADD, F_I32_LOAD8_U__I32_SHL_IMM_2)                               \
	X(I32_SHL_IMM, F_I32_LOAD8_U__I32_OR_3)                                \
	X(I32_OR, F_I32_LOAD16_U__I32_AND_3)                                   \
	X(I32_LOAD, F_I32_MUL_IMM__I32_ADD_3)                                  \
	X(I32_LOAD, F_I32_MUL_IMM__I32_ADD_2)                                  \
	/* and pairs of an operation with a forwarding pair that follows it,   \
	 * from dispatch profiles after forwarding */                          \
	X(I32_ADD_IMM, F_I32_LE_U__I32_ADD_3)                                  \
	X(I32_ADD, F_I32_LOAD8_U_ADD__I32_EQZ_2)                               \
	X(BR_IF_I32_LT_U_LOOP, F_I32_SHL_IMM__I32_LOAD_ADD_3)                  \
	X(I32_ADD, F_I32_ADD_IMM__BR_IF_I32_NE_LOOP_2)                         \
	X(F64_MUL, F_F64_LOAD_ADD__F64_SUB_3)                                  \
	X(F64_MUL_ADD_B, F_F64_ADD__F64_SQRT_2)                                \
	X(F64_LOAD, F_F64_LOAD_ADD__F64_SUB_3)                                 \
	X(I32_ADD_IMM, F_I32_ADD_IMM__BR_IF_I32_NE_LOOP_2)                     \
	X(I32_ADD_IMM, F_I32_ADD__I32_ADD_IMM_2)                               \
	X(I64_OR, F_I64_LOAD8_U__I64_OR_3)                                     \
	X(I32_ADD, F_I32_LOAD8_S__I32_AND_IMM_2)                               \
	X(I32_ADD_IMM, F_I32_ADD_IMM__I64_LOAD8_U_2)                           \
	X(I32_LOAD8_U, F_I32_LOAD8_U__BR_IF_I32_GT_U_2)                        \
	X(MOV, F_I32_ADD_IMM__BR_IF_LOOP_1)                                    \
	X(BR_UNLESS, F_I32_AND_IMM__BR_UNLESS_1)                               \
	X(BR_IF_I32_GT_S_IMM, F_I32_LOAD__I32_LOAD_2)                          \
	X(BR_IF_I32_GE_U, F_I32_SHL_IMM__I32_ADD_3)                            \
	X(BR_IF_I32_GE_U, F_I32_SHL_IMM__I32_LOAD_ADD_3)                       \
	X(I32_ADD, F_I32_LOAD8_U__BR_UNLESS_1)                                 \
	X(MOV, F_I32_LOAD__I32_MUL_IMM_2)                                      \
	X(I32_LOAD, F_I32_SHL_IMM__I32_ADD_2)                                  \
	X(BR_IF_I32_LT_S_IMM, F_I32_LOAD8_S__BR_IF_I32_LT_S_IMM_1)             \
	X(I64_SHL_IMM, F_I64_EXTEND_I32_U__I64_AND_IMM_2)                      \
	X(I32_LOAD16_U, F_I32_SHL_IMM__I32_ADD_3)                              \
	X(I32_STORE, F_I32_LOAD__BR_IF_1)                                      \
	X(I32_LOAD8_S, F_I64_EXTEND_I32_U__I64_AND_IMM_2)                      \
	X(I32_ADD_IMM, F_I32_LOAD16_U__I32_AND_IMM_2)                          \
	X(MOV, F_I32_SUB__SELECT_3)                                            \
	X(I32_ADD, F_I32_LOAD8_U__BR_TABLE_1)                                  \
	X(I32_AND_IMM, F_SELECT__I32_STORE16_2)                                \
	X(I32_STORE, F_I32_LOAD__I32_STORE_2)                                  \
	X(I32_ADD_IMM, F_I32_LOAD__BR_IF_LOOP_1)                               \
	X(I64_STORE, F_I32_ADD_IMM__I32_STORE_2)                               \
	X(I32_STORE16, F_I32_SUB__I32_ADD_2)                                   \
	/* a fourth round from the SQLite workload's dispatch profile */       \
	X(I32_STORE, BR_IF_I32_LT_S_IMM)                                       \
	X(I32_ADD_IMM, BR)                                                     \
	X(BR_IF_I32_LT_S_IMM, P_I32_ADD_IMM__F_I32_ADD_IMM__I64_LOAD8_U_2)     \
	X(I32_SHR_S_IMM, P_I32_LOAD8_U__F_I32_LOAD8_U__BR_IF_I32_GT_U_2)       \
	X(BR_IF_I32_GT_S_IMM, I32_ADD_IMM)                                     \
	X(I32_LOAD, P_MOV__CALL_INDIRECT)                                      \
	X(I32_STORE, CONST)                                                    \
	X(BR_IF_I32_LT_U_IMM, I32_LOAD8_U_ADD)                                 \
	X(BR_IF, CONST)                                                        \
	X(MOV, P_I32_LOAD__F_I32_MUL_IMM__I32_ADD_3)                           \
	X(I32_SUB, P_MOV__P_MOV__RET)                                          \
	X(I32_ADD, P_I32_LOAD__F_I32_LOAD__I32_LOAD_2)                         \
	X(CONST, CALL_DEF)                                                     \
	X(BR_IF_I32_GT_S_IMM, P_I32_ADD__I32_ADD)                              \
	X(I32_LOAD16_U, BR)                                                    \
	X(I32_LOAD, BR)                                                        \
	X(CONST, I32_STORE16)                                                  \
	X(BR_IF, I32_SUB)                                                      \
	X(I64_LOAD, BR_IF_I64_LE_S)                                            \
	X(I64_AND_IMM, I64_NE_IMM)                                             \
	X(I32_LOAD8_U, I32_LOAD8_S)                                            \
	X(MOV, BR_IF_I32_LT_U_LOOP)                                            \
	X(I64_EXTEND_I32_S, BR)                                                \
	X(I32_LOAD8_S, P_I32_SHL_IMM__F_I32_LOAD8_U__I32_OR_3)                 \
	X(CONST, P_I32_LOAD__I32_LOAD)                                         \
	X(BR_UNLESS, I32_ADD_IMM)                                              \
	X(BR_IF_I32_LT_U_LOOP, P_I32_ADD__F_I32_LOAD8_S__I32_AND_IMM_2)        \
	X(BR_IF_I32_GT_S_IMM, P_I32_STORE__I32_ADD_IMM)                        \
	X(BR_IF_I32_GT_S_IMM, BR_UNLESS)                                       \
	X(I32_SUB, P_I32_STORE__F_I32_LOAD__BR_IF_1)                           \
	X(I32_STORE16, I32_SUB)                                                \
	X(I32_STORE, BR)                                                       \
	X(I32_SHL_IMM, I32_AND_IMM)                                            \
	X(I32_LOAD_ADD, I32_LOAD)                                              \
	X(I32_ADD_IMM, P_I32_ADD__I32_ADD)                                     \
	X(I32_ADD_IMM, BR_IF_I32_LT_S)                                         \
	X(BR_IF_I32_GE_U, I32_LOAD)                                            \
	X(I32_LOAD_ADD, BR_IF_I32_GT_U_IMM)                                    \
	X(BR_IF_I32_GT_U, P_I32_ADD_IMM__I32_LOAD16_U)                         \
	X(BR_IF_I32_GT_S_IMM, I32_STORE)                                       \
	/* and a fifth */                                                      \
	X(I32_STORE, MOV)                                                      \
	X(I32_LOAD8_U, BR_IF_I32_LT_U_IMM)                                     \
	X(BR_IF, P_I32_LOAD16_U__BR)                                           \
	X(SELECT, CALL_DEF)                                                    \
	X(I32_STORE8, I32_STORE16)                                             \
	X(I32_LOAD8_S, RET)                                                    \
	X(I32_LOAD, BR_IF_I32_LT_U)                                            \
	X(I32_ADD_IMM, I32_ADD_LB_RMW)                                         \
	X(I32_ADD_IMM, I32_ADD)                                                \
	X(I32_ADD_IMM, F_I32_LOAD8_S__BR_IF_I32_GT_S_IMM_1)                    \
	X(SELECT, P_I32_ADD_IMM__P_GLOBAL_SET__MOV)                            \
	X(I64_STORE, CONST)                                                    \
	X(I64_AND_IMM, I64_EQZ)                                                \
	X(I32_SUB, F_I32_LOAD__I32_LOAD8_U_2)                                  \
	X(I32_STORE8, I32_LOAD16_U)                                            \
	X(I32_STORE16, BR)                                                     \
	X(I32_SHL_IMM, I32_STORE_ADD)                                          \
	X(I32_LOAD8_U_ADD, I32_ADD_IMM)                                        \
	X(I32_LOAD8_U_ADD, BR_IF_I32_LT_U_IMM)                                 \
	X(I32_LOAD8_U, F_I32_OR_IMM__I32_STORE8_2)                             \
	X(I32_LOAD16_U, F_I32_ADD_IMM__I32_STORE16_2)                          \
	X(I32_LOAD, F_I32_SHL_IMM__I32_ADD_3)                                  \
	X(BR_UNLESS, F64_LOAD)                                                 \
	X(BR_IF_I32_LT_U_IMM, P_CONST__CONST)                                  \
	X(BR_IF_I32_LT_U, I64_LOAD32_U)                                        \
	X(BR_IF, I32_LOAD8_U)                                                  \
	X(MOV, I32_SHL_IMM)                                                    \
	X(I64_STORE, I32_LOAD)                                                 \
	X(I32_STORE8, P_I32_LOAD16_U__F_I32_SHL_IMM__I32_ADD_3)                \
	X(I32_STORE8, F_I32_LOAD8_U__BR_IF_1)                                  \
	X(I32_STORE16, P_I32_LOAD__I32_LOAD)                                   \
	X(I32_SHL_IMM, F_I32_LOAD__BR_IF_I32_GT_U_2)                           \
	X(I32_LOAD16_U, BR_UNLESS)                                             \
	X(I32_LOAD, I32_ADD)                                                   \
	X(I32_ADD, P_CONST__BR)                                                \
	X(CONST, F_I32_LOAD8_U__I32_EXTEND8_S_2)                               \
	X(CONST, BR_UNLESS)                                                    \
	X(BR_UNLESS, I64_LOAD)                                                 \
	X(BR_IF_I32_GT_S_IMM, P_I32_STORE__CONST)                              \
	X(BR_IF_I32_GT_S_IMM, I32_LOAD8_U)                                     \
	X(BR_IF_I32_GE_U, P_I32_LOAD__BR)                                      \
	X(SELECT, P_MOV__MOV)                                                  \
	X(SELECT, P_I32_ADD_IMM__I32_LOAD16_U)                                 \
	X(SELECT, I64_AND_IMM)                                                 \
	X(MOV, P_I32_LOAD16_U__F_I32_AND_IMM__BR_UNLESS_1)                     \
	X(MOV, BR_IF_LOOP)                                                     \
	X(I64_LOAD, F_I32_ADD_IMM__I32_LOAD8_U_2)                              \
	X(I64_AND_IMM, I64_EQ_IMM)                                             \
	X(I32_STORE8, BR)                                                      \
	X(I32_STORE, P_I64_STORE__F_I32_ADD_IMM__I32_STORE_2)                  \
	X(I32_ADD, F_I32_ADD_IMM__BR_IF_I32_GT_U_IMM_LOOP_1)                   \
	X(I32_ADD_IMM, P_I32_ADD_IMM__F_I32_ADD_IMM__BR_IF_I32_NE_LOOP_2)      \
	X(F64_MULADD_LB_RMW, P_I32_ADD_IMM__F64_MULADD_LA_RMW)

/* Forwarding pairs (a, b, k): a writes its result to cell 1 and b reads it
 * as its operand cell k (both cells name the same slot); b's body takes the
 * value from a register instead of reloading the slot (interp.c, R). The
 * slot is still written. Chosen from dependency profiles of the benchmark
 * kernels and the SQLite workload. Every b here has a PB_ body. */
#define WASM_FWDS(X)                            \
	X(I32_ADD, BR_IF_I32_LE_U_LOOP, 1)      \
	X(I32_ADD_IMM, BR_IF_I32_NE_LOOP, 2)    \
	X(I32_SHL_IMM, I32_LOAD_ADD, 3)         \
	X(I32_SHL_IMM, I32_LOAD_ADD, 2)         \
	X(I32_AND_IMM, I32_SHL_IMM, 2)          \
	X(I32_LOAD8_U_ADD, I32_EQZ, 2)          \
	X(I32_EQZ, I32_ADD, 3)                  \
	X(I32_ADD_IMM, BR_IF_LOOP, 1)           \
	X(I32_LE_U, I32_ADD, 3)                 \
	X(I32_ADD, BR_IF_I32_GE_U, 1)           \
	X(I32_LOAD_ADD, I32_GT_U, 2)            \
	X(I32_LOAD8_U, BR_IF_I32_NE, 2)         \
	X(I32_LOAD8_U, BR_IF_I32_NE, 1)         \
	X(I32_ADD_IMM, I32_AND_IMM, 2)          \
	X(I32_ADD_LB, I32_ADD_IMM, 2)           \
	X(I32_ADD_LB, I32_AND_IMM, 2)           \
	X(I32_ADD, I32_ADD_IMM, 2)              \
	X(I32_SHL_IMM, I32_ADD, 3)              \
	X(I32_SHL_IMM, I32_ADD, 2)              \
	X(I32_AND_IMM, BR_UNLESS, 1)            \
	X(I32_ADD, I32_LOAD8_U_ADD, 2)          \
	X(I32_MUL_IMM, I32_ADD, 3)              \
	X(I32_MUL_IMM, I32_ADD, 2)              \
	X(I32_LOAD, I32_LOAD, 2)                \
	X(I32_ADD, I32_LOAD, 2)                 \
	X(I32_ADD_IMM, I32_LOAD, 2)             \
	X(I32_ADD_IMM, I32_STORE, 2)            \
	X(I32_LOAD8_U, BR_UNLESS, 1)            \
	X(I32_LOAD, BR_UNLESS, 1)               \
	X(I32_LOAD, I32_STORE, 2)               \
	X(I32_LOAD, I32_SHL_IMM, 2)             \
	X(I32_LOAD, I32_LOAD8_U, 2)             \
	X(I32_LOAD, I32_LOAD16_U, 2)            \
	X(I32_LOAD, I32_MUL_IMM, 2)             \
	X(I32_ADD, I32_LOAD8_U, 2)              \
	X(I32_LOAD8_U, I32_AND_IMM, 2)          \
	X(I32_LOAD8_U, I32_OR, 3)               \
	X(I32_LOAD8_U, I32_SHL_IMM, 2)          \
	X(I32_LOAD16_U, I32_AND_IMM, 2)         \
	X(I32_LOAD16_U, I32_AND, 3)             \
	X(I32_AND_IMM, I32_STORE, 2)            \
	X(I32_SUB_IMM, GLOBAL_SET, 2)           \
	X(I32_ADD_IMM, GLOBAL_SET, 2)           \
	X(I64_SHL_IMM, I64_OR, 3)               \
	X(I64_OR, I64_STORE, 2)                 \
	X(MOV, MOV, 2)                          \
	X(F64_LOAD_ADD, F64_MUL, 3)             \
	X(F64_LOAD_ADD, F64_SUB, 3)             \
	X(F64_MUL, F64_MUL, 2)                  \
	X(F64_SUB, F64_MUL, 2)                  \
	X(F64_SUB, F64_MUL, 3)                  \
	X(F64_ADD, F64_ADD, 3)                  \
	X(F64_MUL, F64_ADD, 3)                  \
	X(F64_ADD, F64_SQRT, 2)                 \
	X(F64_SQRT, F64_MUL, 3)                 \
	X(I32_LOAD8_U, BR_TABLE, 1)             \
	X(GLOBAL_GET, I32_SUB_IMM, 2)           \
	X(I64_LOAD8_U, I64_SHL_IMM, 2)          \
	X(I32_LOAD8_U, I32_EXTEND8_S, 2)        \
	X(I32_EXTEND8_S, BR_IF_I32_GT_S_IMM, 1) \
	X(I32_AND, I32_ADD, 3)                  \
	X(I32_LOAD, BR_IF, 1)                   \
	X(I64_EXTEND_I32_U, I64_AND_IMM, 2)     \
	X(I32_LOAD8_U, BR_IF, 1)                \
	X(I32_LOAD8_S, I32_AND_IMM, 2)          \
	X(I32_AND_IMM, I32_ADD, 3)              \
	X(I32_MUL_LB, I32_ADD, 3)               \
	X(I32_LOAD8_U_ADD, I32_AND_IMM, 2)      \
	X(I32_LOAD8_S, BR_IF_I32_LT_S_IMM, 1)   \
	X(I32_ADD, I32_LOAD_ADD, 2)             \
	X(I32_LOAD, BR_IF_LOOP, 1)              \
	X(I32_LOAD8_U, I32_ADD, 3)              \
	X(I64_LOAD8_U, I64_OR, 3)               \
	X(SELECT, I32_STORE16, 2)               \
	X(I64_ADD, I64_STORE32, 2)              \
	X(I32_ADD_IMM, I64_LOAD8_U, 2)          \
	X(I32_ADD_IMM, I32_LOAD8_U, 2)          \
	X(I32_LOAD8_U, BR_IF_I32_GT_U, 2)       \
	X(I32_LOAD8_U, I32_ADD_IMM, 2)          \
	X(I64_LOAD, I64_STORE, 2)               \
	X(I64_ADD_IMM, I64_STORE, 2)            \
	X(I64_LOAD, I64_ADD_IMM, 2)             \
	X(I32_LOAD8_S, BR_IF_I32_GT_S_IMM, 1)   \
	X(SELECT, I32_ADD_IMM, 2)               \
	X(SELECT, BR_IF, 1)                     \
	X(MOV, BR_IF, 1)                        \
	X(I32_ADD_IMM, BR_TABLE, 1)             \
	X(I32_ADD, I32_SHR_S_IMM, 2)            \
	X(I32_SHL_IMM, I32_OR, 3)               \
	X(I32_LOAD16_U, BR_IF_I32_GT_U, 2)      \
	X(I32_LOAD8_U_ADD, I32_OR, 3)           \
	X(I32_ADD_IMM, I32_STORE16, 2)          \
	X(I32_ADD, I32_AND_IMM, 2)              \
	X(MOV, BR_UNLESS, 1)                    \
	X(MOV, BR_IF_I32_LT_S_IMM, 1)           \
	X(I32_LOAD, BR_IF_I32_GT_U, 2)          \
	X(I32_AND_IMM, BR_IF_I32_LT_U, 2)       \
	X(I32_LOAD_ADD, BR_IF_I32_LT_U, 2)      \
	X(I64_LOAD, BR_IF_I64_GE_S, 1)          \
	X(I32_ADD_IMM, I32_SHR_U_IMM, 2)        \
	X(I32_LOAD8_U, BR_IF_I32_NE_IMM, 1)     \
	X(I32_LOAD16_U, BR_IF_I32_LT_U_IMM, 1)  \
	X(I32_SUB, SELECT, 3)                   \
	X(I32_SUB, BR_IF, 1)                    \
	X(I32_SUB, I32_ADD, 2)                  \
	X(I32_OR_IMM, I32_STORE16, 2)           \
	X(I32_OR_IMM, I32_STORE8, 2)            \
	X(I32_SHR_U_IMM, I32_OR, 3)             \
	X(I32_SHR_U_IMM, I32_AND_IMM, 2)        \
	X(I64_EXTEND_I32_S, I64_STORE, 2)       \
	X(I32_ADD_IMM, BR_IF_I32_GT_U_IMM_LOOP, 1)

enum wasm_op {
#define WASM_OP_ENUM(n) OP_##n,
	WASM_OPS(WASM_OP_ENUM)
#undef WASM_OP_ENUM
#define WASM_PAIR_ENUM(a, b) OP_P_##a##__##b,
	WASM_PAIRS(WASM_PAIR_ENUM)
#undef WASM_PAIR_ENUM
#define WASM_FWD_ENUM(a, b, k) OP_F_##a##__##b##_##k,
		WASM_FWDS(WASM_FWD_ENUM)
#undef WASM_FWD_ENUM
			OP_COUNT
};

#endif /* ISTHMUS_WASM_OPS_H */
