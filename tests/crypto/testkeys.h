/* testkeys.h: small helpers shared by the crypto tests: hex literals, base64 via OpenSSL
 * directly (so that tests do not lean on the code under test), key export, temporary files. */
#ifndef PHEEDSYNC_TESTS_CRYPTO_TESTKEYS_H
#define PHEEDSYNC_TESTS_CRYPTO_TESTKEYS_H

#include "util/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* Hex text to bytes; returns the byte count. The text is a trusted literal. */
static inline size_t tk_unhex(unsigned char *out, const char *hex)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        char pair[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        char *end = NULL;
        unsigned long v = strtoul(pair, &end, 16);
        assert_true(end == pair + 2);
        out[i] = (unsigned char)v;
    }
    return n;
}

/* Base64 of data, malloc'd, by OpenSSL's encoder. */
static inline char *tk_b64(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

/* The public half of key as base64 SPKI DER, malloc'd. */
static inline char *tk_spki_b64(EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    assert_true(n > 0);
    char *out = tk_b64(der, (size_t)n);
    OPENSSL_free(der);
    return out;
}

/* The public half of key as PEM, malloc'd. */
static inline char *tk_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PUBKEY(bio, key), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    assert_true(n > 0);
    char *out = malloc((size_t)n + 1);
    assert_non_null(out);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(bio);
    return out;
}

/* A signature of msg by key (md NULL for Ed25519), base64, malloc'd; OpenSSL directly. */
static inline char *tk_sign_b64(EVP_PKEY *key, const EVP_MD *md, const void *msg, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, key), 1);
    unsigned char sig[1024];
    size_t sig_len = sizeof sig;
    assert_int_equal(EVP_DigestSign(ctx, sig, &sig_len, msg, len), 1);
    EVP_MD_CTX_free(ctx);
    return tk_b64(sig, sig_len);
}

/* Writes text to path with mode. */
static inline void tk_write_file(const char *path, const char *text, unsigned mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

#endif
