/*
 * fuzz_compile.c — libFuzzer target: arbitrary bytes as a spec through the
 * preprocessor, lexer, parser, sema and every back end.  Anything but a
 * clean return (a crash, a sanitizer report, a leak, a hang) is a bug.
 * #include resolves against the shipped rule headers, so the fuzzer can
 * reach them through `#include "lockstep.h"`.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>

#include "emit.h"
#include "parse.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const dirs[] = { LOCKSTEP_SOURCE_DIR "/specs/include" };
    struct parse_options opt = { dirs, 1 };
    struct src_manager sm;
    struct diag d;

    src_init(&sm);
    diag_init(&d, &sm, NULL);
    d.max_errors = 20;
    struct ast_rule *rule = parse_buffer(&sm, &d, "fuzz/input.slic",
                                         (const char *)data, size, &opt);
    if (rule && sema_check(rule, &d) == 0 && d.error_count == 0) {
        FILE *sink = fopen("/dev/null", "w");
        if (sink) {
            emit_c_header(rule, sink);
            emit_c_source(rule, sink, "fuzz/input.c");
            emit_dot(rule, sink);
            emit_json(rule, sink);
            fclose(sink);
        }
    }
    if (rule)
        ast_free(rule);
    src_free(&sm);
    return 0;
}
