/* fileio.c: bounded whole-file reads and trimming for the key loaders. */
#include "crypto/fileio.h"

#include <errno.h>
#include <unistd.h>

int crypto_read_fd(int fd, unsigned char *out, size_t cap, size_t *out_len)
{
    size_t have = 0;
    for (;;) {
        unsigned char extra = 0;
        /* Reading one byte past cap tells "exactly cap" from "too long". */
        unsigned char *dst = have < cap ? out + have : &extra;
        size_t want = have < cap ? cap - have : 1;
        ssize_t n = read(fd, dst, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ERR_IO;
        if (n == 0)
            break;
        if (have >= cap)
            return ERR_LIMIT;
        have += (size_t)n;
    }
    *out_len = have;
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void crypto_trim(const char **s, size_t *len)
{
    while (*len && is_space((*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

const char *crypto_strerror(int errnum, char *out, size_t n)
{
    if (strerror_r(errnum, out, n) != 0)
        snprintf(out, n, "error %d", errnum);
    return out;
}
