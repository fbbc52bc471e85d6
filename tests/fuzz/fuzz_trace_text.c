/*
 * fuzz_trace_text.c — libFuzzer target: arbitrary bytes as a native text
 * trace, read by ls_trace_read_text into a runtime with the shipped rules
 * and, when valid, converted to binary and back without changing an event
 * (trace_fuzz.h).
 */
#include "trace_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_trace(ls_trace_read_text, LS_TRACE_TEXT, data, size);
}
