/*
 * text_bytes.c — the trace reader built with neither SSE2 nor word-at-a-
 * time code (a byte at a time, as on a big-endian machine), as
 * ls_trace_read_text_bytes, for test_text to compare with the product.
 */
#define LS_TRACE_NO_SSE2
#define LS_TRACE_NO_WORDS
#define ls_trace_read_text ls_trace_read_text_bytes
#define trace_read_text trace_read_text_bytes
#include "../../runtime/sources/trace/text.c"
