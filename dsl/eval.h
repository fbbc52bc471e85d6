/*
 * eval.h — integer arithmetic with the meaning lockstep gives it
 * everywhere: 64-bit two's complement that wraps instead of overflowing,
 * and shifts that use the count modulo 64.  The preprocessor (#if),
 * constant folding in sema and the code the C emitter generates all follow
 * these rules; the status tells a caller that cares (sema) when a result
 * wrapped or a divisor was zero.
 */
#ifndef LS_DSL_EVAL_H
#define LS_DSL_EVAL_H

#include <stdint.h>

#include "ast.h"

enum eval_status {
    EVAL_OK,
    EVAL_OVERFLOW,          /* *result holds the wrapped value               */
    EVAL_DIV_ZERO,          /* division or remainder by zero; *result untouched */
    EVAL_NOT_CONSTANT       /* an operator with no constant value (*, &)     */
};

/* Apply a unary operator (OP_NEG, OP_PLUS, OP_NOT, OP_BITNOT). */
enum eval_status eval_unary(enum ast_op op, int64_t a, int64_t *result);

/* Apply a binary operator. */
enum eval_status eval_binary(enum ast_op op, int64_t a, int64_t b, int64_t *result);

#endif
