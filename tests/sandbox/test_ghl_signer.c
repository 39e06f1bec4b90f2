/* test_ghl_signer.c: the webhook signer's signatures verify with OpenSSL from the exported keys. */
#include "sandbox/ghl/ghl_signer.h"

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static EVP_PKEY *load_pem(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    assert_non_null(bio);
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(key);
    return key;
}

static unsigned char *b64_decode(const char *b64, size_t *out_len)
{
    size_t n = strlen(b64);
    unsigned char *out = malloc(n + 1);
    assert_non_null(out);
    int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    assert_true(len >= 0);
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (n >= 1 && b64[n - 1] == '=')
        len--;
    if (n >= 2 && b64[n - 2] == '=')
        len--;
    *out_len = (size_t)len;
    return out;
}

static bool verify(const char *pem, const EVP_MD *md, const char *body, size_t len,
                   const char *sig_b64)
{
    EVP_PKEY *key = load_pem(pem);
    size_t sig_len;
    unsigned char *sig = b64_decode(sig_b64, &sig_len);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, md, NULL, key), 1);
    int rc = EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)body, len);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    free(sig);
    return rc == 1;
}

static int setup(void **state)
{
    sbx_ghl_signer *s = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_new(&s, &e), 0);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    sbx_ghl_signer_free(*state);
    return 0;
}

static void test_both_signatures_verify(void **state)
{
    sbx_ghl_signer *s = *state;
    const char body[] = "{\"type\":\"ContactCreate\",\"locationId\":\"ve9EPM428h8vShlRW1KT\","
                        "\"id\":\"nmFmQEsNgz6AVpgLVUJ0\",\"timestamp\":\"2026-11-27T07:47:59Z\"}";
    char *ed = NULL, *rsa = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_sign(s, body, strlen(body), &ed, &rsa, &e), 0);
    assert_null(strchr(ed, '\n'));
    assert_null(strchr(rsa, '\n'));
    assert_int_equal(strlen(ed), 88);   /* 64 bytes in base64 */
    assert_int_equal(strlen(rsa), 344); /* 256 bytes in base64 */
    assert_true(verify(sbx_ghl_signer_ed25519_pem(s), NULL, body, strlen(body), ed));
    assert_true(verify(sbx_ghl_signer_rsa_pem(s), EVP_sha256(), body, strlen(body), rsa));

    /* One changed byte, or a signature checked with the other digest, must fail. */
    char changed[sizeof body];
    memcpy(changed, body, sizeof body);
    changed[10] ^= 1;
    assert_false(verify(sbx_ghl_signer_ed25519_pem(s), NULL, changed, strlen(changed), ed));
    assert_false(verify(sbx_ghl_signer_rsa_pem(s), EVP_sha256(), changed, strlen(changed), rsa));
    assert_false(verify(sbx_ghl_signer_rsa_pem(s), EVP_sha1(), body, strlen(body), rsa));
    /* The two keys are not interchangeable. */
    assert_false(verify(sbx_ghl_signer_rsa_pem(s), EVP_sha256(), body, strlen(body), ed));
    free(ed);
    free(rsa);
}

static void test_exports(void **state)
{
    sbx_ghl_signer *s = *state;
    assert_non_null(strstr(sbx_ghl_signer_ed25519_pem(s), "-----BEGIN PUBLIC KEY-----\n"));
    assert_non_null(strstr(sbx_ghl_signer_rsa_pem(s), "-----BEGIN PUBLIC KEY-----\n"));
    EVP_PKEY *rsa = load_pem(sbx_ghl_signer_rsa_pem(s));
    assert_int_equal(EVP_PKEY_get_base_id(rsa), EVP_PKEY_RSA);
    assert_int_equal(EVP_PKEY_get_bits(rsa), 2048);
    EVP_PKEY_free(rsa);

    /* The bare base64 is the PEM's body: the same SPKI DER. */
    size_t der_len;
    unsigned char *der = b64_decode(sbx_ghl_signer_ed25519_spki_b64(s), &der_len);
    assert_int_equal(der_len, 44);
    const unsigned char *p = der;
    EVP_PKEY *from_der = d2i_PUBKEY(NULL, &p, (long)der_len);
    assert_non_null(from_der);
    EVP_PKEY *from_pem = load_pem(sbx_ghl_signer_ed25519_pem(s));
    assert_int_equal(EVP_PKEY_eq(from_der, from_pem), 1);
    assert_int_equal(EVP_PKEY_get_base_id(from_der), EVP_PKEY_ED25519);
    EVP_PKEY_free(from_der);
    EVP_PKEY_free(from_pem);
    free(der);
}

