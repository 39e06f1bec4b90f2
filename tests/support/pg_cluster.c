/* pg_cluster.c: a throwaway PostgreSQL server for tests (see pg_cluster.h). */
#include "pg_cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The newest /usr/lib/postgresql/N/bin holding initdb, or PHEEDSYNC_PG_BIN. */
static bool find_bin(char *out, size_t n)
{
    const char *env = getenv("PHEEDSYNC_PG_BIN");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return true;
    }
    DIR *d = opendir("/usr/lib/postgresql");
    long best = -1;
    for (struct dirent *de = d ? readdir(d) : NULL; de; de = readdir(d)) {
        char *end = NULL;
        long v = strtol(de->d_name, &end, 10);
        char initdb[300];
        snprintf(initdb, sizeof initdb, "/usr/lib/postgresql/%s/bin/initdb", de->d_name);
        if (end && *end == '\0' && v > best && access(initdb, X_OK) == 0) {
            best = v;
            snprintf(out, n, "/usr/lib/postgresql/%ld/bin", v);
        }
    }
    if (d)
        closedir(d);
    return best >= 0;
}

/* Runs argv (argv[0] a program in c->bin) and waits; as `postgres` when we are root. */
static int run(const pg_cluster *c, const char *const *argv, const char *log)
{
    char prog[300];
    snprintf(prog, sizeof prog, "%s/%s", c->bin, argv[0]);
    struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
    if (geteuid() == 0 && !pw) {
        fprintf(stderr, "pg_cluster: running as root, and there is no user 'postgres'\n");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (pw && (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
            _exit(126);
        FILE *out = log ? freopen(log, "a", stdout) : NULL;
        if (out)
            dup2(fileno(stdout), 2);
        execv(prog, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void remove_dir(const pg_cluster *c)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pg_cluster: could not remove %s\n", c->dir);
}

/* Stops the server and removes the directory (the watchdog's work). */
static void teardown(const pg_cluster *c)
{
    char data[260];
    snprintf(data, sizeof data, "%s/data", c->dir);
    const char *stop[] = {"pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", NULL};
    run(c, stop, NULL);
    remove_dir(c);
}

/* A child that waits for the end of the pipe's write side, held by this process alone (close
 * on exec): when this process closes it or dies, the child tears the cluster down. */
static int start_watchdog(pg_cluster *c)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[1]);
        setsid(); /* out of the test's process group: a kill of the group spares it */
        char b;
        while (read(fds[0], &b, 1) != 0 && errno == EINTR)
            ;
        teardown(c);
        _exit(0);
    }
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    c->watch_fd = fds[1];
    c->watchdog = pid;
    return 0;
}

int pg_cluster_start(pg_cluster *c, char *why, size_t why_len)
{
    memset(c, 0, sizeof *c);
    c->watch_fd = -1;
    if (!find_bin(c->bin, sizeof c->bin)) {
        snprintf(why, why_len,
                 "no PostgreSQL server found (/usr/lib/postgresql/N/bin/initdb): install the "
                 "package postgresql (scripts/deps.sh), or set PHEEDSYNC_PG_BIN");
        return -1;
    }
    snprintf(c->dir, sizeof c->dir, "/tmp/pheedsync-pg-XXXXXX");
    if (!mkdtemp(c->dir)) {
        snprintf(why, why_len, "cannot make a temporary directory: %s", strerror(errno));
        return -1;
    }
    struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
    if (pw && chown(c->dir, pw->pw_uid, pw->pw_gid) != 0) {
        snprintf(why, why_len, "cannot give %s to user postgres: %s", c->dir, strerror(errno));
        return -1;
    }
    char data[260], log[260], opts[300];
    snprintf(data, sizeof data, "%s/data", c->dir);
    snprintf(log, sizeof log, "%s/server.log", c->dir);
    /* fsync off: the cluster is thrown away; the backend's own settings are what is tested. */
    snprintf(opts, sizeof opts, "-k %s -c listen_addresses= -F", c->dir);
    const char *initdb[] = {"initdb", "-D", data,   "-U",         "postgres",  "-A",
                            "trust",  "-E", "UTF8", "--locale=C", "--no-sync", NULL};
    const char *start[] = {"pg_ctl", "-D", data, "-l", log,     "-o",
                           opts,     "-w", "-t", "60", "start", NULL};
    if (start_watchdog(c) != 0) {
        snprintf(why, why_len, "cannot start the cluster's watchdog: %s", strerror(errno));
        return -1;
    }
    c->running = true;
    if (run(c, initdb, log) != 0 || run(c, start, NULL) != 0) {
        snprintf(why, why_len, "the PostgreSQL server in %s did not start: see %s", c->dir, log);
        return -1;
    }
    return 0;
}

void pg_cluster_url(const pg_cluster *c, const char *db, char *out, size_t n)
{
    snprintf(out, n, "postgresql:///%s?host=%s&user=postgres", db, c->dir);
}

int pg_cluster_exec(const pg_cluster *c, const char *db, const char *sql)
{
    char url[512];
    pg_cluster_url(c, db, url, sizeof url);
    PGconn *conn = PQconnectdb(url);
    int rc = -1;
    if (PQstatus(conn) == CONNECTION_OK) {
        PGresult *r = PQexec(conn, sql);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
        if (rc != 0)
            fprintf(stderr, "pg_cluster: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    } else {
        fprintf(stderr, "pg_cluster: %s: %s", url, PQerrorMessage(conn));
    }
    PQfinish(conn);
    return rc;
}

void pg_cluster_stop(pg_cluster *c)
{
    if (c->running) {
        close(c->watch_fd); /* the watchdog stops the server and removes the directory */
        waitpid(c->watchdog, NULL, 0);
        c->running = false;
    } else if (c->dir[0]) {
        remove_dir(c);
    }
    c->dir[0] = '\0';
}
