/*
 * lockstep/rule.h — the checker-module contract.
 *
 * Every rule compiled by `lockstep compile` becomes one C module that
 * exports a single constant `struct ls_rule` named ls_rule_<Rule>.  The
 * runtime (traces), the static engine (source mode) and the simulator all
 * drive rules only through this header; a module depends on nothing else,
 * so it can be dropped into another tool as plain C.
 *
 * The division of labour:
 *   - The module describes itself with tables (handlers, watches, operands,
 *     comparison constants) and provides two pure functions, init and step.
 *   - The host interns function names once, maps each (function, entry|exit)
 *     to the module's handler indices at load time, keeps one state value
 *     per rule instance (per watched object), and decides which instances a
 *     handler applies to from its guard (see struct ls_handler).
 *   - step never allocates, never does I/O and touches no globals: the host
 *     may copy, hash, compare (memcmp) and snapshot state values freely.
 *
 * Change this header deliberately: bump LS_RULE_ABI whenever a layout or a
 * meaning changes, and regenerate generated/ in the same commit.
 */
#ifndef LOCKSTEP_RULE_H
#define LOCKSTEP_RULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this contract; a module records the value it was built for. */
#define LS_RULE_ABI 1

/* Every value a rule sees (arguments, return values, IRQLs, constants) is a
 * 64-bit signed integer; pointers are carried as their address bits. */
typedef int64_t ls_word;

/* Which half of a call an event is. */
enum ls_when {
    LS_ENTRY = 0,           /* the call begins: arguments known             */
    LS_EXIT = 1             /* the call returns: arguments and $return known */
};

/* Where a value comes from.  Used for watch keys, guards and the
 * comparison-constant table. */
enum ls_operand_kind {
    LS_OP_NONE = 0,         /* no operand (an unguarded handler)             */
    LS_OP_ARG = 1,          /* $N: argument N, 1-based                       */
    LS_OP_RETURN = 2,       /* $return                                       */
    LS_OP_EXT = 3,          /* *$N or a field path such as $2->Field: a value
                               the event source must read from memory; its
                               index in ls_rule.operands says which          */
    LS_OP_IRQL = 4          /* environment built-in: the IRQL `index` levels
                               back (0 = sdv_irql_current, 1 = ..._previous) */
};

/* A reference to one value of an event or of the environment. */
struct ls_operand {
    uint8_t kind;           /* enum ls_operand_kind                          */
    uint8_t index;          /* ARG: N (1-based); EXT: operand index;
                               IRQL: levels back; otherwise 0                */
};

/* An extended operand (*$N, $N->a.b): the host fills ls_event.ext[i] with
 * its value before calling step on a rule that lists any. */
struct ls_ext_operand {
    const char *text;       /* as written in the spec, e.g. "*$1"            */
    uint8_t arg;            /* the argument it starts from (1-based), 0 for
                               $return                                       */
    uint8_t deref;          /* 1 when the value is *$N                       */
    const char *path;       /* field path after the argument, e.g.
                               "->Tail.Overlay.CurrentStackLocation->MinorFunction";
                               "" when deref is 1 and there is no path       */
};

/* Most arguments any event carries. */
#define LS_MAX_ARGS 16

/* One call event, as every source produces it. */
struct ls_event {
    uint64_t seq;           /* position in the input (trace event number)    */
    uint32_t fn;            /* host's interned function id; opaque to modules */
    uint8_t when;           /* enum ls_when                                  */
    uint8_t nargs;          /* arguments present in args[]                   */
    uint16_t flags;         /* LS_EVENT_* bits                               */
    ls_word args[LS_MAX_ARGS];  /* args[0] is $1                             */
    ls_word ret;            /* $return, meaningful on LS_EXIT                */
    const ls_word *ext;     /* values of the rule's extended operands, indexed
                               like ls_rule.ext_operands; NULL reads as 0    */
};

#define LS_EVENT_HAS_RETURN 0x1u    /* ret holds a real value                */

/* The shared environment model a rule may read: the IRQL stack of the
 * processor or thread the event belongs to.  stack[depth - 1] is the
 * current IRQL.  Rules never write it; the environment model does. */
struct ls_env {
    const uint8_t *irql_stack;
    uint32_t irql_depth;
};

/* IRQL `back` levels below the top of the stack; PASSIVE_LEVEL (0) below
 * the bottom, as on a freshly started processor. */
static inline ls_word ls_env_irql(const struct ls_env *env, unsigned back)
{
    if (env == NULL || back >= env->irql_depth)
        return 0;
    return env->irql_stack[env->irql_depth - 1 - back];
}

/* Argument $n (1-based) of an event; 0 when the event carries fewer. */
static inline ls_word ls_event_arg(const struct ls_event *ev, unsigned n)
{
    return n >= 1 && n <= ev->nargs ? ev->args[n - 1] : 0;
}

/* Value of an extended operand of an event. */
static inline ls_word ls_event_ext(const struct ls_event *ev, unsigned i)
{
    return ev->ext ? ev->ext[i] : 0;
}

