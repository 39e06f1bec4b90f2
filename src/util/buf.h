/* buf.h: bounded growable byte buffers; every buffer is created with the largest size it may
 * reach and refuses cleanly past it. */
#ifndef PHEEDSYNC_BUF_H
#define PHEEDSYNC_BUF_H

#include "util/common.h"

typedef struct buf {
    char *ptr;  /* NULL until the first byte; always NUL-terminated after that */
    size_t len; /* bytes held, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the largest len this buffer may reach */
} buf;

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
/* Empties the buffer, keeping its allocation. */
void buf_reset(buf *b);

/* Each returns 0, ERR_LIMIT past max, or ERR_NOMEM; on failure the buffer is unchanged. */
int buf_add(buf *b, const void *data, size_t len);
int buf_addstr(buf *b, const char *s);
int buf_addc(buf *b, char c);
int buf_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The content as a C string; "" when empty (never NULL). */
const char *buf_cstr(const buf *b);
/* Hands the allocation to the caller (free() it) and resets the buffer; "" copy when empty. */
char *buf_take(buf *b);

#endif
