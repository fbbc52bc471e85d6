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

#include "cli.h"

/* Length of the well-formed UTF-8 sequence starting at s (2..4), or 0 when
 * the bytes there are not one (overlong forms, surrogates and values past
 * U+10FFFF included). */
static int utf8_length(const unsigned char *s)
{
    int n;
    uint32_t c;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2, c = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3, c = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4, c = s[0] & 0x07;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return n;
}

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
                int n = utf8_length(s);
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