/* What step reports when a rule aborts.  The message is the spec's text
 * with `$fname` still in it: ls_format_message() substitutes it, so step
 * stays free of string work. */
struct ls_verdict {
    const char *message;    /* abort text from the spec (static storage)     */
    const char *function;   /* the function whose event fired ($fname): the
                               handler's name; for a role handler
                               (fun_HW_STARTIO, sdv_RunHwStartIo) the host
                               substitutes the driver routine it mapped     */
    uint32_t handler;       /* handler index that aborted                    */
    uint32_t spec_line;     /* line of the `abort` statement in the spec     */
};

/* step results. */
enum ls_step_result {
    LS_STEP_CONTINUE = 0,   /* instance lives on                             */
    LS_STEP_ABORT = 1,      /* violation: *out is filled; instance stops     */
    LS_STEP_HALT = 2        /* `halt;`: instance stops silently              */
};

/* One event handler of the rule: the spec's `F.entry [guard $1] { ... }`.
 * A handler on a set [F1, F2].exit becomes one entry per function, sharing
 * the same code.  Which instances it applies to:
 *   guard.kind == LS_OP_NONE: every live instance and the default instance
 *     (the one new instances are cloned from);
 *   otherwise: only the instance whose key equals the guard operand's value,
 *     created from the default instance if it does not exist yet.  With
 *     guard_or_null set, an event whose guard value is 0 (NULL) applies to
 *     every instance instead. */
struct ls_handler {
    const char *function;   /* event name without SDV's `sdv_` prefix, or the
                               harness name (fun_HW_STARTIO, sdv_RunStartIo) */
    const char *role;       /* for fun_<ROLE> and sdv_Run* names: the role the
                               host maps to a driver function; else NULL     */
    uint8_t when;           /* enum ls_when                                  */
    uint8_t guard_or_null;  /* [guard || null ...]                           */
    struct ls_operand guard;
    uint32_t spec_line;
};

/* The rule's `watch F.exit.$1;`: its instances are keyed by that value. */
struct ls_watch {
    const char *function;
    uint8_t when;
    struct ls_operand key;
    uint32_t spec_line;
};

/* Constants an operand is compared with anywhere in the rule, so a static
 * analyser can split an unknown value into finitely many cases.
 * function == NULL for environment operands (LS_OP_IRQL). */
struct ls_value_cases {
    const char *function;
    uint8_t when;
    struct ls_operand operand;
    uint32_t count;
    const ls_word *values;  /* sorted, distinct                              */
};

/* The module descriptor. */
struct ls_rule {
    uint32_t abi;           /* LS_RULE_ABI the module was generated for      */
    const char *name;       /* rule name, e.g. "IrqlKeReleaseSpinLock"       */
    const char *model;      /* driver model, e.g. "storport"                 */
    const char *summary;    /* one sentence                                  */
    const char *severity;   /* "error" or "warning"                          */
    const char *help;       /* help link, or ""                              */
    const char *spec_path;  /* the .slic it was compiled from                */
    const char *spec_sha256;/* hex SHA-256 of that file's bytes              */

    size_t state_size;      /* bytes of one instance state (plain value);
                               hosts store states aligned to max_align_t    */
    void (*init)(void *state);
    /* Apply handler `handler` to one instance.  Pure: reads state, ev, env;
     * writes only *state and, on LS_STEP_ABORT, *out. */
    int (*step)(void *state, unsigned handler, const struct ls_event *ev,
                const struct ls_env *env, struct ls_verdict *out);
    /* Describe a state for people ("s=locked depth=1"); returns the length
     * snprintf would, writing at most size bytes. */
    int (*format_state)(const void *state, char *buf, size_t size);

    const struct ls_handler *handlers;
    uint32_t handler_count;
    const struct ls_watch *watches;     /* empty: a single global instance  */
    uint32_t watch_count;
    const struct ls_ext_operand *ext_operands;
    uint32_t ext_operand_count;
    const struct ls_value_cases *cases;
    uint32_t case_count;
};

/* Write the verdict's message with `$fname` replaced into buf (always
 * NUL-terminated when size > 0).  Returns the full length. */
static inline size_t ls_format_message(const struct ls_verdict *v,
                                       char *buf, size_t size)
{
    static const char fname[] = "$fname";
    const char *s = v->message ? v->message : "";
    const char *f = v->function ? v->function : "";
    size_t n = 0;
    while (*s) {
        const char *piece = s;
        size_t len = 1;
        int is_fname = 1;
        for (size_t i = 0; i < sizeof fname - 1; i++)
            if (s[i] != fname[i]) { is_fname = 0; break; }
        if (is_fname) {
            piece = f;
            len = 0;
            while (f[len]) len++;
            s += sizeof fname - 1;
        } else {
            s++;
        }
        for (size_t i = 0; i < len; i++, n++)
            if (n + 1 < size) buf[n] = piece[i];
    }
    if (size > 0) buf[n < size ? n : size - 1] = '\0';
    return n;
}

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_RULE_H */
