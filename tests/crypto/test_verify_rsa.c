/* test_verify_rsa.c: X-WH-Signature checks (RSA-SHA256, PKCS#1 v1.5) against keys made and
 * signatures made by OpenSSL directly in the test, independent of the code under test. */
#include "crypto/verify.h"
#include "testkeys.h"

#include <openssl/rsa.h>
#include <unistd.h>

typedef struct fixture {
    EVP_PKEY *key;   /* the sender's */
    EVP_PKEY *other; /* someone else's */
    crypto_webhook_verifier *v;
} fixture;

static const char BODY[] = "{\"type\":\"ContactCreate\",\"locationId\":\"loc1\",\"id\":\"c1\"}";

static crypto_webhook_verifier *verifier_for(const char *key_value)
{
    crypto_pubkey *key = NULL;
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    if (crypto_pubkey_load_named(&key, "webhook_rsa_public_key", key_value, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(crypto_pubkey_type(key), "RSA");
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_RSA_SHA256, key, &e), 0);
    crypto_pubkey_free(key);
    return v;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    f->other = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!f->key || !f->other)
        return -1;
    char *spki = tk_spki_b64(f->key);
    f->v = verifier_for(spki);
    free(spki);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    crypto_verifier_free(f->v);
    EVP_PKEY_free(f->key);
    EVP_PKEY_free(f->other);
    free(f);
    return 0;
}

static void openssl_signature_verifies(void **state)
{
    fixture *f = *state;
    char *sig = tk_sign_b64(f->key, EVP_sha256(), BODY, strlen(BODY));
    err e = {0};
    assert_int_equal(crypto_verify_webhook(f->v, sig, BODY, strlen(BODY), &e), 0);
    free(sig);
    sig = tk_sign_b64(f->key, EVP_sha256(), "", 0);
    assert_int_equal(crypto_verify_webhook(f->v, sig, NULL, 0, &e), 0);
    assert_int_equal(crypto_verify_webhook(f->v, sig, "", 0, &e), 0);
    free(sig);
}

static void pem_file_and_inline_pem_verify(void **state)
{
    fixture *f = *state;
    char *pem = tk_pem(f->key);
    char dir[] = "/tmp/pheedsync-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/ghl-rsa.pem", dir);
    tk_write_file(path, pem, 0644);
    char *sig = tk_sign_b64(f->key, EVP_sha256(), BODY, strlen(BODY));
    const char *forms[] = {pem, path};
    for (size_t i = 0; i < PS_ARRAY_LEN(forms); i++) {
        crypto_webhook_verifier *v = verifier_for(forms[i]);
        assert_int_equal(crypto_verify_webhook(v, sig, BODY, strlen(BODY), NULL), 0);
        crypto_verifier_free(v);
    }
    unlink(path);
    rmdir(dir);
    free(sig);
    free(pem);
}

static void modified_body_and_wrong_key_are_refused(void **state)
{
    fixture *f = *state;
    char *sig = tk_sign_b64(f->key, EVP_sha256(), BODY, strlen(BODY));
    char body[sizeof BODY];
    memcpy(body, BODY, sizeof BODY);
    err e = {0};
    for (size_t i = 0; i < strlen(body); i += 7) {
        body[i] ^= 0x20;
        assert_int_equal(crypto_verify_webhook(f->v, sig, body, strlen(body), &e), ERR_AUTH);
        body[i] ^= 0x20;
    }
    assert_int_equal(crypto_verify_webhook(f->v, sig, BODY, strlen(BODY) - 1, &e), ERR_AUTH);
    char *theirs = tk_sign_b64(f->other, EVP_sha256(), BODY, strlen(BODY));
    assert_int_equal(crypto_verify_webhook(f->v, theirs, BODY, strlen(BODY), &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "does not match"));
    free(theirs);
    free(sig);
}

