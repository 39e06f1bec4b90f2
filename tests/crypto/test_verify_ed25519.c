/* test_verify_ed25519.c: X-GHL-Signature checks: RFC 8032 vectors through the public API with
 * keys as SPKI built by hand from the raw 32 bytes, tampering, malformed headers, key loading. */
#include "crypto/verify.h"
#include "testkeys.h"

#include <unistd.h>

/* RFC 8032 section 7.1, tests 1 to 3. */
static const struct {
    const char *pub, *msg, *sig;
} RFC8032[] = {
    {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
     "b46bd25bf5f0595bbe24655141438e7a100b"},
    {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984d"
     "c6594a7c15e9716ed28dc027beceea1ec40a"},
};

/* SubjectPublicKeyInfo for Ed25519 (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
 * BIT STRING { 0 unused bits, the 32 key bytes } }. */
static char *spki_b64_from_raw(const char *pub_hex)
{
    unsigned char der[44] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                             0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    assert_int_equal(tk_unhex(der + 12, pub_hex), 32);
    return tk_b64(der, sizeof der);
}

static crypto_webhook_verifier *verifier_for(const char *key_value)
{
    crypto_pubkey *key = NULL;
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    assert_int_equal(crypto_pubkey_load(&key, key_value, &e), 0);
    assert_string_equal(crypto_pubkey_type(key), "ED25519");
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_ED25519, key, &e), 0);
    crypto_pubkey_free(key); /* the verifier keeps its own reference */
    return v;
}

/* Vector i's message and signature (base64); returns the message length. */
static size_t vector(size_t i, unsigned char *msg, char **sig_b64)
{
    unsigned char sig[64];
    assert_int_equal(tk_unhex(sig, RFC8032[i].sig), 64);
    *sig_b64 = tk_b64(sig, sizeof sig);
    return tk_unhex(msg, RFC8032[i].msg);
}

static void rfc8032_vectors_verify(void **state)
{
    (void)state;
    for (size_t i = 0; i < PS_ARRAY_LEN(RFC8032); i++) {
        char *spki = spki_b64_from_raw(RFC8032[i].pub);
        crypto_webhook_verifier *v = verifier_for(spki);
        unsigned char msg[8];
        char *sig = NULL;
        size_t len = vector(i, msg, &sig);
        err e = {0};
        assert_int_equal(crypto_verify_webhook(v, sig, msg, len, &e), 0);
        crypto_verifier_free(v);
        free(sig);
        free(spki);
    }
}

static void modified_body_or_signature_is_refused(void **state)
{
    (void)state;
    char *spki = spki_b64_from_raw(RFC8032[2].pub);
    crypto_webhook_verifier *v = verifier_for(spki);
    unsigned char msg[8];
    char *sig = NULL;
    size_t len = vector(2, msg, &sig);
    err e = {0};
    msg[0] ^= 1;
    assert_int_equal(crypto_verify_webhook(v, sig, msg, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "does not match"));
    msg[0] ^= 1;
    assert_int_equal(crypto_verify_webhook(v, sig, msg, len - 1, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, sig, msg, len + 1, &e), ERR_AUTH);
    /* Every bit of the signature matters. */
    unsigned char raw[64];
    tk_unhex(raw, RFC8032[2].sig);
    for (size_t bit = 0; bit < 64 * 8; bit++) {
        raw[bit / 8] ^= (unsigned char)(1u << bit % 8);
        char *bad = tk_b64(raw, sizeof raw);
        assert_int_equal(crypto_verify_webhook(v, bad, msg, len, &e), ERR_AUTH);
        free(bad);
        raw[bit / 8] ^= (unsigned char)(1u << bit % 8);
    }
    assert_int_equal(crypto_verify_webhook(v, sig, msg, len, &e), 0);
    crypto_verifier_free(v);
    free(sig);
    free(spki);
}

static void another_key_is_refused(void **state)
{
    (void)state;
    char *spki = spki_b64_from_raw(RFC8032[1].pub);
    crypto_webhook_verifier *v = verifier_for(spki);
    unsigned char msg[8];
    char *sig = NULL;
    size_t len = vector(0, msg, &sig);
    err e = {0};
    assert_int_equal(crypto_verify_webhook(v, sig, msg, len, &e), ERR_AUTH);
    crypto_verifier_free(v);
    free(sig);
    free(spki);
}

