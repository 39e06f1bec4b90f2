/* test_verify_hmac.c: shared-secret webhook checks: RFC 4231 (and RFC 2202 for SHA-1) vectors in
 * hex and base64, labels, tampering, truncation, and many threads on one verifier. */
#include "crypto/verify.h"
#include "testkeys.h"

#include <pthread.h>

typedef struct vec {
    const char *key_hex; /* NULL: key_text */
    const char *key_text;
    size_t key_repeat;    /* key_hex repeated this many times (1 when 0) */
    const char *data;     /* text */
    const char *data_hex; /* or one byte repeated */
    size_t data_repeat;
    const char *mac_hex;
} vec;

/* RFC 4231 section 4: test cases 1, 2, 3, 4, 6 and 7 (case 5 is truncated output). */
static const vec RFC4231[] = {
    {"0b", NULL, 20, "Hi There", NULL, 0,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {NULL, "Jefe", 0, "what do ya want for nothing?", NULL, 0,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"aa", NULL, 20, NULL, "dd", 50,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"0102030405060708090a0b0c0d0e0f10111213141516171819", NULL, 1, NULL, "cd", 50,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"aa", NULL, 131, "Test Using Larger Than Block-Size Key - Hash Key First", NULL, 0,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"aa", NULL, 131,
     "This is a test using a larger than block-size key and a larger than block-size data. The "
     "key needs to be hashed before being used by the HMAC algorithm.",
     NULL, 0, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

static size_t vec_key(const vec *t, unsigned char *out)
{
    if (!t->key_hex) {
        memcpy(out, t->key_text, strlen(t->key_text));
        return strlen(t->key_text);
    }
    size_t n = 0, times = t->key_repeat ? t->key_repeat : 1;
    for (size_t i = 0; i < times; i++)
        n += tk_unhex(out + n, t->key_hex);
    return n;
}

static size_t vec_data(const vec *t, unsigned char *out)
{
    if (t->data) {
        memcpy(out, t->data, strlen(t->data));
        return strlen(t->data);
    }
    unsigned char byte;
    tk_unhex(&byte, t->data_hex);
    memset(out, byte, t->data_repeat);
    return t->data_repeat;
}

static crypto_webhook_verifier *hmac(crypto_sig_alg alg, const void *key, size_t len,
                                     crypto_sig_encoding enc)
{
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    assert_int_equal(crypto_verifier_new_hmac(&v, alg, key, len, enc, &e), 0);
    return v;
}

static void upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'f')
            *s = (char)(*s - 'a' + 'A');
}

static void rfc4231_vectors_verify_in_every_spelling(void **state)
{
    (void)state;
    for (size_t i = 0; i < PS_ARRAY_LEN(RFC4231); i++) {
        unsigned char key[200], data[200], mac[32];
        size_t key_len = vec_key(&RFC4231[i], key), len = vec_data(&RFC4231[i], data);
        tk_unhex(mac, RFC4231[i].mac_hex);
        crypto_webhook_verifier *hex = hmac(CRYPTO_SIG_HMAC_SHA256, key, key_len, CRYPTO_SIG_HEX);
        crypto_webhook_verifier *b64 =
            hmac(CRYPTO_SIG_HMAC_SHA256, key, key_len, CRYPTO_SIG_BASE64);
        err e = {0};
        char text[200];
        snprintf(text, sizeof text, "%s", RFC4231[i].mac_hex);
        assert_int_equal(crypto_verify_webhook(hex, text, data, len, &e), 0);
        upper(text);
        assert_int_equal(crypto_verify_webhook(hex, text, data, len, &e), 0);
        snprintf(text, sizeof text, "sha256=%s", RFC4231[i].mac_hex);
        assert_int_equal(crypto_verify_webhook(hex, text, data, len, &e), 0);
        snprintf(text, sizeof text, "SHA256=%s", RFC4231[i].mac_hex);
        assert_int_equal(crypto_verify_webhook(hex, text, data, len, &e), 0);
        char *mac_b64 = tk_b64(mac, sizeof mac);
        assert_int_equal(crypto_verify_webhook(b64, mac_b64, data, len, &e), 0);
        snprintf(text, sizeof text, "sha256=%s", mac_b64);
        assert_int_equal(crypto_verify_webhook(b64, text, data, len, &e), 0);
        /* Each encoding only reads its own. */
        assert_int_equal(crypto_verify_webhook(hex, mac_b64, data, len, &e), ERR_AUTH);
        assert_int_equal(crypto_verify_webhook(b64, RFC4231[i].mac_hex, data, len, &e), ERR_AUTH);
        free(mac_b64);
        crypto_verifier_free(hex);
        crypto_verifier_free(b64);
    }
}

static void sha1_and_sha512_are_selectable(void **state)
{
    (void)state;
    unsigned char key[20];
    memset(key, 0x0b, sizeof key);
    crypto_webhook_verifier *s1 = hmac(CRYPTO_SIG_HMAC_SHA1, key, sizeof key, CRYPTO_SIG_HEX);
    crypto_webhook_verifier *s512 = hmac(CRYPTO_SIG_HMAC_SHA512, key, sizeof key, CRYPTO_SIG_HEX);
    /* RFC 2202 test case 1 and RFC 4231 test case 1. */
    static const char mac1[] = "b617318655057264e28bc0b6fb378c8ef146be00";
    static const char mac512[] = "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                                 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854";
    err e = {0};
    assert_int_equal(crypto_verify_webhook(s1, mac1, "Hi There", 8, &e), 0);
    assert_int_equal(crypto_verify_webhook(s512, mac512, "Hi There", 8, &e), 0);
    char text[200];
    snprintf(text, sizeof text, "sha1=%s", mac1);
    assert_int_equal(crypto_verify_webhook(s1, text, "Hi There", 8, &e), 0);
    snprintf(text, sizeof text, "sha512=%s", mac512);
    assert_int_equal(crypto_verify_webhook(s512, text, "Hi There", 8, &e), 0);
    /* A label naming another hash is refused, even with a matching value. */
    snprintf(text, sizeof text, "sha256=%s", mac1);
    assert_int_equal(crypto_verify_webhook(s1, text, "Hi There", 8, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "labelled sha256, expected sha1"));
    /* The SHA-1 MAC is not a SHA-512 one. */
    assert_int_equal(crypto_verify_webhook(s512, mac1, "Hi There", 8, &e), ERR_AUTH);
    crypto_verifier_free(s1);
    crypto_verifier_free(s512);
}

static void tampering_and_wrong_secrets_are_refused(void **state)
{
    (void)state;
    const vec *t = &RFC4231[1];
    crypto_webhook_verifier *v = hmac(CRYPTO_SIG_HMAC_SHA256, "Jefe", 4, CRYPTO_SIG_HEX);
    crypto_webhook_verifier *w = hmac(CRYPTO_SIG_HMAC_SHA256, "jefe", 4, CRYPTO_SIG_HEX);
    char data[64];
    snprintf(data, sizeof data, "%s", t->data);
    size_t len = strlen(data);
    err e = {0};
    assert_int_equal(crypto_verify_webhook(w, t->mac_hex, data, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "does not match"));
    for (size_t i = 0; i < len; i++) {
        data[i] ^= 1;
        assert_int_equal(crypto_verify_webhook(v, t->mac_hex, data, len, &e), ERR_AUTH);
        data[i] ^= 1;
    }
    assert_int_equal(crypto_verify_webhook(v, t->mac_hex, data, len - 1, &e), ERR_AUTH);
    char text[200];
    for (size_t i = 0; i < 64; i++) {
        snprintf(text, sizeof text, "%s", t->mac_hex);
        text[i] = text[i] == '0' ? '1' : '0';
        assert_int_equal(crypto_verify_webhook(v, text, data, len, &e), ERR_AUTH);
    }
    /* RFC 4231 case 5 style truncation to 128 bits is not accepted. */
    snprintf(text, sizeof text, "%.32s", t->mac_hex);
    assert_int_equal(crypto_verify_webhook(v, text, data, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "expected 32"));
    snprintf(text, sizeof text, "%s00", t->mac_hex);
    assert_int_equal(crypto_verify_webhook(v, text, data, len, &e), ERR_AUTH);
    snprintf(text, sizeof text, "%.63s", t->mac_hex);
    assert_int_equal(crypto_verify_webhook(v, text, data, len, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, "zz", data, len, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, "sha256=", data, len, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, "", data, len, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, NULL, data, len, &e), ERR_AUTH);
    crypto_verifier_free(v);
    crypto_verifier_free(w);
}

static void bad_configurations_are_refused(void **state)
{
    (void)state;
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    assert_int_equal(
        crypto_verifier_new_hmac(&v, CRYPTO_SIG_HMAC_SHA256, "", 0, CRYPTO_SIG_HEX, &e),
        ERR_CONFIG);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(
        crypto_verifier_new_hmac(&v, CRYPTO_SIG_HMAC_SHA256, NULL, 3, CRYPTO_SIG_HEX, &e),
        ERR_CONFIG);
    assert_int_equal(crypto_verifier_new_hmac(&v, CRYPTO_SIG_ED25519, "k", 1, CRYPTO_SIG_HEX, &e),
                     ERR_INVALID);
    assert_int_equal(
        crypto_verifier_new_hmac(&v, CRYPTO_SIG_HMAC_SHA1, "k", 1, (crypto_sig_encoding)7, &e),
        ERR_INVALID);
    assert_null(v);
}

typedef struct worker {
    const crypto_webhook_verifier *v;
    int failures;
} worker;

static void *verify_many(void *arg)
{
    worker *w = arg;
    const vec *t = &RFC4231[1];
    for (int i = 0; i < 200; i++) {
        bool good = i % 2 == 0;
        int rc = crypto_verify_webhook(w->v, t->mac_hex, t->data, strlen(t->data) - !good, NULL);
        if (rc != (good ? 0 : ERR_AUTH))
            w->failures++;
    }
    return NULL;
}

static void one_verifier_serves_many_threads(void **state)
{
    (void)state;
    crypto_webhook_verifier *v = hmac(CRYPTO_SIG_HMAC_SHA256, "Jefe", 4, CRYPTO_SIG_HEX);
    pthread_t th[4];
    worker w[4];
    for (size_t i = 0; i < PS_ARRAY_LEN(th); i++) {
        w[i] = (worker){.v = v};
        assert_int_equal(pthread_create(&th[i], NULL, verify_many, &w[i]), 0);
    }
    for (size_t i = 0; i < PS_ARRAY_LEN(th); i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    crypto_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4231_vectors_verify_in_every_spelling),
        cmocka_unit_test(sha1_and_sha512_are_selectable),
        cmocka_unit_test(tampering_and_wrong_secrets_are_refused),
        cmocka_unit_test(bad_configurations_are_refused),
        cmocka_unit_test(one_verifier_serves_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
