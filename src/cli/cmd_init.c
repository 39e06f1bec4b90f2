/* cmd_init.c: `pheedsync init`: writes a commented configuration file with every section and key
 * at its default, from the schema, and says what to do next. */
#include "cli/commands.h"
#include "util/config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "pheedsync.conf"

static const char usage_text[] =
    "usage: pheedsync init [--config FILE] [--force]\n"
    "\n"
    "Writes a configuration file with every section and key, each explained and commented out\n"
    "at its default, for you to fill in. The file is created with mode 600 because it may come\n"
    "to hold secrets, though the environment (PHEEDSYNC_<SECTION>_<KEY>) is the better place\n"
    "for those.\n"
    "\n"
    "options:\n"
    "  --config FILE   where to write it (default ./" DEFAULT_PATH ")\n"
    "  --force         replace an existing file\n"
    "  -h, --help      this text\n";

enum { OPT_CONFIG = 256, OPT_FORCE };

static const struct option long_options[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"force", no_argument, NULL, OPT_FORCE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes text to a new file at path, mode 0600, durably; path must not exist. */
static int write_new(const char *path, const buf *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    /* open()'s mode passes through the umask, which may only narrow it; say it outright. */
    int rc = fchmod(fd, 0600) || write_all(fd, text->ptr, text->len) || fsync(fd) ? -1 : 0;
    int saved = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0)
        unlink(path);
    errno = saved;
    return rc;
}

/* --force: a temporary file beside path, renamed over it, so that a reader never sees half. */
static int replace(const char *path, const buf *text)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.init-%ld.tmp", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    unlink(tmp);
    if (write_new(tmp, text) != 0)
        return -1;
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

static void next_steps(const char *path)
{
    char opt[4200] = "";
    if (strcmp(path, DEFAULT_PATH) != 0)
        snprintf(opt, sizeof opt, " --config %s", path);
    printf("Wrote %s (mode 600). Next steps:\n"
           "  1. Edit it: [ghl] location_id and client_id (or auth = token), [pheedloop] org_code\n"
           "     and events, [store] url. Keep secrets in the environment instead, e.g.\n"
           "     PHEEDSYNC_GHL_CLIENT_SECRET, PHEEDSYNC_PHEEDLOOP_API_KEY, "
           "PHEEDSYNC_PHEEDLOOP_API_SECRET.\n"
           "  2. pheedsync connect ghl%s          authorize with HighLevel\n"
           "     pheedsync connect pheedloop%s    check and store the PheedLoop key\n"
           "  3. pheedsync check%s                configuration, credentials and scopes\n"
           "  4. pheedsync sync --dry-run%s       what a first pass would change\n"
           "  5. pheedsync run%s                  the daemon (or: systemctl enable --now "
           "pheedsync)\n"
           "To try it all against the built-in emulators first: pheedsync demo\n",
           path, opt, opt, opt, opt, opt);
}

int cmd_init(int argc, char **argv)
{
    const char *path = DEFAULT_PATH;
    bool force = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        if (c == OPT_CONFIG) {
            path = optarg;
        } else if (c == OPT_FORCE) {
            force = true;
        } else if (c == 'h') {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else {
            fputs("pheedsync init: see --help\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pheedsync init: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!*path) {
        fputs("pheedsync init: --config needs a file name\n", stderr);
        return EXIT_USAGE;
    }
    if (!force && access(path, F_OK) == 0) {
        fprintf(stderr,
                "pheedsync init: %s already exists; pass --force to replace it, or --config to "
                "write elsewhere\n",
                path);
        return EXIT_USAGE;
    }
    buf text;
    buf_init(&text, 1 << 20);
    int rc = config_template(&text);
    if (rc == 0 && (force ? replace(path, &text) : write_new(path, &text)) != 0) {
        bool exists = !force && errno == EEXIST; /* created meanwhile */
        fprintf(stderr, "pheedsync init: cannot write %s: %s\n", path, strerror(errno));
        buf_free(&text);
        return exists ? EXIT_USAGE : EXIT_RUNTIME;
    }
    buf_free(&text);
    if (rc != 0) {
        fprintf(stderr, "pheedsync init: cannot build the template: %s\n", err_code_name(rc));
        return EXIT_RUNTIME;
    }
    next_steps(path);
    return EXIT_OK;
}