static void malformed_headers_are_refused(void **state)
{
    (void)state;
    char *spki = spki_b64_from_raw(RFC8032[0].pub);
    crypto_webhook_verifier *v = verifier_for(spki);
    unsigned char msg[8];
    char *sig = NULL;
    size_t len = vector(0, msg, &sig);
    err e = {0};
    assert_int_equal(crypto_verify_webhook(v, NULL, msg, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "missing"));
    assert_int_equal(crypto_verify_webhook(v, "", msg, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(crypto_verify_webhook(v, " \t ", msg, len, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, "!!!!", msg, len, &e), ERR_AUTH);
    assert_int_equal(crypto_verify_webhook(v, "sha256=abcd", msg, len, &e), ERR_AUTH);
    /* Truncated: one base64 quantum short, then one character short. */
    char cut[128];
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(sig) - 4, sig);
    assert_int_equal(crypto_verify_webhook(v, cut, msg, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "expected 64"));
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(sig) - 1, sig);
    assert_int_equal(crypto_verify_webhook(v, cut, msg, len, &e), ERR_AUTH);
    /* A space inside, a line break at the end. */
    snprintf(cut, sizeof cut, "%.10s %s", sig, sig + 10);
    assert_int_equal(crypto_verify_webhook(v, cut, msg, len, &e), ERR_AUTH);
    snprintf(cut, sizeof cut, "%s\n", sig);
    assert_int_equal(crypto_verify_webhook(v, cut, msg, len, &e), ERR_AUTH);
    /* Spaces and tabs around the value are how HTTP frames it: accepted. */
    snprintf(cut, sizeof cut, " \t%s ", sig);
    assert_int_equal(crypto_verify_webhook(v, cut, msg, len, &e), 0);
    /* Twice the signature, and a very long header. */
    snprintf(cut, sizeof cut, "%s%s", sig, sig);
    assert_int_equal(crypto_verify_webhook(v, cut, msg, len, &e), ERR_AUTH);
    char *huge = malloc(CRYPTO_SIG_HEADER_MAX + 2);
    memset(huge, 'A', CRYPTO_SIG_HEADER_MAX + 1);
    huge[CRYPTO_SIG_HEADER_MAX + 1] = '\0';
    assert_int_equal(crypto_verify_webhook(v, huge, msg, len, &e), ERR_AUTH);
    assert_non_null(strstr(e.msg, "longer"));
    free(huge);
    assert_int_equal(crypto_verify_webhook(v, sig, NULL, 5, &e), ERR_INVALID);
    crypto_verifier_free(v);
    free(sig);
    free(spki);
}

static void pem_inline_and_pem_file_load_the_same_key(void **state)
{
    (void)state;
    char *spki = spki_b64_from_raw(RFC8032[1].pub);
    char pem[512];
    snprintf(pem, sizeof pem, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", spki);
    char dir[] = "/tmp/pheedsync-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/ghl.pem", dir);
    tk_write_file(path, pem, 0644);
    char padded[300];
    snprintf(padded, sizeof padded, "  %s\n", path);
    unsigned char msg[8];
    char *sig = NULL;
    size_t len = vector(1, msg, &sig);
    const char *forms[] = {pem, path, padded, spki};
    for (size_t i = 0; i < PS_ARRAY_LEN(forms); i++) {
        crypto_webhook_verifier *v = verifier_for(forms[i]);
        err e = {0};
        assert_int_equal(crypto_verify_webhook(v, sig, msg, len, &e), 0);
        crypto_verifier_free(v);
    }
    /* A file holding the bare base64 works too. */
    tk_write_file(path, spki, 0644);
    crypto_webhook_verifier *v = verifier_for(path);
    assert_int_equal(crypto_verify_webhook(v, sig, msg, len, NULL), 0);
    crypto_verifier_free(v);
    unlink(path);
    rmdir(dir);
    free(sig);
    free(spki);
}

static void load_error(const char *value, const char *want)
{
    crypto_pubkey *key = NULL;
    err e = {0};
    assert_int_equal(crypto_pubkey_load(&key, value, &e), ERR_CONFIG);
    assert_null(key);
    if (!strstr(e.msg, want))
        fail_msg("'%s' not in '%s'", want, e.msg);
}

static void unreadable_keys_get_clear_errors(void **state)
{
    (void)state;
    static const char prefix[] = "webhook_public_key: not a PEM file nor base64 SPKI: ";
    load_error(NULL, prefix);
    load_error("   ", "empty");
    load_error("/nonexistent/ghl.pem", prefix);
    load_error("/nonexistent/ghl.pem", "cannot open '/nonexistent/ghl.pem'");
    load_error("AAAA", "does not decode to a DER SubjectPublicKeyInfo");
    load_error("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "PEM");
    /* The SPKI followed by anything else is not an SPKI. */
    unsigned char der[45] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                             0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    char *trailing = tk_b64(der, sizeof der);
    load_error(trailing, "does not decode");
    free(trailing);
    char dir[] = "/tmp/pheedsync-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/junk.pem", dir);
    tk_write_file(path, "hello, not a key\n", 0644);
    load_error(path, prefix);
    load_error(path, "junk.pem");
    unlink(path);
    /* A FIFO is refused at once rather than waited on. */
    assert_int_equal(mkfifo(path, 0600), 0);
    load_error(path, "not base64 either");
    unlink(path);
    load_error(dir, "Is a directory");
    rmdir(dir);
    crypto_pubkey *key = NULL;
    err e = {0};
    assert_int_equal(crypto_pubkey_load_named(&key, "webhook_rsa_public_key", "??", &e),
                     ERR_CONFIG);
    assert_non_null(strstr(e.msg, "webhook_rsa_public_key: not a PEM file nor base64 SPKI"));
}

