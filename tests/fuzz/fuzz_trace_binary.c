/*
 * fuzz_trace_binary.c — libFuzzer target: arbitrary bytes as a native
 * binary trace, read by ls_trace_read_binary into a runtime with the
 * shipped rules and, when valid, converted to text and back without
 * changing an event (trace_fuzz.h).
 */
#include "trace_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_trace(ls_trace_read_binary, LS_TRACE_BINARY, data, size);
}