/* Other RSA schemes over the same body must not pass for PKCS#1 v1.5 with SHA-256. */
static void other_hashes_and_paddings_are_refused(void **state)
{
    fixture *f = *state;
    char *sha1 = tk_sign_b64(f->key, EVP_sha1(), BODY, strlen(BODY));
    err e = {0};
    assert_int_equal(crypto_verify_webhook(f->v, sha1, BODY, strlen(BODY), &e), ERR_AUTH);
    free(sha1);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_int_equal(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, f->key), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
    unsigned char sig[256];
    size_t len = sizeof sig;
    assert_int_equal(EVP_DigestSign(ctx, sig, &len, (const unsigned char *)BODY, strlen(BODY)), 1);
    EVP_MD_CTX_free(ctx);
    char *pss = tk_b64(sig, len);
    assert_int_equal(crypto_verify_webhook(f->v, pss, BODY, strlen(BODY), &e), ERR_AUTH);
    free(pss);
}

static void truncated_and_garbage_signatures_are_refused(void **state)
{
    fixture *f = *state;
    char *sig = tk_sign_b64(f->key, EVP_sha256(), BODY, strlen(BODY));
    err e = {0};
    char cut[1024];
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(sig) - 4, sig);
    assert_int_equal(crypto_verify_webhook(f->v, cut, BODY, strlen(BODY), &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "expected 256"));
    /* A leading zero byte dropped or added changes the length: refused. */
    unsigned char raw[300] = {0};
    char *zeros = tk_b64(raw, 257);
    assert_int_equal(crypto_verify_webhook(f->v, zeros, BODY, strlen(BODY), &e), ERR_AUTH);
    free(zeros);
    /* Right length, all ones: larger than the modulus. */
    memset(raw, 0xff, 256);
    char *ones = tk_b64(raw, 256);
    assert_int_equal(crypto_verify_webhook(f->v, ones, BODY, strlen(BODY), &e), ERR_AUTH);
    free(ones);
    memset(raw, 0, 256);
    char *nil = tk_b64(raw, 256);
    assert_int_equal(crypto_verify_webhook(f->v, nil, BODY, strlen(BODY), &e), ERR_AUTH);
    free(nil);
    assert_int_equal(crypto_verify_webhook(f->v, "", BODY, strlen(BODY), &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(f->v, NULL, BODY, strlen(BODY), &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(f->v, "%%%%", BODY, strlen(BODY), &e), ERR_AUTH);
    free(sig);
}

static void small_rsa_keys_are_refused(void **state)
{
    (void)state;
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    assert_non_null(small);
    char *spki = tk_spki_b64(small);
    crypto_pubkey *key = NULL;
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    assert_int_equal(crypto_pubkey_load(&key, spki, &e), 0);
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_RSA_SHA256, key, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "1024 bits"));
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_ED25519, key, &e), ERR_CONFIG);
    assert_null(v);
    crypto_pubkey_free(key);
    free(spki);
    EVP_PKEY_free(small);
}

static void ghl_default_is_a_placeholder_until_filled(void **state)
{
    (void)state;
    crypto_pubkey *key = NULL;
    err e = {0};
    int rc = crypto_pubkey_ghl_default(&key, CRYPTO_SIG_RSA_SHA256, &e);
    if (CRYPTO_GHL_DEFAULT_RSA_KEY_PEM[0] == '\0') {
        assert_int_equal(rc, ERR_CONFIG);
        assert_non_null(strstr(e.msg, "set webhook_rsa_public_key"));
        assert_null(key);
    } else {
        assert_int_equal(rc, 0);
        assert_string_equal(crypto_pubkey_type(key), "RSA");
    }
    crypto_pubkey_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openssl_signature_verifies),
        cmocka_unit_test(pem_file_and_inline_pem_verify),
        cmocka_unit_test(modified_body_and_wrong_key_are_refused),
        cmocka_unit_test(other_hashes_and_paddings_are_refused),
        cmocka_unit_test(truncated_and_garbage_signatures_are_refused),
        cmocka_unit_test(small_rsa_keys_are_refused),
        cmocka_unit_test(ghl_default_is_a_placeholder_until_filled),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