static void other_key_types_are_refused(void **state)
{
    (void)state;
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);
    char *spki = tk_spki_b64(ec);
    load_error(spki, "key type EC is not supported");
    free(spki);
    EVP_PKEY_free(ec);
}

static void the_key_must_match_the_algorithm(void **state)
{
    (void)state;
    char *spki = spki_b64_from_raw(RFC8032[0].pub);
    crypto_pubkey *key = NULL;
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    assert_int_equal(crypto_pubkey_load(&key, spki, &e), 0);
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_RSA_SHA256, key, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "ED25519"));
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_HMAC_SHA256, key, &e), ERR_INVALID);
    assert_int_equal(crypto_verifier_new_pubkey(&v, CRYPTO_SIG_ED25519, NULL, &e), ERR_CONFIG);
    assert_null(v);
    crypto_pubkey_free(key);
    crypto_pubkey_free(NULL);
    crypto_verifier_free(NULL);
    free(spki);
}

static void ghl_default_is_a_placeholder_until_filled(void **state)
{
    (void)state;
    crypto_pubkey *key = NULL;
    err e = {0};
    int rc = crypto_pubkey_ghl_default(&key, CRYPTO_SIG_ED25519, &e);
    if (CRYPTO_GHL_DEFAULT_ED25519_KEY_PEM[0] == '\0') {
        assert_int_equal(rc, ERR_CONFIG);
        assert_non_null(strstr(e.msg, "set webhook_public_key"));
    } else {
        assert_int_equal(rc, 0);
        assert_string_equal(crypto_pubkey_type(key), "ED25519");
    }
    crypto_pubkey_free(key);
    assert_int_equal(crypto_pubkey_ghl_default(&key, CRYPTO_SIG_HMAC_SHA1, &e), ERR_INVALID);
}

static void names_parse(void **state)
{
    (void)state;
    crypto_sig_alg a;
    crypto_sig_encoding enc;
    assert_int_equal(crypto_sig_alg_parse(&a, "ed25519"), 0);
    assert_int_equal(a, CRYPTO_SIG_ED25519);
    assert_int_equal(crypto_sig_alg_parse(&a, "RSA-SHA256"), 0);
    assert_int_equal(a, CRYPTO_SIG_RSA_SHA256);
    assert_int_equal(crypto_sig_alg_parse(&a, "sha512"), 0);
    assert_int_equal(a, CRYPTO_SIG_HMAC_SHA512);
    assert_int_equal(crypto_sig_alg_parse(&a, "hmac-sha1"), 0);
    assert_int_equal(a, CRYPTO_SIG_HMAC_SHA1);
    assert_int_equal(crypto_sig_alg_parse(&a, "md5"), ERR_INVALID);
    assert_int_equal(crypto_sig_alg_parse(&a, NULL), ERR_INVALID);
    assert_int_equal(crypto_sig_encoding_parse(&enc, "base64"), 0);
    assert_int_equal(enc, CRYPTO_SIG_BASE64);
    assert_int_equal(crypto_sig_encoding_parse(&enc, "HEX"), 0);
    assert_int_equal(enc, CRYPTO_SIG_HEX);
    assert_int_equal(crypto_sig_encoding_parse(&enc, "base32"), ERR_INVALID);
    assert_string_equal(crypto_sig_alg_name(CRYPTO_SIG_HMAC_SHA256), "sha256");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc8032_vectors_verify),
        cmocka_unit_test(modified_body_or_signature_is_refused),
        cmocka_unit_test(another_key_is_refused),
        cmocka_unit_test(malformed_headers_are_refused),
        cmocka_unit_test(pem_inline_and_pem_file_load_the_same_key),
        cmocka_unit_test(unreadable_keys_get_clear_errors),
        cmocka_unit_test(other_key_types_are_refused),
        cmocka_unit_test(the_key_must_match_the_algorithm),
        cmocka_unit_test(ghl_default_is_a_placeholder_until_filled),
        cmocka_unit_test(names_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
