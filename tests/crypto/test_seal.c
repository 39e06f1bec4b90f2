/* test_seal.c: sealing secrets: round trips, the documented format (opened with OpenSSL
 * directly), tamper detection at every byte, wrong purpose or key, limits. */
#include "crypto/codec.h"
#include "crypto/seal.h"
#include "testkeys.h"

static const unsigned char RAW_KEY[CRYPTO_SEAL_KEY_LEN] = {
    0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
    0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
static const char TOKEN[] = "pit-6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e";
static const char AAD[] = "ghl-token:loc_123";

static crypto_key *test_key(unsigned char first_byte)
{
    unsigned char raw[CRYPTO_SEAL_KEY_LEN];
    memcpy(raw, RAW_KEY, sizeof raw);
    raw[0] = first_byte;
    crypto_key *k = NULL;
    assert_int_equal(crypto_key_from_raw(&k, raw, NULL), 0);
    return k;
}

/* Seals, returning the blob (malloc'd). */
static char *seal(const crypto_key *k, const void *pt, size_t len, const char *aad)
{
    buf b;
    buf_init(&b, 1 << 20);
    err e = {0};
    if (crypto_seal(&b, k, pt, len, aad, &e) != 0)
        fail_msg("%s", e.msg);
    assert_true(crypto_is_sealed(b.ptr, b.len));
    return buf_take(&b);
}

static int open_blob(const crypto_key *k, const char *blob, size_t len, const char *aad, err *e)
{
    char *pt = NULL;
    size_t n = 0;
    int rc = crypto_open(&pt, &n, k, blob, len, aad, e);
    crypto_secret_free(pt, n);
    return rc;
}

static void round_trips_at_every_size(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 1000, CRYPTO_SEAL_MAX_PLAINTEXT};
    unsigned char *data = malloc(CRYPTO_SEAL_MAX_PLAINTEXT);
    for (size_t i = 0; i < CRYPTO_SEAL_MAX_PLAINTEXT; i++)
        data[i] = (unsigned char)(i * 131 + 7);
    for (size_t i = 0; i < PS_ARRAY_LEN(sizes); i++) {
        char *blob = seal(k, data, sizes[i], AAD);
        assert_int_equal(strlen(blob), 3 + crypto_b64_encoded_len(sizes[i] + 28));
        char *pt = NULL;
        size_t n = 99;
        err e = {0};
        assert_int_equal(crypto_open(&pt, &n, k, blob, strlen(blob), AAD, &e), 0);
        assert_int_equal(n, sizes[i]);
        assert_memory_equal(pt, data, n);
        assert_int_equal(pt[n], '\0');
        crypto_secret_free(pt, n);
        free(blob);
    }
    free(data);
    crypto_key_free(k);
}

static void the_same_secret_seals_differently_each_time(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    char *a = seal(k, TOKEN, strlen(TOKEN), AAD);
    char *b = seal(k, TOKEN, strlen(TOKEN), AAD);
    assert_string_not_equal(a, b);
    char *pt = NULL;
    size_t n = 0;
    assert_int_equal(crypto_open(&pt, &n, k, b, strlen(b), AAD, NULL), 0);
    assert_string_equal(pt, TOKEN);
    crypto_secret_free(pt, n);
    free(a);
    free(b);
    crypto_key_free(k);
}

/* The format as documented, read with OpenSSL directly: nonce(12) | ciphertext | tag(16). */
static void format_is_nonce_ciphertext_tag(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    char *blob = seal(k, TOKEN, strlen(TOKEN), AAD);
    assert_memory_equal(blob, "v1:", 3);
    unsigned char raw[256], pt[256];
    size_t raw_len = 0;
    assert_int_equal(crypto_b64_decode(raw, sizeof raw, &raw_len, blob + 3, strlen(blob) - 3, NULL),
                     0);
    size_t ct_len = raw_len - 28;
    assert_int_equal(ct_len, strlen(TOKEN));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, RAW_KEY, raw), 1);
    assert_int_equal(EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)AAD, (int)strlen(AAD)),
                     1);
    assert_int_equal(EVP_DecryptUpdate(ctx, pt, &n, raw + 12, (int)ct_len), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, raw + 12 + ct_len), 1);
    assert_int_equal(EVP_DecryptFinal_ex(ctx, pt + n, &fin), 1);
    EVP_CIPHER_CTX_free(ctx);
    assert_int_equal((size_t)(n + fin), strlen(TOKEN));
    assert_memory_equal(pt, TOKEN, strlen(TOKEN));
    free(blob);
    crypto_key_free(k);
}

