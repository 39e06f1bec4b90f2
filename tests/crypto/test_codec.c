/* test_codec.c: strict base64 and hex: RFC 4648 vectors, every refusal, round trips, bounds. */
#include "crypto/codec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int b64(const char *in, unsigned char *out, size_t cap, size_t *n)
{
    err e = {0};
    int rc = crypto_b64_decode(out, cap, n, in, strlen(in), &e);
    if (rc)
        assert_true(e.msg[0] != '\0');
    return rc;
}

static void rfc4648_vectors_decode(void **state)
{
    (void)state;
    static const char *const text[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *const want[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    for (size_t i = 0; i < PS_ARRAY_LEN(text); i++) {
        unsigned char out[16];
        size_t n = 99;
        assert_int_equal(b64(text[i], out, sizeof out, &n), 0);
        assert_int_equal(n, strlen(want[i]));
        assert_memory_equal(out, want[i], n);
    }
}

static void lenient_spellings_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Zg",       /* padding missing */
        "Zg=",      /* not a multiple of 4 */
        "Z===",     /* three pads */
        "====",     /* nothing but padding */
        "Zg==Zg==", /* padding in the middle */
        "Zm9v\n",   /* line break */
        " Zm9v",    /* whitespace */
        "Zm 9v",    /* inner space */
        "Zm-v",     /* base64url alphabet */
        "Zm_v",     /* base64url alphabet */
        "Zh==",     /* non-zero bits after the last byte */
        "Zm9=",     /* non-zero bits after the last byte */
        "Zm9v\x80\x80\x80\x80",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        unsigned char out[16];
        size_t n = 99;
        assert_int_equal(b64(bad[i], out, sizeof out, &n), ERR_PARSE);
        assert_int_equal(n, 99); /* untouched on failure */
    }
}

static void bytes_past_the_slice_are_never_read(void **state)
{
    (void)state;
    /* "Zg==" sliced to 4 characters out of a longer string decodes alone. */
    unsigned char out[8];
    size_t n = 0;
    assert_int_equal(crypto_b64_decode(out, sizeof out, &n, "Zg==garbage", 4, NULL), 0);
    assert_int_equal(n, 1);
    /* A NUL inside the slice is a bad character, not an end. */
    assert_int_equal(crypto_b64_decode(out, sizeof out, &n, "Zg\0=", 4, NULL), ERR_PARSE);
    /* Padding is looked for at the end of the slice only. */
    assert_int_equal(crypto_b64_decode(out, sizeof out, &n, "Zm9v====", 4, NULL), 0);
    assert_int_equal(n, 3);
}

static void output_is_bounded(void **state)
{
    (void)state;
    unsigned char out[6];
    size_t n = 0;
    assert_int_equal(b64("Zm9vYmFy", out, 5, &n), ERR_LIMIT);
    assert_int_equal(b64("Zm9vYmFy", out, 6, &n), 0);
    assert_int_equal(b64("Zm9vYmE=", out, 5, &n), 0);
    assert_int_equal(n, 5);
}

static void encode_then_decode_gives_the_bytes_back(void **state)
{
    (void)state;
    unsigned char data[70], back[70];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof data; len++) {
        buf b;
        buf_init(&b, 1000);
        assert_int_equal(crypto_b64_encode(&b, data, len), 0);
        assert_int_equal(b.len, crypto_b64_encoded_len(len));
        size_t n = 0;
        assert_int_equal(crypto_b64_decode(back, sizeof back, &n, b.ptr ? b.ptr : "", b.len, NULL),
                         0);
        assert_int_equal(n, len);
        assert_memory_equal(back, data, len);
        buf_free(&b);
    }
}

static void encode_respects_the_buffer_limit(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 7);
    assert_int_equal(crypto_b64_encode(&b, "foobar", 6), ERR_LIMIT);
    assert_int_equal(b.len, 0);
    assert_int_equal(crypto_b64_encode(&b, "foo", 3), 0);
    assert_string_equal(buf_cstr(&b), "Zm9v");
    buf_free(&b);
}

static void hex_decodes_either_case_and_nothing_else(void **state)
{
    (void)state;
    unsigned char out[4];
    size_t n = 0;
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, "00ffAb7C", 8, NULL), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\x00\xff\xab\x7c", 4);
    err e = {0};
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, "abc", 3, &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "odd"));
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, "0g", 2, &e), ERR_PARSE);
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, " 00", 3, &e), ERR_PARSE);
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, "0x00", 4, &e), ERR_PARSE);
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, "0011223344", 10, &e), ERR_LIMIT);
    assert_int_equal(crypto_hex_decode(out, sizeof out, &n, "", 0, &e), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors_decode),
        cmocka_unit_test(lenient_spellings_are_refused),
        cmocka_unit_test(bytes_past_the_slice_are_never_read),
        cmocka_unit_test(output_is_bounded),
        cmocka_unit_test(encode_then_decode_gives_the_bytes_back),
        cmocka_unit_test(encode_respects_the_buffer_limit),
        cmocka_unit_test(hex_decodes_either_case_and_nothing_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
