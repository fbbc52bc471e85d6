/*
 * fuzz_trace_ltrace.c — libFuzzer target: arbitrary bytes as ltrace
 * output, read by ls_trace_read_ltrace into a runtime with the shipped
 * rules, with and without keep_going (trace_fuzz.h).
 */
#include "trace_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read(ls_trace_read_ltrace, data, size);
    return 0;
}