/* Every bit of the sealed bytes (nonce, ciphertext, tag) is covered by the tag. */
static void flipping_any_bit_of_the_sealed_bytes_is_detected(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    char *blob = seal(k, TOKEN, strlen(TOKEN), AAD);
    unsigned char raw[256];
    size_t raw_len = 0;
    assert_int_equal(crypto_b64_decode(raw, sizeof raw, &raw_len, blob + 3, strlen(blob) - 3, NULL),
                     0);
    for (size_t bit = 0; bit < raw_len * 8; bit++) {
        raw[bit / 8] ^= (unsigned char)(1u << bit % 8);
        buf b;
        buf_init(&b, 1024);
        assert_int_equal(buf_addstr(&b, "v1:"), 0);
        assert_int_equal(crypto_b64_encode(&b, raw, raw_len), 0);
        err e = {0};
        assert_int_equal(open_blob(k, b.ptr, b.len, AAD, &e), ERR_AUTH);
        assert_string_equal(e.msg, "sealed value was modified or the key is wrong");
        buf_free(&b);
        raw[bit / 8] ^= (unsigned char)(1u << bit % 8);
    }
    free(blob);
    crypto_key_free(k);
}

/* Any change to the text is refused: in the prefix as "not sealed", after it as modified. */
static void changing_any_character_of_the_text_is_refused(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    char *blob = seal(k, TOKEN, strlen(TOKEN), AAD);
    size_t len = strlen(blob);
    static const unsigned char flips[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
    for (size_t i = 0; i < len; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            blob[i] = (char)(blob[i] ^ flips[f]);
            err e = {0};
            int rc = open_blob(k, blob, len, AAD, &e);
            assert_int_equal(rc, i < 3 ? ERR_PARSE : ERR_AUTH);
            if (i >= 3)
                assert_non_null(strstr(e.msg, "sealed value was modified or the key is wrong"));
            blob[i] = (char)(blob[i] ^ flips[f]);
        }
    }
    /* Cut short at every length, or lengthened. */
    for (size_t cut = 0; cut < len; cut++)
        assert_true(open_blob(k, blob, cut, AAD, NULL) != 0);
    char longer[512];
    snprintf(longer, sizeof longer, "%sAAAA", blob);
    assert_int_equal(open_blob(k, longer, strlen(longer), AAD, NULL), ERR_AUTH);
    assert_int_equal(open_blob(k, blob, len, AAD, NULL), 0);
    free(blob);
    crypto_key_free(k);
}

static void wrong_purpose_or_key_is_refused(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    crypto_key *other = test_key((unsigned char)(RAW_KEY[0] ^ 1));
    char *blob = seal(k, TOKEN, strlen(TOKEN), AAD);
    err e = {0};
    assert_int_equal(open_blob(k, blob, strlen(blob), "ghl-token:loc_124", &e), ERR_AUTH);
    assert_string_equal(e.msg, "sealed value was modified or the key is wrong");
    assert_int_equal(open_blob(k, blob, strlen(blob), "", &e), ERR_AUTH);
    assert_int_equal(open_blob(k, blob, strlen(blob), NULL, &e), ERR_AUTH);
    assert_int_equal(open_blob(other, blob, strlen(blob), AAD, &e), ERR_AUTH);
    assert_string_equal(e.msg, "sealed value was modified or the key is wrong");
    free(blob);
    /* No purpose at all: NULL and "" are the same empty associated data. */
    blob = seal(k, TOKEN, strlen(TOKEN), NULL);
    assert_int_equal(open_blob(k, blob, strlen(blob), "", &e), 0);
    assert_int_equal(open_blob(k, blob, strlen(blob), AAD, &e), ERR_AUTH);
    free(blob);
    crypto_key_free(k);
    crypto_key_free(other);
}