static void test_empty_and_binary_bodies(void **state)
{
    sbx_ghl_signer *s = *state;
    const char bin[] = {'a', '\0', 'b', '\xff'};
    char *ed = NULL, *rsa = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_sign(s, bin, sizeof bin, &ed, &rsa, &e), 0);
    assert_true(verify(sbx_ghl_signer_ed25519_pem(s), NULL, bin, sizeof bin, ed));
    assert_true(verify(sbx_ghl_signer_rsa_pem(s), EVP_sha256(), bin, sizeof bin, rsa));
    /* The signature covers every byte, including those after a NUL. */
    assert_false(verify(sbx_ghl_signer_ed25519_pem(s), NULL, bin, 1, ed));
    free(ed);
    free(rsa);
    assert_int_equal(sbx_ghl_signer_sign(s, "", 0, &ed, &rsa, &e), 0);
    assert_true(verify(sbx_ghl_signer_ed25519_pem(s), NULL, "", 0, ed));
    assert_true(verify(sbx_ghl_signer_rsa_pem(s), EVP_sha256(), "", 0, rsa));
    free(ed);
    free(rsa);
}

static void hex_to_bytes(const char *hex, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char pair[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        out[i] = (unsigned char)strtoul(pair, NULL, 16);
    }
}

/* RFC 8032 section 7.1, TEST 1: the empty message. Ed25519 is deterministic, so the signature
 * must be the RFC's byte for byte, and the exported SPKI must carry the RFC's public key. */
static void test_rfc8032_vector_1(void **state)
{
    (void)state;
    unsigned char seed[32], pub[32], sig[64];
    hex_to_bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, 32);
    hex_to_bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub, 32);
    hex_to_bytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                 "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                 sig, 64);
    sbx_ghl_signer *s = NULL;
    err e = {0};
    assert_int_equal(sbx_ghl_signer_new_with_ed25519_seed(&s, seed, &e), 0);

    size_t der_len;
    unsigned char *der = b64_decode(sbx_ghl_signer_ed25519_spki_b64(s), &der_len);
    static const unsigned char spki_prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    assert_int_equal(der_len, sizeof spki_prefix + 32);
    assert_memory_equal(der, spki_prefix, sizeof spki_prefix);
    assert_memory_equal(der + sizeof spki_prefix, pub, 32);
    free(der);

    char *ed = NULL, *rsa = NULL;
    assert_int_equal(sbx_ghl_signer_sign(s, "", 0, &ed, &rsa, &e), 0);
    size_t got_len;
    unsigned char *got = b64_decode(ed, &got_len);
    assert_int_equal(got_len, 64);
    assert_memory_equal(got, sig, 64);
    assert_true(verify(sbx_ghl_signer_ed25519_pem(s), NULL, "", 0, ed));
    assert_false(verify(sbx_ghl_signer_ed25519_pem(s), NULL, "x", 1, ed));
    free(got);
    free(ed);
    free(rsa);
    sbx_ghl_signer_free(s);
}

static void test_free_null(void **state)
{
    (void)state;
    sbx_ghl_signer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_both_signatures_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_binary_bodies, setup, teardown),
        cmocka_unit_test(test_rfc8032_vector_1),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
