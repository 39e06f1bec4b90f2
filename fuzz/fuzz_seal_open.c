/* fuzz_seal_open.c: crypto_open on arbitrary blobs, and seal-tamper-open round trips. Input: a
 * mode byte; even: the rest is a blob opened under a fixed purpose; odd: two bytes of position
 * and one xor byte, then a plaintext that is sealed, changed there (xor 0: unchanged) and opened:
 * an unchanged blob must give the plaintext back, a changed one must be refused. */
#include "crypto/seal.h"
#include "fuzz/fuzz.h"

static const unsigned char KEY[CRYPTO_SEAL_KEY_LEN] = "pheedsync-fuzz-key-0123456789abc";
static const char AAD[] = "ghl-token:fuzz";

static void open_blob(const crypto_key *k, const uint8_t *data, size_t size)
{
    char *blob = malloc(size ? size : 1);
    if (!blob)
        abort();
    memcpy(blob, data, size);
    char *pt = NULL;
    size_t n = 0;
    err e = {0};
    int rc = crypto_open(&pt, &n, k, blob, size, AAD, &e);
    if ((rc != 0 && rc != ERR_AUTH && rc != ERR_PARSE) || (rc && e.msg[0] == '\0'))
        abort();
    if (rc == 0 && pt[n] != '\0')
        abort();
    crypto_secret_free(pt, n);
    free(blob);
}

static void tamper_round_trip(const crypto_key *k, const uint8_t *data, size_t size)
{
    if (size < 3)
        return;
    size_t pos = (size_t)data[0] << 8 | data[1];
    uint8_t flip = data[2];
    data += 3;
    size -= 3;
    buf b;
    buf_init(&b, 1 << 20);
    if (crypto_seal(&b, k, data, size, AAD, NULL) != 0) {
        buf_free(&b);
        return;
    }
    b.ptr[pos % b.len] ^= (char)flip;
    char *pt = NULL;
    size_t n = 0;
    int rc = crypto_open(&pt, &n, k, b.ptr, b.len, AAD, NULL);
    if (flip == 0 && (rc != 0 || n != size || memcmp(pt, data, size) != 0))
        abort();
    if (flip != 0 && rc != ERR_AUTH && rc != ERR_PARSE)
        abort();
    crypto_secret_free(pt, n);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    crypto_key *k = NULL;
    if (size == 0 || crypto_key_from_raw(&k, KEY, NULL) != 0)
        return 0;
    if (data[0] % 2 == 0)
        open_blob(k, data + 1, size - 1);
    else
        tamper_round_trip(k, data + 1, size - 1);
    crypto_key_free(k);
    return 0;
}
