/*
 * eval.c — constant arithmetic shared by the preprocessor and sema; see
 * eval.h for the rules.  Signed overflow is undefined in C, so the
 * operations that can overflow use the compiler's checked builtins, which
 * also give the wrapped result.
 */
#include "eval.h"

enum eval_status eval_unary(enum ast_op op, int64_t a, int64_t *result)
{
    switch (op) {
    case OP_NEG:
        return __builtin_sub_overflow((int64_t)0, a, result) ? EVAL_OVERFLOW : EVAL_OK;
    case OP_PLUS:   *result = a; return EVAL_OK;
    case OP_NOT:    *result = !a; return EVAL_OK;
    case OP_BITNOT: *result = ~a; return EVAL_OK;
    default:        return EVAL_NOT_CONSTANT;
    }
}

enum eval_status eval_binary(enum ast_op op, int64_t a, int64_t b, int64_t *result)
{
    switch (op) {
    case OP_MUL: return __builtin_mul_overflow(a, b, result) ? EVAL_OVERFLOW : EVAL_OK;
    case OP_ADD: return __builtin_add_overflow(a, b, result) ? EVAL_OVERFLOW : EVAL_OK;
    case OP_SUB: return __builtin_sub_overflow(a, b, result) ? EVAL_OVERFLOW : EVAL_OK;
    case OP_DIV:
    case OP_MOD:
        if (b == 0)
            return EVAL_DIV_ZERO;
        if (a == INT64_MIN && b == -1) {        /* the one overflowing quotient */
            *result = op == OP_DIV ? INT64_MIN : 0;
            return EVAL_OVERFLOW;
        }
        *result = op == OP_DIV ? a / b : a % b;
        return EVAL_OK;
    case OP_SHL:    *result = (int64_t)((uint64_t)a << (b & 63)); return EVAL_OK;
    case OP_SHR:    /* arithmetic, without relying on >> of a negative value */
        *result = a < 0 ? ~(~a >> (b & 63)) : a >> (b & 63);
        return EVAL_OK;
    case OP_LT:     *result = a < b; return EVAL_OK;
    case OP_LE:     *result = a <= b; return EVAL_OK;
    case OP_GT:     *result = a > b; return EVAL_OK;
    case OP_GE:     *result = a >= b; return EVAL_OK;
    case OP_EQ:     *result = a == b; return EVAL_OK;
    case OP_NE:     *result = a != b; return EVAL_OK;
    case OP_BITAND: *result = a & b; return EVAL_OK;
    case OP_BITXOR: *result = a ^ b; return EVAL_OK;
    case OP_BITOR:  *result = a | b; return EVAL_OK;
    case OP_AND:    *result = a && b; return EVAL_OK;
    case OP_OR:     *result = a || b; return EVAL_OK;
    default:        return EVAL_NOT_CONSTANT;
    }
}
