/* err.c: the error record. */
#include "util/err.h"

#include <stdarg.h>

int err_set(err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int err_wrap(err *e, const char *fmt, ...)
{
    if (!e)
        return ERR_INTERNAL;
    char old[ERR_MSG_MAX];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof e->msg) {
        size_t room = sizeof e->msg - (size_t)n;
        size_t keep = strnlen(old, sizeof old);
        if (keep >= room)
            keep = room - 1;
        memcpy(e->msg + n, old, keep);
        e->msg[(size_t)n + keep] = '\0';
    }
    return e->code;
}

void err_clear(err *e)
{
    if (e) {
        e->code = ERR_OK;
        e->msg[0] = '\0';
    }
}

const char *err_code_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "nomem";
    case ERR_INVALID: return "invalid";
    case ERR_CONFIG: return "config";
    case ERR_IO: return "io";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_LIMIT: return "limit";
    case ERR_PARSE: return "parse";
    case ERR_NET: return "net";
    case ERR_AUTH: return "auth";
    case ERR_BAD_STATE: return "state";
    case ERR_CRYPTO: return "crypto";
    case ERR_CONFLICT: return "conflict";
    case ERR_INTERNAL: return "internal";
    default: return "unknown";
    }
}
