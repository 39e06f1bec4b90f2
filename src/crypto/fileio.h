/* fileio.h: bounded whole-file reads shared by the key loaders of src/crypto. */
#ifndef PHEEDSYNC_CRYPTO_FILEIO_H
#define PHEEDSYNC_CRYPTO_FILEIO_H

#include "util/err.h"

/* Reads fd to its end into out (cap bytes). Returns 0 and sets *out_len; ERR_LIMIT when the
 * file holds more than cap bytes; ERR_IO with errno set on a read error. Retries on EINTR. */
int crypto_read_fd(int fd, unsigned char *out, size_t cap, size_t *out_len);

/* Skips spaces, tabs, CR and LF at both ends of the slice *s, *len. */
void crypto_trim(const char **s, size_t *len);

/* strerror_r into out (n bytes), returning out: thread-safe, unlike strerror. */
const char *crypto_strerror(int errnum, char *out, size_t n);

#endif
