/* config.c: loading the configuration: the INI text through inih, checked line by line against
 * the schema, then the PHEEDSYNC_* environment overrides. */
#include "util/config_priv.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>

#define FILE_MAX (1024 * 1024)
#define NAME_MAX_LEN 64
#define ENV_PREFIX "PHEEDSYNC_"
/* Stands in for the value of a line too long for inih's line buffer; see next_line. */
#define LONG_MARK "\x1f"

typedef struct load_ctx {
    config *cfg;
    const char *text;
    size_t len, pos;
    int line;         /* lines handed to inih so far */
    buf clean;        /* the current line, cleaned */
    char *long_value; /* the value of line long_line */
    int long_line;
    config_section *cur; /* section of the last header; NULL before any */
    err *e;
    int err_line; /* 0 while there is no error */
} load_ctx;

__attribute__((format(printf, 3, 4))) static int fail(load_ctx *c, int line, const char *fmt, ...)
{
    if (c->err_line)
        return ERR_CONFIG;
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->err_line = line > 0 ? line : INT32_MAX;
    /* Line 0: not about the file (the environment). */
    if (line > 0)
        return err_set(c->e, ERR_CONFIG, "%s:%d: %s", c->cfg->label, line, msg);
    return err_set(c->e, ERR_CONFIG, "%s", msg);
}

static void section_free(config_section *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_values; i++)
        config_value_clear(&s->values[i]);
    free(s->values);
    free(s->name);
    free(s->label);
    free(s);
}

void config_free(config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_sections; i++)
        section_free(cfg->sections[i]);
    free(cfg->sections);
    free(cfg->label);
    free(cfg);
}