static void values_that_are_not_sealed_are_told_apart(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    err e = {0};
    assert_int_equal(open_blob(k, TOKEN, strlen(TOKEN), AAD, &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "not a sealed value"));
    assert_int_equal(open_blob(k, "v2:AAAA", 7, AAD, &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "format v2"));
    assert_int_equal(open_blob(k, "", 0, AAD, &e), ERR_PARSE);
    assert_int_equal(open_blob(k, NULL, 0, AAD, &e), ERR_PARSE);
    assert_int_equal(open_blob(k, "v1:", 3, AAD, &e), ERR_AUTH);
    assert_int_equal(open_blob(k, "v1:AAAA", 7, AAD, &e), ERR_AUTH);
    assert_int_equal(open_blob(k, "v1:!!!!", 7, AAD, &e), ERR_AUTH);
    assert_false(crypto_is_sealed("v1", 2));
    assert_true(crypto_is_sealed("v1:", 3));
    /* The slice ends where its length says, whatever follows. */
    char *blob = seal(k, TOKEN, strlen(TOKEN), AAD);
    char *padded = malloc(strlen(blob) + 8);
    snprintf(padded, strlen(blob) + 8, "%sgarbage", blob);
    assert_int_equal(open_blob(k, padded, strlen(blob), AAD, &e), 0);
    free(padded);
    free(blob);
    crypto_key_free(k);
}

static void limits_are_enforced(void **state)
{
    (void)state;
    crypto_key *k = test_key(RAW_KEY[0]);
    unsigned char *big = calloc(1, CRYPTO_SEAL_MAX_PLAINTEXT + 1);
    buf b;
    buf_init(&b, 1 << 20);
    err e = {0};
    assert_int_equal(crypto_seal(&b, k, big, CRYPTO_SEAL_MAX_PLAINTEXT + 1, AAD, &e), ERR_LIMIT);
    assert_int_equal(b.len, 0);
    buf_free(&b);
    free(big);
    /* An output buffer too small is left unchanged. */
    buf_init(&b, 20);
    assert_int_equal(buf_addstr(&b, "x="), 0);
    assert_int_equal(crypto_seal(&b, k, TOKEN, strlen(TOKEN), AAD, &e), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "x=");
    buf_free(&b);
    assert_int_equal(crypto_seal(&b, NULL, TOKEN, 1, AAD, &e), ERR_INVALID);
    assert_int_equal(crypto_seal(&b, k, NULL, 1, AAD, &e), ERR_INVALID);
    char *long_aad = malloc(5000);
    memset(long_aad, 'a', 4999);
    long_aad[4999] = '\0';
    buf_init(&b, 1024);
    assert_int_equal(crypto_seal(&b, k, TOKEN, 1, long_aad, &e), ERR_INVALID);
    buf_free(&b);
    free(long_aad);
    /* A text longer than any sealed value is refused before decoding. */
    size_t huge_len = 3 + crypto_b64_encoded_len(CRYPTO_SEAL_MAX_PLAINTEXT + 28) + 4;
    char *huge = malloc(huge_len);
    memcpy(huge, "v1:", 3);
    memset(huge + 3, 'A', huge_len - 3);
    assert_int_equal(open_blob(k, huge, huge_len, AAD, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "longer"));
    free(huge);
    crypto_key_free(k);
    crypto_key_free(NULL);
    crypto_secret_free(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_at_every_size),
        cmocka_unit_test(the_same_secret_seals_differently_each_time),
        cmocka_unit_test(format_is_nonce_ciphertext_tag),
        cmocka_unit_test(flipping_any_bit_of_the_sealed_bytes_is_detected),
        cmocka_unit_test(changing_any_character_of_the_text_is_refused),
        cmocka_unit_test(wrong_purpose_or_key_is_refused),
        cmocka_unit_test(values_that_are_not_sealed_are_told_apart),
        cmocka_unit_test(limits_are_enforced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
