/*
 * eval.h — integer arithmetic with the meaning lockstep gives it
 * everywhere: 64-bit two's complement that wraps instead of overflowing,
 * shifts that use the count modulo 64, and division that reports a zero
 * divisor.  The preprocessor (#if), constant folding in sema and the code
 * the C emitter generates all follow these rules.
 */
#ifndef LS_DSL_EVAL_H
#define LS_DSL_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

/* Apply a unary operator (OP_NEG, OP_PLUS, OP_NOT, OP_BITNOT).  Returns
 * false for operators that have no constant value (OP_DEREF, OP_ADDR). */
bool eval_unary(enum ast_op op, int64_t a, int64_t *result);

/* Apply a binary operator.  Returns false on division or remainder by
 * zero (*result untouched). */
bool eval_binary(enum ast_op op, int64_t a, int64_t b, int64_t *result);

#endif
