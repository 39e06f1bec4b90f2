/* ops_cmd.c: the command-line plumbing the operator's commands share. */
#include "ops/ops_cmd.h"
#include "core/transform.h"
#include "util/jsonx.h"

#include <errno.h>
#include <stdarg.h>

int ops_cmd_usage_error(const ops_cmd_spec *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pheedsync %s: ", s->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(`pheedsync %s --help` shows the usage)\n", s->name);
    va_end(ap);
    return EXIT_USAGE;
}

int ops_cmd_parse(app_options *ao, int *out_first, const ops_cmd_spec *s, int argc, char **argv)
{
    *ao = (app_options){.command = s->name};
    err e = {0};
    int opt;
    optind = 1;
    opterr = 0;
    /* Short options: -h, and -y for the commands whose table has --yes. */
    while ((opt = getopt_long(argc, argv, ":hy", s->options, NULL)) != -1) {
        int rc = app_option(ao, opt, optarg, &e);
        if (rc == 1)
            continue;
        if (rc < 0)
            return ops_cmd_usage_error(s, "%s", e.msg);
        if (opt == 'h') {
            fputs(s->usage, stdout);
            return EXIT_OK;
        }
        int own = s->own && opt != '?' && opt != ':' ? s->own(s->ctx, opt, optarg) : -1;
        if (own == 0)
            continue;
        if (own > 0)
            return own;
        if (opt == ':')
            return ops_cmd_usage_error(s, "option '%s' needs a value", argv[optind - 1]);
        return ops_cmd_usage_error(s, "unknown option '%s'", argv[optind - 1]);
    }
    *out_first = optind;
    return -1;
}

int ops_cmd_fail(const app_ctx *a, const err *e)
{
    app_fail(a, e);
    return app_exit_code(e->code);
}

int ops_cmd_open(app_ctx *a, const app_options *ao, unsigned needs)
{
    err e = {0};
    if (app_open(a, ao, &e) != 0) {
        app_fail(a, &e);
        return e.code == ERR_NOMEM ? EXIT_RUNTIME : EXIT_USAGE;
    }
    if (needs && app_require(a, needs, &e) != 0)
        return ops_cmd_fail(a, &e);
    return EXIT_OK;
}

void ops_json_print(const json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY);
    printf("%s\n", text ? text : "null");
    free(text);
}

void ops_fmt_time(char out[OPS_TIME_LEN], int64_t unix_ms)
{
    if (unix_ms <= 0) {
        snprintf(out, OPS_TIME_LEN, "-");
        return;
    }
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(unix_ms, iso);
    /* "2026-11-27T07:47:59.123Z" -> "2026-11-27 07:47:59Z" */
    snprintf(out, OPS_TIME_LEN, "%.10s %.8sZ", iso, iso + 11);
}

void ops_fmt_age(char *out, size_t n, int64_t ms)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s < 60)
        snprintf(out, n, "%lld s", (long long)s);
    else if (s < 3600)
        snprintf(out, n, "%lld min", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, n, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(out, n, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

/* Characters (UTF-8 code points) in s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Cuts text to width characters, ending it with "...". */
static void cut(char *text, size_t width)
{
    if (width < 4 || chars(text) <= width)
        return;
    size_t kept = 0, i = 0;
    for (; text[i]; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80 && kept++ == width - 3)
            break;
    }
    memcpy(text + i, "...", 4);
}

void ops_print_cell(const char *s, size_t width)
{
    fputs(s, stdout);
    for (size_t n = chars(s); n < width; n++)
        fputc(' ', stdout);
    fputc(' ', stdout);
}

void ops_fmt_value(char *out, size_t n, const json_t *v, size_t width)
{
    if (!n)
        return;
    out[0] = '\0';
    if (!v || json_is_null(v) || (json_is_array(v) && !json_array_size(v))) {
        snprintf(out, n, "-");
    } else if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
    } else if (json_is_array(v)) {
        size_t i, used = 0;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            char one[256];
            ops_fmt_value(one, sizeof one, item, 0);
            int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", one);
            if (w < 0 || (size_t)w >= n - used)
                break;
            used += (size_t)w;
        }
    } else if (json_is_object(v)) {
        size_t used = 0, i = 0;
        const char *k;
        json_t *item;
        json_object_foreach(core_json_mut(v), k, item)
        {
            char one[256];
            ops_fmt_value(one, sizeof one, item, 0);
            int w = snprintf(out + used, n - used, "%s%s: %s", i++ ? ", " : "", k, one);
            if (w < 0 || (size_t)w >= n - used)
                break;
            used += (size_t)w;
        }
    } else {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(out, n, "%s", text ? text : "?");
        free(text);
    }
    /* Newlines would break a table row. */
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    cut(out, width);
}

int ops_parse_id(int64_t *out, const char *what, const char *s, err *e)
{
    char *end = NULL;
    errno = 0;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || errno || !end || *end || v <= 0 || *s == '+' || *s == ' ')
        return err_set(e, ERR_INVALID, "%s '%s': expected a positive number", what, s ? s : "");
    *out = v;
    return 0;
}
