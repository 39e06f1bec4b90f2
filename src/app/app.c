/* app.c: the context every command shares: options, configuration, logger, and the services
 * opened on demand in dependency order. */
#include "app/app_int.h"
#include "cli/commands.h"

#include <unistd.h>

extern char **environ;

int app_option(app_options *o, int opt, const char *arg, err *e)
{
    switch (opt) {
    case APP_OPT_CONFIG:
        if (!arg || !*arg)
            return err_set(e, ERR_INVALID, "--config needs a file name");
        o->config_path = arg;
        return 1;
    case APP_OPT_LOG_LEVEL:
        if (!arg || log_level_parse(arg) < 0)
            return err_set(e, ERR_INVALID, "--log-level '%s': use debug, info, warn, error or off",
                           arg ? arg : "");
        o->log_level = arg;
        return 1;
    case APP_OPT_JSON:
        o->json = true;
        return 1;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------- configuration and log */

int app_load_config(config **out, char **out_path, const char *path, char *const *envp, err *e)
{
    static const char *const defaults[] = {"pheedsync.conf", "/etc/pheedsync.conf"};
    const char *chosen = path;
    for (size_t i = 0; !chosen && i < PS_ARRAY_LEN(defaults); i++)
        if (access(defaults[i], F_OK) == 0)
            chosen = defaults[i];
    if (!chosen)
        return err_set(e, ERR_CONFIG,
                       "no configuration: write one with `pheedsync init` or pass --config FILE");
    char *copy = strdup(chosen);
    if (!copy)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = config_load_file(out, chosen, envp ? envp : environ, e);
    if (rc != 0) {
        free(copy);
        return rc;
    }
    *out_path = copy;
    return 0;
}

int app_log_settings(log_level *out_level, log_format *out_format, const config *cfg,
                     const char *option_level, log_level fallback, FILE *out, err *e)
{
    const config_section *s = config_section_get(cfg, "log");
    int level = fallback;
    if (option_level)
        level = log_level_parse(option_level);
    else if (config_sec_is_set(s, "level"))
        level = log_level_parse(config_sec_str(s, "level"));
    if (level < 0)
        return err_set(e, ERR_INVALID, "unknown log level '%s'",
                       option_level ? option_level : config_sec_str(s, "level"));
    const char *fmt = config_sec_str(s, "format");
    log_format f = LOG_JSON;
    if (fmt && !strcmp(fmt, "text"))
        f = LOG_TEXT;
    else if (!fmt || !strcmp(fmt, "auto"))
        f = out && isatty(fileno(out)) ? LOG_TEXT : LOG_JSON;
    *out_level = (log_level)level;
    *out_format = f;
    return 0;
}

/* The links, and [pheedloop] events as the default link has them (none without it). */
static int read_links(app_ctx *a, err *e)
{
    static const char *no_events[] = {NULL};
    int rc = app_links_read(&a->links, &a->n_links, a->cfg, e);
    if (rc == 0)
        a->events = *a->links[0].cfg.name ? no_events : a->links[0].events;
    return rc;
}

int app_open(app_ctx *a, const app_options *o, err *e)
{
    memset(a, 0, sizeof *a);
    a->command = o->command ? o->command : "";
    a->json = o->json;
    a->clock = o->clock ? o->clock : clock_system();
    a->http_config = o->http_config;
    char host[64] = "localhost";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(a->owner, sizeof a->owner, "%s:%ld", host, (long)getpid());
    int rc = app_load_config(&a->cfg, &a->config_path, o->config_path, o->envp, e);
    log_level level = LOG_WARN;
    log_format format = LOG_JSON;
    int fallback = log_level_parse(o->log_default ? o->log_default : "warn");
    if (rc == 0)
        rc = app_log_settings(&level, &format, a->cfg, o->log_level,
                              fallback < 0 ? LOG_WARN : (log_level)fallback, stderr, e);
    if (rc == 0) {
        log_setup(level, format, stderr);
        rc = read_links(a, e);
    }
    return rc;
}

/* ---------------------------------------------------------------- services */

int app_key_path(buf *out, const config *cfg, err *e)
{
    const char *kf = config_str(cfg, "store", "key_file");
    if (kf && *kf)
        return buf_addstr(out, kf) ? err_set(e, ERR_LIMIT, "[store] key_file: path too long") : 0;
    const char *url = config_str(cfg, "store", "url");
    const char *path = url && strncmp(url, "sqlite:", 7) == 0 ? url + 7 : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    int rc = slash ? buf_addf(out, "%.*s/pheedsync.key", (int)(slash - path), path)
                   : buf_addstr(out, "pheedsync.key");
    return rc ? err_set(e, ERR_LIMIT, "key file path too long") : 0;
}

static int open_store(app_ctx *a, err *e)
{
    const char *url = config_str(a->cfg, "store", "url");
    int rc = store_open(&a->store, url, a->clock, e);
    return rc ? err_wrap(e, "[store] url: ") : 0; /* the store's message shows the URL */
}

static int open_key(app_ctx *a, err *e)
{
    buf path;
    buf_init(&path, 4096);
    int rc = app_key_path(&path, a->cfg, e);
    if (rc == 0)
        rc = crypto_key_load(&a->key, buf_cstr(&path), e);
    buf_free(&path);
    return rc;
}

/* What each need stands on. */
static unsigned closure(const app_ctx *a, unsigned needs)
{
    if (needs & APP_GHL) {
        needs |= APP_HTTP;
        if (config_int(a->cfg, "ghl", "auth") == 0) /* oauth: tokens sealed in the store */
            needs |= APP_KEY;
    }
    if (needs & APP_PL) {
        needs |= APP_HTTP;
        if (app_pl_needs_store(a))
            needs |= APP_STORE | APP_KEY;
    }
    return needs;
}

int app_require(app_ctx *a, unsigned needs, err *e)
{
    if (!a->cfg)
        return err_set(e, ERR_BAD_STATE, "no configuration loaded");
    needs = closure(a, needs) & ~a->open;
    int rc = 0;
    if (!rc && (needs & APP_STORE) && (rc = open_store(a, e)) == 0)
        a->open |= APP_STORE;
    if (!rc && (needs & APP_KEY) && (rc = open_key(a, e)) == 0)
        a->open |= APP_KEY;
    if (!rc && (needs & APP_HTTP) && (rc = http_client_new(&a->http, a->http_config, e)) == 0)
        a->open |= APP_HTTP;
    if (!rc && (needs & APP_GHL)) {
        rc = app_open_ghl(a, e);
        if (rc == 0)
            a->open |= APP_GHL;
        else
            app_close_ghl(a);
    }
    if (!rc && (needs & APP_PL)) {
        rc = app_open_pl(a, e);
        if (rc == 0)
            a->open |= APP_PL;
        else
            app_close_pl(a);
    }
    return rc;
}

void app_close(app_ctx *a)
{
    if (!a)
        return;
    app_close_pl(a);
    app_close_ghl(a);
    app_budget_free(a->budget);
    http_client_free(a->http);
    crypto_key_free(a->key);
    store_close(a->store);
    config_free(a->cfg);
    free(a->config_path);
    app_links_free(a->links, a->n_links);
    memset(a, 0, sizeof *a);
}

void app_engine(engine *out, app_ctx *a)
{
    if (a->n_links > 0) {
        app_link_engine(out, a, 0);
        return;
    }
    memset(out, 0, sizeof *out);
    out->cfg = a->cfg;
    out->clock = a->clock;
    out->owner = a->owner;
}

/* ---------------------------------------------------------------- reporting */

int app_exit_code(int rc)
{
    return rc == ERR_CONFIG || rc == ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
}

void app_fail(const app_ctx *a, const err *e)
{
    fprintf(stderr, "pheedsync %s: %s\n", a && a->command ? a->command : "", e->msg);
}
