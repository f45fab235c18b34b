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

#define WASM_OPS(X)            \
	X(EXIT)                \
	X(UNREACHABLE)         \
	X(BR)                  \
	X(BR_IF)               \
	X(BR_UNLESS)           \
	X(BR_TABLE)            \
	X(RET)                 \
	X(CALL)                \
	X(CALL_INDIRECT)       \
	X(SAFEPOINT)           \
	X(MOV)                 \
	X(MOVN)                \
	X(CONST)               \
	X(SELECT)              \
	X(GLOBAL_GET)          \
	X(GLOBAL_SET)          \
	X(I32_LOAD)            \
	X(I64_LOAD)            \
	X(F32_LOAD)            \
	X(F64_LOAD)            \
	X(I32_LOAD8_S)         \
	X(I32_LOAD8_U)         \
	X(I32_LOAD16_S)        \
	X(I32_LOAD16_U)        \
	X(I64_LOAD8_S)         \
	X(I64_LOAD8_U)         \
	X(I64_LOAD16_S)        \
	X(I64_LOAD16_U)        \
	X(I64_LOAD32_S)        \
	X(I64_LOAD32_U)        \
	X(I32_STORE)           \
	X(I64_STORE)           \
	X(F32_STORE)           \
	X(F64_STORE)           \
	X(I32_STORE8)          \
	X(I32_STORE16)         \
	X(I64_STORE8)          \
	X(I64_STORE16)         \
	X(I64_STORE32)         \
	X(MEMORY_SIZE)         \
	X(MEMORY_GROW)         \
	/* 0x45 */             \
	X(I32_EQZ)             \
	X(I32_EQ)              \
	X(I32_NE)              \
	X(I32_LT_S)            \
	X(I32_LT_U)            \
	X(I32_GT_S)            \
	X(I32_GT_U)            \
	X(I32_LE_S)            \
	X(I32_LE_U)            \
	X(I32_GE_S)            \
	X(I32_GE_U)            \
	X(I64_EQZ)             \
	X(I64_EQ)              \
	X(I64_NE)              \
	X(I64_LT_S)            \
	X(I64_LT_U)            \
	X(I64_GT_S)            \
	X(I64_GT_U)            \
	X(I64_LE_S)            \
	X(I64_LE_U)            \
	X(I64_GE_S)            \
	X(I64_GE_U)            \
	X(F32_EQ)              \
	X(F32_NE)              \
	X(F32_LT)              \
	X(F32_GT)              \
	X(F32_LE)              \
	X(F32_GE)              \
	X(F64_EQ)              \
	X(F64_NE)              \
	X(F64_LT)              \
	X(F64_GT)              \
	X(F64_LE)              \
	X(F64_GE)              \
	X(I32_CLZ)             \
	X(I32_CTZ)             \
	X(I32_POPCNT)          \
	X(I32_ADD)             \
	X(I32_SUB)             \
	X(I32_MUL)             \
	X(I32_DIV_S)           \
	X(I32_DIV_U)           \
	X(I32_REM_S)           \
	X(I32_REM_U)           \
	X(I32_AND)             \
	X(I32_OR)              \
	X(I32_XOR)             \
	X(I32_SHL)             \
	X(I32_SHR_S)           \
	X(I32_SHR_U)           \
	X(I32_ROTL)            \
	X(I32_ROTR)            \
	X(I64_CLZ)             \
	X(I64_CTZ)             \
	X(I64_POPCNT)          \
	X(I64_ADD)             \
	X(I64_SUB)             \
	X(I64_MUL)             \
	X(I64_DIV_S)           \
	X(I64_DIV_U)           \
	X(I64_REM_S)           \
	X(I64_REM_U)           \
	X(I64_AND)             \
	X(I64_OR)              \
	X(I64_XOR)             \
	X(I64_SHL)             \
	X(I64_SHR_S)           \
	X(I64_SHR_U)           \
	X(I64_ROTL)            \
	X(I64_ROTR)            \
	X(F32_ABS)             \
	X(F32_NEG)             \
	X(F32_CEIL)            \
	X(F32_FLOOR)           \
	X(F32_TRUNC)           \
	X(F32_NEAREST)         \
	X(F32_SQRT)            \
	X(F32_ADD)             \
	X(F32_SUB)             \
	X(F32_MUL)             \
	X(F32_DIV)             \
	X(F32_MIN)             \
	X(F32_MAX)             \
	X(F32_COPYSIGN)        \
	X(F64_ABS)             \
	X(F64_NEG)             \
	X(F64_CEIL)            \
	X(F64_FLOOR)           \
	X(F64_TRUNC)           \
	X(F64_NEAREST)         \
	X(F64_SQRT)            \
	X(F64_ADD)             \
	X(F64_SUB)             \
	X(F64_MUL)             \
	X(F64_DIV)             \
	X(F64_MIN)             \
	X(F64_MAX)             \
	X(F64_COPYSIGN)        \
	X(I32_WRAP_I64)        \
	X(I32_TRUNC_F32_S)     \
	X(I32_TRUNC_F32_U)     \
	X(I32_TRUNC_F64_S)     \
	X(I32_TRUNC_F64_U)     \
	X(I64_EXTEND_I32_S)    \
	X(I64_EXTEND_I32_U)    \
	X(I64_TRUNC_F32_S)     \
	X(I64_TRUNC_F32_U)     \
	X(I64_TRUNC_F64_S)     \
	X(I64_TRUNC_F64_U)     \
	X(F32_CONVERT_I32_S)   \
	X(F32_CONVERT_I32_U)   \
	X(F32_CONVERT_I64_S)   \
	X(F32_CONVERT_I64_U)   \
	X(F32_DEMOTE_F64)      \
	X(F64_CONVERT_I32_S)   \
	X(F64_CONVERT_I32_U)   \
	X(F64_CONVERT_I64_S)   \
	X(F64_CONVERT_I64_U)   \
	X(F64_PROMOTE_F32)     \
	X(I32_REINTERPRET_F32) \
	X(I64_REINTERPRET_F64) \
	X(F32_REINTERPRET_I32) \
	X(F64_REINTERPRET_I64) \
	X(I32_EXTEND8_S)       \
	X(I32_EXTEND16_S)      \
	X(I64_EXTEND8_S)       \
	X(I64_EXTEND16_S)      \
	X(I64_EXTEND32_S)      \
	/* 0xfc 0..7 */        \
	X(I32_TRUNC_SAT_F32_S) \
	X(I32_TRUNC_SAT_F32_U) \
	X(I32_TRUNC_SAT_F64_S) \
	X(I32_TRUNC_SAT_F64_U) \
	X(I64_TRUNC_SAT_F32_S) \
	X(I64_TRUNC_SAT_F32_U) \
	X(I64_TRUNC_SAT_F64_S) \
	X(I64_TRUNC_SAT_F64_U) \
	X(MEMORY_INIT)         \
	X(DATA_DROP)           \
	X(MEMORY_COPY)         \
	X(MEMORY_FILL)         \
	X(TABLE_INIT)          \
	X(ELEM_DROP)           \
	X(TABLE_COPY)          \
	X(TABLE_GROW)          \
	X(TABLE_SIZE)          \
	X(TABLE_FILL)          \
	X(TABLE_GET)           \
	X(TABLE_SET)           \
	X(REF_IS_NULL)         \
	X(REF_FUNC)            \
	/* fused */            \
	X(I32_ADD_IMM)         \
	X(BR_IF_I32_LT_S)      \
	X(BR_IF_I32_LT_U)      \
	X(BR_IF_I32_NE)        \
	X(BR_IF_I32_EQ)

enum wasm_op {
#define WASM_OP_ENUM(n) OP_##n,
	WASM_OPS(WASM_OP_ENUM)
#undef WASM_OP_ENUM
	OP_COUNT
};

#endif /* ISTHMUS_WASM_OPS_H */
