/* seal_key.c: finds the sealing key: the environment, or a private key file made on first use. */
#include "crypto/codec.h"
#include "crypto/fileio.h"
#include "crypto/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* A key file holds 44 characters and a newline; room for hex and stray whitespace. */
#define KEY_TEXT_MAX 256
#define PATH_LEN 4096

int crypto_key_parse(crypto_key **out, const char *what, const char *text, size_t len, err *e)
{
    crypto_trim(&text, &len);
    unsigned char raw[CRYPTO_SEAL_KEY_LEN];
    size_t n = 0;
    /* 64 characters are hex: base64 of 32 bytes is 44 characters long. */
    int rc = len == 2 * CRYPTO_SEAL_KEY_LEN
                 ? crypto_hex_decode(raw, sizeof raw, &n, text, len, NULL)
                 : crypto_b64_decode(raw, sizeof raw, &n, text, len, NULL);
    if (rc == 0 && n == CRYPTO_SEAL_KEY_LEN)
        rc = crypto_key_from_raw(out, raw, e);
    else
        rc = err_set(e, ERR_CONFIG,
                     "%s: the sealing key must be %d bytes, written as base64 (44 characters) or "
                     "hex (64 digits)",
                     what, CRYPTO_SEAL_KEY_LEN);
    OPENSSL_cleanse(raw, sizeof raw);
    return rc;
}

/* Reads the key from an open key file after checking that only its owner can get at it. */
static int read_key_file(crypto_key **out, const char *path, int fd, err *e)
{
    struct stat st;
    char why[128];
    if (fstat(fd, &st) != 0)
        return err_set(e, ERR_IO, "key file %s: %s", path, crypto_strerror(errno, why, sizeof why));
    if (!S_ISREG(st.st_mode))
        return err_set(e, ERR_CONFIG, "key file %s is not a regular file", path);
    if (st.st_mode & (S_IRGRP | S_IROTH))
        return err_set(e, ERR_CONFIG, "key file %s is readable by others: chmod 600 %s", path,
                       path);
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return err_set(e, ERR_CONFIG, "key file %s is open to others (mode %03o): chmod 600 %s",
                       path, (unsigned)(st.st_mode & 0777), path);
    char text[KEY_TEXT_MAX];
    size_t len = 0;
    int rc = crypto_read_fd(fd, (unsigned char *)text, sizeof text, &len);
    if (rc == ERR_LIMIT)
        rc = err_set(e, ERR_CONFIG, "key file %s: too large to be a sealing key", path);
    else if (rc)
        rc = err_set(e, ERR_IO, "key file %s: %s", path, crypto_strerror(errno, why, sizeof why));
    else
        rc = crypto_key_parse(out, path, text, len, e);
    OPENSSL_cleanse(text, sizeof text);
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Makes the new key durable: its directory entry too. Best effort. */
static void sync_parent(const char *path)
{
    char dir[PATH_LEN];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Writes a fresh key to a private temporary file, then links it into place so that no reader
 * ever sees a partial key and a concurrent creator's key is never replaced. Returns 0 when the
 * file was made, 1 when another process made it first, or an error. */
static int write_new_key(const char *path, const char *tmp, const char *text, size_t len, err *e)
{
    char why[128];
    (void)unlink(tmp); /* ours: the name carries our pid */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(e, ERR_IO, "key file %s: cannot create it: %s", path,
                       crypto_strerror(errno, why, sizeof why));
    bool ok = write_all(fd, text, len) == 0 && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok && link(tmp, path) != 0) {
        saved = errno;
        ok = false;
    }
    (void)unlink(tmp);
    if (!ok && saved == EEXIST)
        return 1;
    if (!ok)
        return err_set(e, ERR_IO, "key file %s: cannot create it: %s", path,
                       crypto_strerror(saved, why, sizeof why));
    sync_parent(path);
    return 0;
}

static int create_key_file(const char *path, err *e)
{
    char tmp[PATH_LEN];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
        return err_set(e, ERR_CONFIG, "key file %s: path too long", path);
    unsigned char raw[CRYPTO_SEAL_KEY_LEN];
    char text[KEY_TEXT_MAX];
    int rc;
    if (RAND_bytes(raw, sizeof raw) != 1) {
        rc = err_set(e, ERR_CRYPTO, "key file %s: no random bytes for a new key", path);
    } else {
        int n = EVP_EncodeBlock((unsigned char *)text, raw, (int)sizeof raw);
        text[n] = '\n';
        rc = write_new_key(path, tmp, text, (size_t)n + 1, e);
    }
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(text, sizeof text);
    return rc;
}

int crypto_key_load(crypto_key **out, const char *key_file, err *e)
{
    const char *env = getenv(CRYPTO_SEAL_KEY_ENV);
    if (env && *env)
        return crypto_key_parse(out, CRYPTO_SEAL_KEY_ENV, env, strlen(env), e);
    if (!key_file || !*key_file)
        return err_set(e, ERR_CONFIG, "no sealing key: set %s or give a key file",
                       CRYPTO_SEAL_KEY_ENV);
    char why[128];
    /* A second round reads a file that this call, or a concurrent one, has just made. */
    for (int round = 0; round < 2; round++) {
        /* O_NONBLOCK: a FIFO put here must not hang the start-up; it is refused as not a
         * regular file. */
        int fd = open(key_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
            int rc = read_key_file(out, key_file, fd, e);
            close(fd);
            return rc;
        }
        if (errno != ENOENT)
            return err_set(e, ERR_IO, "key file %s: %s", key_file,
                           crypto_strerror(errno, why, sizeof why));
        int rc = create_key_file(key_file, e);
        if (rc < 0)
            return rc;
    }
    return err_set(e, ERR_IO, "key file %s: created but gone again", key_file);
}