static char *make_label(const config_section_spec *spec, const char *name)
{
    buf b;
    buf_init(&b, 4 * NAME_MAX_LEN + 16);
    int rc = buf_addf(&b, "[%s", spec->name);
    if (name) {
        rc = rc ? rc : buf_addstr(&b, " \"");
        for (const char *p = name; *p && !rc; p++)
            rc = (*p == '"' || *p == '\\') ? buf_addf(&b, "\\%c", *p) : buf_addc(&b, *p);
        rc = rc ? rc : buf_addc(&b, '"');
    }
    rc = rc ? rc : buf_addc(&b, ']');
    if (rc) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* A new section instance holding the defaults, appended to cfg. */
static config_section *section_add(config *cfg, const config_section_spec *spec, const char *name,
                                   int line, err *e)
{
    config_section *s = calloc(1, sizeof *s);
    config_section **grown = realloc(cfg->sections, (cfg->n_sections + 1) * sizeof *grown);
    if (grown)
        cfg->sections = grown;
    size_t n = 0;
    while (spec->keys[n].name)
        n++;
    if (s) {
        s->values = calloc(n, sizeof *s->values);
        s->name = name ? strdup(name) : NULL;
        s->label = make_label(spec, name);
    }
    if (!s || !grown || !s->values || (name && !s->name) || !s->label) {
        section_free(s);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->spec = spec;
    s->cfg = cfg;
    s->line = line;
    s->n_values = n;
    for (size_t i = 0; i < n; i++) {
        char why[CONFIG_WHY_MAX];
        const config_key_spec *k = &spec->keys[i];
        if (k->def && config_value_set(&s->values[i], k, k->def, why, sizeof why) != 0) {
            section_free(s);
            err_set(e, ERR_INTERNAL, "schema default of %s %s: %s", spec->name, k->name, why);
            return NULL;
        }
    }
    cfg->sections[cfg->n_sections++] = s;
    return s;
}

static config_section *section_find(const config *cfg, const config_section_spec *spec,
                                    const char *name)
{
    for (size_t i = 0; i < cfg->n_sections; i++) {
        config_section *s = cfg->sections[i];
        if (s->spec == spec && (!name || (s->name && strcmp(s->name, name) == 0)))
            return s;
    }
    return NULL;
}

/* Appends ", name" (or "name" first) to a fixed message buffer, truncating quietly. */
static void append_name(char *out, size_t size, const char *name)
{
    size_t used = strlen(out);
    if (used < size)
        snprintf(out + used, size - used, "%s%s", used ? ", " : "", name);
}

static int unknown_section(load_ctx *c, const char *name)
{
    const config_section_spec *schema = config_schema();
    config_suggest sg;
    config_suggest_init(&sg, name);
    char known[256] = "";
    for (size_t i = 0; schema[i].name; i++) {
        config_suggest_try(&sg, schema[i].name, strlen(schema[i].name));
        append_name(known, sizeof known, schema[i].name);
    }
    if (sg.best)
        return fail(c, c->line, "unknown section [%s] (did you mean [%s]?)", name, sg.best);
    return fail(c, c->line, "unknown section [%s] (known sections: %s)", name, known);
}

/* Reads the quoted name of a named section header; p is just past the opening quote. */
static const char *read_quoted(const char *p, char *out, size_t size, bool *ok)
{
    size_t n = 0;
    *ok = false;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        if (n + 1 >= size)
            return p;
        out[n++] = *p;
    }
    out[n] = '\0';
    if (*p == '"') {
        *ok = true;
        p++;
    }
    return p;
}

/* Handles "[name]" or "[name "instance"]" (s starts at '['), making its section current. */
static int parse_header(load_ctx *c, const char *s)
{
    char name[NAME_MAX_LEN + 1], inst[4 * NAME_MAX_LEN + 1];
    bool has_inst = false, ok = true;
    size_t n = 0;
    const char *p = s + 1;
    while (*p == ' ' || *p == '\t')
        p++;
    while ((isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.') && n < NAME_MAX_LEN)
        name[n++] = (char)tolower((unsigned char)*p++);
    name[n] = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '"') {
        has_inst = true;
        p = read_quoted(p + 1, inst, sizeof inst, &ok);
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (!n || !ok || *p != ']')
        return fail(
            c, c->line,
            "cannot read the section header '%.80s' (write [section] or [section \"name\"])", s);
    for (p++; *p == ' ' || *p == '\t';)
        p++;
    if (*p && *p != '#' && *p != ';')
        return fail(c, c->line,
                    "unexpected text after ']': '%.60s' (put comments on their own "
                    "line or after ' #')",
                    p);
    const config_section_spec *spec = config_schema_section(name);
    if (!spec)
        return unknown_section(c, name);
    if (spec->named && (!has_inst || !inst[0]))
        return fail(c, c->line, "section [%s] needs a name, like [%s \"%s\"]", name, name,
                    strcmp(name, "field") ? "NAME" : "email");
    if (!spec->named && has_inst)
        return fail(c, c->line, "section [%s] takes no name: write [%s]", name, name);
    config_section *sec = section_find(c->cfg, spec, has_inst ? inst : NULL);
    if (!sec && !(sec = section_add(c->cfg, spec, has_inst ? inst : NULL, c->line, c->e))) {
        c->err_line = c->line;
        return c->e ? c->e->code : ERR_NOMEM;
    }
    if (!sec->line)
        sec->line = c->line;
    c->cur = sec;
    return 0;
}

/* Copies the next raw line into c->clean without its comment, indentation, trailing space and
 * line end. Returns false at the end of the text. */
static bool read_clean_line(load_ctx *c)
{
    if (c->pos >= c->len)
        return false;
    const char *start = c->text + c->pos;
    const char *nl = memchr(start, '\n', c->len - c->pos);
    size_t n = nl ? (size_t)(nl - start) : c->len - c->pos;
    c->pos += n + (nl ? 1 : 0);
    c->line++;
    if (c->line == 1 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
        start += 3;
        n -= 3;
    }
    while (n && (*start == ' ' || *start == '\t')) {
        start++;
        n--;
    }
    /* Headers keep their tail: a quoted name may hold " #"; parse_header checks the rest. */
    if (n && *start != '[') {
        for (size_t i = 1; i < n; i++) {
            if ((start[i] == '#' || start[i] == ';') && isspace((unsigned char)start[i - 1])) {
                n = i;
                break;
            }
        }
    }
    while (n && isspace((unsigned char)start[n - 1]))
        n--;
    if (n && (*start == '#' || *start == ';'))
        n = 0;
    buf_reset(&c->clean);
    if (buf_add(&c->clean, start, n) != 0) {
        fail(c, c->line, "line too long");
        return false;
    }
    return true;
}

/* A line longer than inih's buffer is split here ("key = value"): inih gets "key=" LONG_MARK
 * and the handler takes the value from c->long_value. */
static int stash_long_line(load_ctx *c, int room)
{
    const char *s = buf_cstr(&c->clean);
    size_t key_len = strcspn(s, "=:");
    if (!s[key_len])
        return fail(c, c->line,
                    "cannot read '%.60s...' (expected 'key = value', '[section]' or "
                    "a comment)",
                    s);
    const char *v = s + key_len + 1;
    while (key_len && isspace((unsigned char)s[key_len - 1]))
        key_len--;
    while (isspace((unsigned char)*v))
        v++;
    if (key_len + 2 + strlen(LONG_MARK) >= (size_t)room)
        return fail(c, c->line, "the key '%.40s...' is too long", s);
    free(c->long_value);
    c->long_value = strdup(v);
    if (!c->long_value)
        return fail(c, c->line, "out of memory");
    c->long_line = c->line;
    /* Keep the key, cut in place; the line was longer, so the mark fits. */
    c->clean.len = key_len;
    c->clean.ptr[key_len] = '\0';
    buf_addstr(&c->clean, "=" LONG_MARK);
    return 0;
}

/* inih's reader: one cleaned line per call; headers are handled here and reach inih blank. */
static char *next_line(char *str, int num, void *stream)
{
    load_ctx *c = stream;
    if (c->err_line || num < 8 || !read_clean_line(c))
        return NULL;
    const char *s = buf_cstr(&c->clean);
    if (*s == '[') {
        if (parse_header(c, s) != 0)
            return NULL;
        buf_reset(&c->clean);
    } else if (c->clean.len + 3 > (size_t)num && stash_long_line(c, num) != 0) {
        return NULL;
    }
    memcpy(str, buf_cstr(&c->clean), c->clean.len + 1);
    return str;
}

static int unknown_key(load_ctx *c, const char *key)
{
    const config_section_spec *spec = c->cur->spec;
    config_suggest sg;
    config_suggest_init(&sg, key);
    char known[320] = "";
    for (const config_key_spec *k = spec->keys; k->name; k++) {
        config_suggest_try(&sg, k->name, strlen(k->name));
        append_name(known, sizeof known, k->name);
    }
    if (sg.best)
        return fail(c, c->line, "%s unknown key '%s' (did you mean '%s'?)", c->cur->label, key,
                    sg.best);
    return fail(c, c->line, "%s unknown key '%s' (remove it; known keys: %s)", c->cur->label, key,
                known);
}

/* Drops one pair of double quotes around a whole value, so that it may keep edge spaces. */
static const char *unquote(const char *v, char **owned)
{
    size_t n = strlen(v);
    *owned = NULL;
    if (n < 2 || v[0] != '"' || v[n - 1] != '"' || memchr(v + 1, '"', n - 2))
        return v;
    *owned = strndup(v + 1, n - 2);
    return *owned ? *owned : v;
}

/* Stores text into v, the value of key k, or explains in why what is wrong. A secret is
 * registered first, so that even a message about it cannot leak it into a log. */
static int assign(config_value *v, const config_key_spec *k, const char *text, char *why,
                  size_t why_size)
{
    if (k->secret)
        log_add_secret(text);
    if (!*text) {
        /* An empty value means the default, as if the line were not there. */
        return 0;
    }
    if (config_value_set(v, k, text, why, why_size) != 0)
        return -1;
    v->set = true;
    return 0;
}

static int take_pair(load_ctx *c, const char *name, const char *value)
{
    if (c->long_line == c->line && strcmp(value, LONG_MARK) == 0)
        value = c->long_value;
    if (!c->cur)
        return fail(c, c->line,
                    "key '%s' is outside any section (put it under its [section] "
                    "header)",
                    name);
    if (!*name)
        return fail(c, c->line, "%s a line starts with '=' (write key = value)", c->cur->label);
    int i = config_key_index(c->cur->spec, name);
    if (i < 0)
        return unknown_key(c, name);
    const config_key_spec *k = &c->cur->spec->keys[i];
    config_value *v = &c->cur->values[i];
    if (v->line > 0)
        return fail(c, c->line, "%s %s is set twice (first on line %d): keep one", c->cur->label,
                    k->name, v->line);
    char *owned, why[CONFIG_WHY_MAX];
    const char *text = unquote(value, &owned);
    int rc = assign(v, k, text, why, sizeof why);
    free(owned);
    if (rc)
        return fail(c, c->line, "%s %s: %s", c->cur->label, k->name, why);
    v->line = c->line;
    return 0;
}

/* inih's handler: nonzero to go on. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *c = user;
    (void)section; /* headers never reach inih; c->cur is the section */
    return !c->err_line && take_pair(c, name, value) == 0;
}

/* The raw text of line n (1-based), for messages. */
static void raw_line(const char *text, size_t len, int n, char *out, size_t size)
{
    const char *p = text, *end = text + len;
    for (int i = 1; i < n && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    size_t k = 0;
    while (p < end && *p != '\n' && *p != '\r' && k + 1 < size)
        out[k++] = *p++;
    out[k] = '\0';
}

static int check_required(load_ctx *c)
{
    for (size_t i = 0; i < c->cfg->n_sections; i++) {
        const config_section *s = c->cfg->sections[i];
        for (size_t j = 0; j < s->n_values; j++) {
            const config_key_spec *k = &s->spec->keys[j];
            if (k->required && !s->values[j].set)
                return fail(c, s->line, "%s needs a '%s = ...' line: %s", s->label, k->name,
                            k->doc);
        }
    }
    return 0;
}

static void env_key_upper(char *out, size_t size, const char *section, const char *key)
{
    snprintf(out, size, ENV_PREFIX "%s_%s", section, key);
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

static int env_unknown_key(load_ctx *c, const char *var, const config_section *sec, const char *key)
{
    config_suggest sg;
    config_suggest_init(&sg, key);
    for (const config_key_spec *k = sec->spec->keys; k->name; k++)
        config_suggest_try(&sg, k->name, strlen(k->name));
    if (!sg.best)
        return fail(c, 0, "environment variable %s: %s has no key '%s' (unset it)", var, sec->label,
                    key);
    char want[NAME_MAX_LEN * 2 + 16];
    env_key_upper(want, sizeof want, sec->spec->name, sg.best);
    return fail(c, 0, "environment variable %s: %s has no key '%s' (did you mean %s?)", var,
                sec->label, key, want);
}

/* One PHEEDSYNC_<SECTION>_<KEY>=value entry; others are ignored. */
static int apply_env(load_ctx *c, const char *entry)
{
    const char *eq = strchr(entry, '=');
    size_t var_len = eq ? (size_t)(eq - entry) : 0;
    if (!eq || !eq[1] || strncmp(entry, ENV_PREFIX, strlen(ENV_PREFIX)) != 0 ||
        var_len > 2 * NAME_MAX_LEN)
        return 0;
    char var[2 * NAME_MAX_LEN + 1], lower[2 * NAME_MAX_LEN + 1];
    memcpy(var, entry, var_len);
    var[var_len] = '\0';
    size_t n = 0;
    for (const char *p = var + strlen(ENV_PREFIX); *p; p++)
        lower[n++] = (char)tolower((unsigned char)*p);
    lower[n] = '\0';
    char *us = strchr(lower, '_');
    if (us)
        *us = '\0';
    const config_section_spec *spec = config_schema_section(lower);
    if (!spec)
        return 0; /* PHEEDSYNC_CONFIG and the like belong to others */
    if (spec->named)
        return fail(c, 0, "environment variable %s: [%s] sections can only be set in the file", var,
                    spec->name);
    config_section *sec = section_find(c->cfg, spec, NULL);
    const char *key = us ? us + 1 : "";
    int i = config_key_index(spec, key);
    if (i < 0)
        return env_unknown_key(c, var, sec, key);
    config_value *v = &sec->values[i];
    char why[CONFIG_WHY_MAX];
    if (assign(v, &spec->keys[i], eq + 1, why, sizeof why) != 0)
        return fail(c, 0, "environment variable %s: %s %s: %s", var, sec->label, spec->keys[i].name,
                    why);
    free(v->env_name);
    v->env_name = strdup(var);
    if (!v->env_name)
        return fail(c, 0, "out of memory");
    return 0;
}

static int parse_text(load_ctx *c)
{
    if (memchr(c->text, '\0', c->len)) {
        const char *nul = memchr(c->text, '\0', c->len);
        int line = 1;
        for (const char *p = c->text; p < nul; p++)
            line += *p == '\n';
        return fail(c, line, "contains a NUL byte: is this a text file?");
    }
    int r = ini_parse_stream(next_line, c, on_pair, c);
    if (r > 0 && (!c->err_line || r < c->err_line)) {
        char text[80];
        raw_line(c->text, c->len, r, text, sizeof text);
        c->err_line = 0;
        return fail(c, r, "cannot read '%s' (expected 'key = value', '[section]' or a comment)",
                    text);
    }
    if (r < 0 && !c->err_line)
        return fail(c, 0, "out of memory");
    return c->err_line ? c->e ? c->e->code : ERR_CONFIG : 0;
}

int config_load_string(config **out, const char *text, size_t len, const char *label,
                       char *const *envp, err *e)
{
    err scratch = {0};
    load_ctx c = {.text = text ? text : "", .len = text ? len : 0, .e = e ? e : &scratch};
    buf_init(&c.clean, FILE_MAX);
    c.cfg = calloc(1, sizeof *c.cfg);
    if (!c.cfg || !(c.cfg->label = strdup(label ? label : "configuration"))) {
        free(c.cfg);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    int rc = 0;
    for (const config_section_spec *s = config_schema(); s->name && !rc; s++) {
        if (!s->named && !section_add(c.cfg, s, NULL, 0, c.e))
            rc = c.e->code;
    }
    rc = rc ? rc : parse_text(&c);
    rc = rc ? rc : check_required(&c);
    for (char *const *ep = envp; ep && *ep && !rc; ep++)
        rc = apply_env(&c, *ep);
    buf_free(&c.clean);
    free(c.long_value);
    if (rc) {
        config_free(c.cfg);
        return rc;
    }
    *out = c.cfg;
    return 0;
}

int config_load_file(config **out, const char *path, char *const *envp, err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char why[128] = "unknown error";
        strerror_r(errno, why, sizeof why);
        return err_set(e, ERR_IO,
                       "%s: cannot open: %s (create one with `pheedsync init`, or "
                       "name another with --config FILE)",
                       path, why);
    }
    char *text = malloc(FILE_MAX + 1);
    size_t len = text ? fread(text, 1, FILE_MAX + 1, f) : 0;
    bool bad = ferror(f);
    fclose(f);
    int rc;
    if (!text)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    else if (bad)
        rc = err_set(e, ERR_IO, "%s: cannot read the file", path);
    else if (len > FILE_MAX)
        rc = err_set(e, ERR_CONFIG, "%s: larger than %d bytes: is this the right file?", path,
                     FILE_MAX);
    else
        rc = config_load_string(out, text, len, path, envp, e);
    free(text);
    return rc;
}
