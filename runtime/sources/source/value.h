/*
 * value.h — what source mode knows about a value on one path, and the
 * memory places values live in.
 *
 * A place is an access path in the terms of the entry point's code:
 * `ext->Lock`, `lockHandle`, `ctx.OldIrql`, `g_Lock`.  Places are interned
 * (place id 0 is "no place"), each with a key (variables qualified by
 * their function, so two functions' `i` differ) and a display text (as a
 * person writes it).  A helper that receives `&ext->Lock` as its parameter
 * `l` and takes `&l->...` reaches the same place: the key is built from
 * the value, not from the helper's spelling.
 *
 * A value is one of
 *   V_INT   an integer in [lo, hi], optionally known to differ from `ne`
 *           (a constant when lo == hi);
 *   V_ADDR  the address of place `place` (never NULL), or of something
 *           unnamed when place is 0;
 *   V_SYM   the unknown value that place `place` held when the path first
 *           read it, with the same range facts as V_INT: reading it twice
 *           gives the same value, so two tests of one flag agree, and a
 *           pointer read this way still leads to the places behind it.
 */
#ifndef LS_SOURCE_VALUE_H
#define LS_SOURCE_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/rule.h>

#include "arena.h"

enum value_kind { V_INT = 0, V_ADDR = 1, V_SYM = 2 };

struct value {
    uint32_t place;
    uint8_t kind;           /* enum value_kind                               */
    uint8_t has_ne;
    uint8_t pad[2];         /* zero: values are compared with memcmp         */
    int64_t lo, hi, ne;
};

struct value value_const(int64_t c);
struct value value_unknown(void);
struct value value_addr(uint32_t place);
struct value value_sym(uint32_t place);

/* 1 when v is the constant c. */
int value_is_const(const struct value *v, int64_t *c);

/* Truth of v: 1 true, 0 false, -1 unknown. */
int value_truth(const struct value *v);

/* One of ==, !=, <, <=, >, >= (enum ir_op) applied to a and b: 1, 0 or -1. */
int value_compare(unsigned op, const struct value *a, const struct value *b);

/* v narrowed by the fact `v op c` (enum ir_op, a comparison); 0 when that
 * fact is impossible (the path is infeasible), else 1. */
int value_refine(struct value *v, unsigned op, int64_t c);

/* a op b for the arithmetic operators and the comparisons (folded when the
 * operands are constants), op a for the unary ones (b NULL). */
struct value value_apply(unsigned op, const struct value *a, const struct value *b);

/* ---- places ---------------------------------------------------------------- */

struct places;

struct places *places_new(void);
void places_free(struct places *p);

/* The place for variable number var of function owner: key
 * "owner::name", display "name" (owner NULL and var -1 for a global).
 * 0 when out of memory. */
uint32_t place_var(struct places *p, const char *owner, int32_t var, const char *name);
/* base.field (base->field when base is a dereference). */
uint32_t place_field(struct places *p, uint32_t base, const char *field);
/* base[index]: a constant index is part of the place; any other is "?". */
uint32_t place_index(struct places *p, uint32_t base, const struct value *index);
/* The place a pointer value points to: the place of an address, *P for
 * the unknown value of P; 0 when the pointer is not known, or when P was
 * itself reached through PLACE_DEREFS_MAX pointers (access paths are
 * k-limited, so a walk down a list or a recursion over objects names
 * finitely many places). */
#define PLACE_DEREFS_MAX 4
uint32_t place_deref(struct places *p, const struct value *pointer);
/* The place a function's code refers to ("fn:Name"): functions passed as
 * values have addresses too. */
uint32_t place_function(struct places *p, const char *name);

const char *place_display(const struct places *p, uint32_t place);
/* The function a place_function place stands for, else NULL. */
const char *place_function_name(const struct places *p, uint32_t place);
/* The function whose local the place is rooted in, or NULL (a global, or
 * a place reached through a pointer); *var receives that local's number. */
const char *place_owner(const struct places *p, uint32_t place, int32_t *var);

/* The word a rule sees for v: the constant itself, or a tag and the place
 * id for an address or an unknown (so equal places give equal words and
 * different places different ones); LS_UNKNOWN_WORD for an unknown with
 * no place. */
#define LS_UNKNOWN_WORD ((ls_word)0x5500000000000000LL)
ls_word value_word(const struct value *v);
/* A person's text for a word made by value_word ("&ext->Lock", "0x10"),
 * in buf. */
const char *word_display(const struct places *p, ls_word w, char *buf, size_t size);

#endif /* LS_SOURCE_VALUE_H */
