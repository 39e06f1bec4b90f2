/* err.h: the error record every fallible function fills in, and the error codes. */
#ifndef PHEEDSYNC_ERR_H
#define PHEEDSYNC_ERR_H

#include "util/common.h"

/* Functions return 0 on success or one of these (negative) codes; the detail goes into an
 * err record passed in by the caller. There is no global error state. */
enum err_code {
    ERR_OK = 0,
    ERR_NOMEM = -1,     /* allocation failed */
    ERR_INVALID = -2,   /* bad input: argument, request, field */
    ERR_CONFIG = -3,    /* bad configuration */
    ERR_IO = -4,        /* file or socket I/O */
    ERR_NOT_FOUND = -5, /* the thing asked for does not exist */
    ERR_LIMIT = -6,     /* a size or count cap was reached */
    ERR_PARSE = -7,     /* malformed data (JSON, INI, form, date) */
    ERR_NET = -8,       /* network failure: connect, reset, timeout */
    ERR_AUTH = -9,      /* refused credentials or signature */
    ERR_BAD_STATE = -10,/* operation not valid in the current state */
    ERR_CRYPTO = -11,   /* a cryptographic primitive failed */
    ERR_CONFLICT = -12, /* the change conflicts with existing data (duplicate) */
    ERR_INTERNAL = -13, /* a bug or an unexpected library failure */
};

#define ERR_MSG_MAX 512

typedef struct err {
    int code;
    char msg[ERR_MSG_MAX];
} err;

/* Records code and message (printf format) in e, if e is not NULL; returns code so that
 * `return err_set(e, ERR_INVALID, "...")` reads naturally. */
int err_set(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with more context ("file x: " + old message). */
int err_wrap(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(err *e);
/* A short stable name for a code: "invalid", "not_found", ... */
const char *err_code_name(int code);

#endif
