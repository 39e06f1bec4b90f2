/* codec.c: strict base64 and hex decoding, written out because OpenSSL's decoders are lenient
 * (they skip whitespace and accept trailing garbage); encoding uses EVP_EncodeBlock. */
#include "crypto/codec.h"

#include <limits.h>
#include <openssl/evp.h>

/* The 6-bit value of a base64 character, or -1. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* How many '=' end the text (0, 1 or 2), after checking that none appears earlier. */
static int b64_padding(const char *in, size_t len, size_t *bad_at)
{
    int pad = 0;
    while (pad < 2 && pad < (int)len && in[len - 1 - (size_t)pad] == '=')
        pad++;
    for (size_t i = 0; i < len - (size_t)pad; i++) {
        if (b64_value((unsigned char)in[i]) < 0) {
            *bad_at = i;
            return -1;
        }
    }
    return pad;
}

int crypto_b64_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                      err *e)
{
    if (len % 4 != 0)
        return err_set(e, ERR_PARSE, "base64: length %zu is not a multiple of 4", len);
    size_t bad_at = 0;
    int pad = len ? b64_padding(in, len, &bad_at) : 0;
    if (pad < 0)
        return err_set(e, ERR_PARSE, "base64: invalid character at position %zu", bad_at);
    size_t n = len / 4 * 3 - (size_t)pad;
    if (n > cap)
        return err_set(e, ERR_LIMIT, "base64: decodes to %zu bytes, at most %zu expected", n, cap);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            int d = in[i + j] == '=' ? 0 : b64_value((unsigned char)in[i + j]);
            v = v << 6 | (uint32_t)d;
        }
        unsigned char three[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8),
                                  (unsigned char)v};
        bool last = i + 4 == len;
        size_t take = last ? 3 - (size_t)pad : 3;
        /* A non-zero unused bit would give a second spelling of the same bytes. */
        if (last && ((pad == 1 && three[2]) || (pad == 2 && (three[1] || three[2]))))
            return err_set(e, ERR_PARSE, "base64: non-zero bits after the last byte");
        memcpy(out + o, three, take);
        o += take;
    }
    *out_len = o;
    return 0;
}

size_t crypto_b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

int crypto_b64_encode(buf *out, const void *data, size_t len)
{
    if (len > (size_t)INT_MAX / 4 * 3 - 3)
        return ERR_LIMIT;
    size_t n = crypto_b64_encoded_len(len);
    char *tmp = malloc(n + 1);
    if (!tmp)
        return ERR_NOMEM;
    EVP_EncodeBlock((unsigned char *)tmp, data, (int)len);
    int rc = buf_add(out, tmp, n);
    free(tmp);
    return rc;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int crypto_hex_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                      err *e)
{
    if (len % 2 != 0)
        return err_set(e, ERR_PARSE, "hex: odd length %zu", len);
    for (size_t i = 0; i < len; i++) {
        if (hex_value((unsigned char)in[i]) < 0)
            return err_set(e, ERR_PARSE, "hex: invalid character at position %zu", i);
    }
    if (len / 2 > cap)
        return err_set(e, ERR_LIMIT, "hex: decodes to %zu bytes, at most %zu expected", len / 2,
                       cap);
    for (size_t i = 0; i < len; i += 2)
        out[i / 2] = (unsigned char)(hex_value((unsigned char)in[i]) << 4 |
                                     hex_value((unsigned char)in[i + 1]));
    *out_len = len / 2;
    return 0;
}
