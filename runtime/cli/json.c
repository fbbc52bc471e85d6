/*
 * json.c — the CLI's JSON output: the one string writer every --json /
 * --format json output shares, and a small streaming writer for nested
 * documents (lockstep results --format sarif) built on it.
 *
 * Strings come out as valid JSON whatever bytes they hold: control
 * characters are escaped and a byte that does not start well-formed UTF-8
 * becomes \ufffd, as in the compiler's JSON back end (compiler/emit_out.c),
 * so a strict parser never rejects a trace's odd file name.
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/utf8.h>

#include "cli.h"

void cli_json_string(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    putchar('"');
    while (*s) {
        unsigned char c = *s;
        switch (c) {
        case '"':  fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                printf("\\u%04x", c);
            } else if (c < 0x80) {
                putchar(c);
            } else {
                int n = ls_utf8_length(s);
                if (n == 0) {
                    fputs("\\ufffd", stdout);
                    break;
                }
                fwrite(s, 1, (size_t)n, stdout);
                s += n;
                continue;
            }
        }
        s++;
    }
    putchar('"');
}

/* ---- the streaming writer ---------------------------------------------------- */

/* Separator and indentation before a key or a value: nothing right after a
 * key, else a comma after an earlier member and a new line at the depth. */
static void separate(struct cli_json *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    printf("%s\n%*s", w->filled[w->depth] ? "," : "", w->depth * 2, "");
    w->filled[w->depth] = true;
}

void cli_json_open(struct cli_json *w, char bracket)
{
    separate(w);
    putchar(bracket);
    if (w->depth + 1 < CLI_JSON_DEPTH)
        w->depth++;
    w->closer[w->depth] = bracket == '{' ? '}' : ']';
    w->filled[w->depth] = false;
}

void cli_json_close(struct cli_json *w)
{
    if (w->filled[w->depth])
        printf("\n%*s", (w->depth - 1) * 2, "");
    putchar(w->closer[w->depth]);
    if (w->depth > 0)
        w->depth--;
    if (w->depth == 0)
        putchar('\n');
}

void cli_json_key(struct cli_json *w, const char *key)
{
    separate(w);
    cli_json_string(key);
    fputs(": ", stdout);
    w->after_key = true;
}

void cli_json_str(struct cli_json *w, const char *s)
{
    separate(w);
    if (s)
        cli_json_string(s);
    else
        fputs("null", stdout);
}

void cli_json_int(struct cli_json *w, long long v)
{
    separate(w);
    printf("%lld", v);
}

void cli_json_bool(struct cli_json *w, bool v)
{
    separate(w);
    fputs(v ? "true" : "false", stdout);
}
