/*
 * test_sha256.c — the FIPS 180-2 appendix B vectors, messages whose length
 * straddles the padding boundary, and incremental updates split at odd
 * places, which must give the one-shot digest.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sha256.h"

static void check_hex(const char *msg, size_t len, const char *want,
                      const char *file, int line, const char *what)
{
    char hex[65];
    sha256_hex(msg, len, hex);
    check_str(0, hex, want, file, line, what);
}
#define CHECK_HEX(msg, len, want) \
    check_hex((msg), (len), (want), __FILE__, __LINE__, "sha256(" #msg ", " #len ")")

static void test_vectors(void)
{
    CHECK_HEX("", 0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_HEX("abc", 3,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(strlen(m448) * 8 == 448);
    CHECK_HEX(m448, strlen(m448),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK(strlen(m896) * 8 == 896);
    CHECK_HEX(m896, strlen(m896),
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    char *million = malloc(1000000);
    CHECK(million != NULL);
    memset(million, 'a', 1000000);
    CHECK_HEX(million, 1000000,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* 55 bytes is the longest message padded in one block, 56 the shortest
 * that needs two. */
static void test_padding_boundaries(void)
{
    static const struct { size_t n; const char *hex; } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    char a[128];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_HEX(a, cases[i].n, cases[i].hex);
}

static void test_incremental(void)
{
    unsigned char msg[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 131 + 7);
    unsigned char one[32], split[32];
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, msg, sizeof msg);
    sha256_final(&s, one);

    static const size_t steps[][6] = {
        {1, 2, 3, 5, 7, 11},
        {63, 1, 64, 65, 0, 127},
        {13, 51, 0, 64, 200, 1},
        {999, 1, 0, 0, 0, 0},
    };
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        size_t pos = 0, j = 0;
        sha256_init(&s);
        while (pos < sizeof msg) {
            size_t n = steps[k][j++ % 6];
            if (n > sizeof msg - pos)
                n = sizeof msg - pos;
            sha256_update(&s, msg + pos, n);
            pos += n;
        }
        sha256_final(&s, split);
        CHECK(memcmp(one, split, 32) == 0);
    }

    /* byte by byte */
    sha256_init(&s);
    for (size_t i = 0; i < sizeof msg; i++)
        sha256_update(&s, msg + i, 1);
    sha256_final(&s, split);
    CHECK(memcmp(one, split, 32) == 0);
}

int main(void)
{
    test_vectors();
    test_padding_boundaries();
    test_incremental();
    return check_done("test_sha256");
}
