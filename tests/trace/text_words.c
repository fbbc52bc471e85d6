/*
 * text_words.c — the trace reader built without SSE2 (64-bit words only),
 * as ls_trace_read_text_words, for test_text to compare with the product.
 */
#define LS_TRACE_NO_SSE2
#define ls_trace_read_text ls_trace_read_text_words
#define trace_read_text trace_read_text_words
#include "../../runtime/sources/trace/text.c"
