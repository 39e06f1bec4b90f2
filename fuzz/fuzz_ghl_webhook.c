/* fuzz_ghl_webhook.c: HighLevel webhook deliveries: parsing, and verification with a fixed
 * Ed25519 key. Input: the X-GHL-Signature value up to the first newline, then the body. A body
 * signed correctly must always pass the signature check (failing, if at all, as ERR_PARSE). */
#include "crypto/codec.h"
#include "fuzz/fuzz.h"
#include "ghl/ghl_webhook.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

/* RFC 8032 test 1's private key: a fixed, public test key. */
static const unsigned char SEED[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x69, 0x1b, 0xe7, 0x03, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae};

static struct {
    EVP_PKEY *priv;
    ghl_webhook_verifier *v;
} K;

static void setup_once(void)
{
    if (K.v)
        return;
    K.priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, SEED, sizeof SEED);
    unsigned char *der = NULL;
    int n = K.priv ? i2d_PUBKEY(K.priv, &der) : -1;
    buf b64;
    buf_init(&b64, 4096);
    if (n <= 0 || crypto_b64_encode(&b64, der, (size_t)n) != 0)
        abort();
    ghl_webhook_config cfg = {.ed25519_key = buf_cstr(&b64), .window_ms = -1};
    if (ghl_webhook_verifier_new(&K.v, &cfg, NULL) != 0)
        abort();
    OPENSSL_free(der);
    buf_free(&b64);
}

static void good_signature(buf *out, const unsigned char *body, size_t len)
{
    unsigned char sig[64];
    size_t sig_len = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, K.priv) != 1 ||
        EVP_DigestSign(ctx, sig, &sig_len, len ? body : (const unsigned char *)"", len) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
    if (crypto_b64_encode(out, sig, sig_len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - data) : 0;
    size_t body_len = nl ? size - head - 1 : size;
    char *header = malloc(head + 1);
    unsigned char *body = malloc(body_len ? body_len : 1);
    if (!header || !body)
        abort();
    memcpy(header, data, head);
    header[head] = '\0';
    memcpy(body, nl ? nl + 1 : data, body_len);

    ghl_hint h;
    err e = {0};
    (void)ghl_webhook_parse(&h, (const char *)body, body_len, &e);
    (void)ghl_webhook_verify(&h, NULL, K.v, nl ? header : NULL, NULL, body, body_len, 0, &e);

    buf good;
    buf_init(&good, 256);
    good_signature(&good, body, body_len);
    int rc = ghl_webhook_verify(&h, NULL, K.v, buf_cstr(&good), NULL, body, body_len, 0, &e);
    if (rc != 0 && rc != ERR_PARSE)
        abort();
    buf_free(&good);
    free(header);
    free(body);
    return 0;
}
