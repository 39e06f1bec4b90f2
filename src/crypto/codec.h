/* codec.h: strict, bounded base64 and hex codecs for signatures, keys and sealed values. */
#ifndef PHEEDSYNC_CRYPTO_CODEC_H
#define PHEEDSYNC_CRYPTO_CODEC_H

#include "util/buf.h"
#include "util/err.h"

/* Decodes standard base64 (RFC 4648 section 4) from the slice in[0, len) into out (cap bytes).
 * Strict on purpose, so that one value has exactly one accepted spelling: only A-Z a-z 0-9 + /,
 * '=' padding required up to a multiple of 4 characters, no whitespace or line breaks, and the
 * unused bits of the last character must be zero. The empty text decodes to 0 bytes.
 * Returns 0 and sets *out_len; ERR_PARSE (the message names the position, never the text,
 * which may be secret) or ERR_LIMIT (more than cap bytes). Never reads past len. */
int crypto_b64_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                      err *e);
/* Appends the base64 of data[0, len) (padded, no line breaks) to out; 0, ERR_LIMIT or
 * ERR_NOMEM, the buffer unchanged on failure. */
int crypto_b64_encode(buf *out, const void *data, size_t len);
/* Characters in the base64 text of n bytes. */
size_t crypto_b64_encoded_len(size_t n);

/* Decodes hex (either case, even length, nothing else) like crypto_b64_decode. */
int crypto_hex_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                      err *e);

#endif
