/*
 * lockstep/utf8.h — the one UTF-8 check lockstep uses everywhere a text
 * must be well-formed: the trace readers (file names, comments), the
 * compiler's string emitters and the CLI's JSON writer.
 */
#ifndef LOCKSTEP_UTF8_H
#define LOCKSTEP_UTF8_H

#include <stdint.h>

/* Length of the well-formed UTF-8 sequence of two to four bytes starting
 * at s, or 0 when the bytes there are not one (ASCII, a stray byte, an
 * overlong form, a surrogate, a value past U+10FFFF).  Reads at most up
 * to the first byte that is not a continuation byte, so a NUL-terminated
 * string is never overrun. */
static inline int ls_utf8_length(const unsigned char *s)
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

#endif /* LOCKSTEP_UTF8_H */
