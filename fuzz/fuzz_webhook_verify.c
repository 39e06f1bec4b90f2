/* fuzz_webhook_verify.c: crypto_verify_webhook on arbitrary header values and bodies, for each
 * algorithm with a fixed key. Input: one byte choosing the algorithm, the header value up to the
 * first newline, then the body. A correct signature of the body must always pass. */
#include "crypto/codec.h"
#include "crypto/verify.h"
#include "fuzz/fuzz.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#define MODES 6

/* RFC 8032 test 2's private key: a fixed, public test key. */
static const unsigned char ED_SEED[32] = {
    0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f,
    0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};
static const char SECRET[] = "fuzz-secret";

/* Keys and verifiers are made once and never change, so inputs stay independent; RSA key
 * generation is too slow to repeat per input. */
static struct {
    EVP_PKEY *priv[2]; /* Ed25519, RSA */
    crypto_webhook_verifier *v[MODES];
} K;

static crypto_webhook_verifier *pubkey_verifier(EVP_PKEY *priv, crypto_sig_alg alg)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(priv, &der);
    buf b64;
    buf_init(&b64, 1 << 16);
    crypto_pubkey *key = NULL;
    crypto_webhook_verifier *v = NULL;
    if (n <= 0 || crypto_b64_encode(&b64, der, (size_t)n) != 0 ||
        crypto_pubkey_load(&key, b64.ptr, NULL) != 0 ||
        crypto_verifier_new_pubkey(&v, alg, key, NULL) != 0)
        abort();
    crypto_pubkey_free(key);
    buf_free(&b64);
    OPENSSL_free(der);
    return v;
}

static void setup_once(void)
{
    if (K.v[0])
        return;
    K.priv[0] = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, ED_SEED, sizeof ED_SEED);
    K.priv[1] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!K.priv[0] || !K.priv[1])
        abort();
    K.v[0] = pubkey_verifier(K.priv[0], CRYPTO_SIG_ED25519);
    K.v[1] = pubkey_verifier(K.priv[1], CRYPTO_SIG_RSA_SHA256);
    static const struct {
        crypto_sig_alg alg;
        crypto_sig_encoding enc;
    } hm[] = {{CRYPTO_SIG_HMAC_SHA256, CRYPTO_SIG_HEX},
              {CRYPTO_SIG_HMAC_SHA256, CRYPTO_SIG_BASE64},
              {CRYPTO_SIG_HMAC_SHA1, CRYPTO_SIG_HEX},
              {CRYPTO_SIG_HMAC_SHA512, CRYPTO_SIG_BASE64}};
    for (size_t i = 0; i < PS_ARRAY_LEN(hm); i++) {
        if (crypto_verifier_new_hmac(&K.v[2 + i], hm[i].alg, SECRET, strlen(SECRET), hm[i].enc,
                                     NULL) != 0)
            abort();
    }
}

/* The correct header value for body in mode m, into out. */
static void good_header(buf *out, int m, const unsigned char *body, size_t len)
{
    unsigned char sig[1024];
    size_t sig_len = sizeof sig;
    if (m < 2) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestSignInit(ctx, NULL, m ? EVP_sha256() : NULL, NULL, K.priv[m]) != 1 ||
            EVP_DigestSign(ctx, sig, &sig_len, len ? body : (const unsigned char *)"", len) != 1)
            abort();
        EVP_MD_CTX_free(ctx);
    } else {
        static const char *const md[] = {"SHA256", "SHA256", "SHA1", "SHA512"};
        if (!EVP_Q_mac(NULL, "HMAC", NULL, md[m - 2], NULL, SECRET, strlen(SECRET), body, len, sig,
                       sizeof sig, &sig_len))
            abort();
    }
    if (m == 2 || m == 4) {
        for (size_t i = 0; i < sig_len; i++)
            buf_addf(out, "%02x", sig[i]);
    } else if (crypto_b64_encode(out, sig, sig_len) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    setup_once();
    int m = data[0] % MODES;
    const uint8_t *rest = data + 1;
    size--;
    const uint8_t *nl = memchr(rest, '\n', size);
    size_t head = nl ? (size_t)(nl - rest) : size;
    char *header = malloc(head + 1);
    size_t body_len = nl ? size - head - 1 : 0;
    unsigned char *body = malloc(body_len ? body_len : 1);
    if (!header || !body)
        abort();
    memcpy(header, rest, head);
    header[head] = '\0';
    if (body_len)
        memcpy(body, nl + 1, body_len);
    err e = {0};
    int rc = crypto_verify_webhook(K.v[m], header, body, body_len, &e);
    if ((rc != 0 && rc != ERR_AUTH) || (rc && e.msg[0] == '\0'))
        abort();
    buf good;
    buf_init(&good, 4096);
    good_header(&good, m, body, body_len);
    if (crypto_verify_webhook(K.v[m], good.ptr, body, body_len, &e) != 0)
        abort();
    buf_free(&good);
    free(header);
    free(body);
    return 0;
}
