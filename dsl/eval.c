/*
 * eval.c — constant arithmetic shared by the preprocessor and sema; see
 * eval.h for the rules.  Signed overflow is undefined in C, so every
 * operation that can overflow is done in uint64_t and converted back.
 */
#include "eval.h"

bool eval_unary(enum ast_op op, int64_t a, int64_t *result)
{
    switch (op) {
    case OP_NEG:    *result = (int64_t)(0 - (uint64_t)a); return true;
    case OP_PLUS:   *result = a; return true;
    case OP_NOT:    *result = !a; return true;
    case OP_BITNOT: *result = ~a; return true;
    default:        return false;
    }
}

bool eval_binary(enum ast_op op, int64_t a, int64_t b, int64_t *result)
{
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (op) {
    case OP_MUL: *result = (int64_t)(ua * ub); return true;
    case OP_DIV:
    case OP_MOD:
        if (b == 0)
            return false;
        if (a == INT64_MIN && b == -1)      /* the one overflowing quotient */
            *result = op == OP_DIV ? INT64_MIN : 0;
        else
            *result = op == OP_DIV ? a / b : a % b;
        return true;
    case OP_ADD:    *result = (int64_t)(ua + ub); return true;
    case OP_SUB:    *result = (int64_t)(ua - ub); return true;
    case OP_SHL:    *result = (int64_t)(ua << (ub & 63)); return true;
    case OP_SHR:    *result = a >> (ub & 63); return true;  /* arithmetic */
    case OP_LT:     *result = a < b; return true;
    case OP_LE:     *result = a <= b; return true;
    case OP_GT:     *result = a > b; return true;
    case OP_GE:     *result = a >= b; return true;
    case OP_EQ:     *result = a == b; return true;
    case OP_NE:     *result = a != b; return true;
    case OP_BITAND: *result = a & b; return true;
    case OP_BITXOR: *result = a ^ b; return true;
    case OP_BITOR:  *result = a | b; return true;
    case OP_AND:    *result = a && b; return true;
    case OP_OR:     *result = a || b; return true;
    default:        return false;
    }
}
