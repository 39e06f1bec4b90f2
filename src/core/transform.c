/* transform.c: parsing and running the transform pipelines of `[field]` sections. */
#include "core/transform.h"

#include "core/normalize.h"
#include "util/jsonx.h"

#include <stdarg.h>

#define XFORM_TEXT_MAX 4096

typedef enum step_kind {
    X_TRIM,
    X_LOWER,
    X_UPPER,
    X_E164,
    X_DEFAULT,
    X_MAP,
    X_CONST,
    X_TEMPLATE,
    X_JOIN_NAME,
    X_SPLIT_FIRST,
    X_SPLIT_LAST,
} step_kind;

typedef struct step {
    step_kind kind;
    char *arg;         /* default, const, template */
    char **from, **to; /* map */
    size_t n_pairs;
} step;

struct core_xform {
    step *steps;
    size_t n;
    int default_cc;
};

static const struct {
    const char *name;
    step_kind kind;
    int arg; /* 0: none, 1: required, 2: may be empty */
} KINDS[] = {
    {"trim", X_TRIM, 0},           {"lower", X_LOWER, 0},
    {"upper", X_UPPER, 0},         {"e164", X_E164, 0},
    {"default", X_DEFAULT, 1},     {"map", X_MAP, 1},
    {"const", X_CONST, 2},         {"template", X_TEMPLATE, 1},
    {"join_name", X_JOIN_NAME, 0}, {"split_name", X_SPLIT_FIRST, 1},
};

#define KNOWN_LIST                                                                                 \
    "trim, lower, upper, e164, default:VALUE, map:A=B|C=D, const:VALUE, template:TEXT, "           \
    "join_name, split_name:first|last"

static void step_clear(step *s)
{
    free(s->arg);
    for (size_t i = 0; i < s->n_pairs; i++) {
        free(s->from[i]);
        free(s->to[i]);
    }
    free(s->from);
    free(s->to);
}

void core_xform_free(core_xform *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        step_clear(&x->steps[i]);
    free(x->steps);
    free(x);
}

/* ---------------------------------------------------------------- parsing */

typedef struct parse_ctx {
    const char *label;
    const char *item; /* the step as written, for messages */
    core_tpl_known_fn known;
    void *known_ctx;
    err *e;
} parse_ctx;

__attribute__((format(printf, 2, 3))) static int fail(parse_ctx *p, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(p->e, ERR_CONFIG, "%s transform '%.80s': %s", p->label, p->item, msg);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The argument after "name:", its quotes removed. */
static int unquote(char **out, parse_ctx *p, const char *arg)
{
    size_t n = strlen(arg);
    if (n == 0 || arg[0] != '"') {
        *out = dup_n(arg, n);
        return *out ? 0 : ERR_NOMEM;
    }
    buf b;
    buf_init(&b, n + 1);
    size_t i = 1;
    for (; i < n && arg[i] != '"'; i++) {
        if (arg[i] == '\\' && i + 1 < n)
            i++;
        if (buf_addc(&b, arg[i]) != 0)
            break;
    }
    if (i >= n || i + 1 != n) {
        buf_free(&b);
        return fail(p, i >= n ? "unclosed quote" : "text after the closing quote");
    }
    *out = buf_take(&b);
    return *out ? 0 : ERR_NOMEM;
}

static bool same_ci(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

static int add_pair(step *s, const char *from, size_t nf, const char *to, size_t nt)
{
    char **f = realloc(s->from, (s->n_pairs + 1) * sizeof *f);
    if (f)
        s->from = f;
    char **t = realloc(s->to, (s->n_pairs + 1) * sizeof *t);
    if (t)
        s->to = t;
    if (!f || !t)
        return ERR_NOMEM;
    core_trim(&from, &nf);
    core_trim(&to, &nt);
    s->from[s->n_pairs] = dup_n(from, nf);
    s->to[s->n_pairs] = dup_n(to, nt);
    s->n_pairs++;
    return s->from[s->n_pairs - 1] && s->to[s->n_pairs - 1] ? 0 : ERR_NOMEM;
}

static int parse_map(step *s, parse_ctx *p)
{
    for (const char *c = s->arg; *c;) {
        size_t n = strcspn(c, "|");
        const char *eq = memchr(c, '=', n);
        if (!eq || eq == c)
            return fail(p, "each pair is A=B, pairs separated by '|'");
        int rc = add_pair(s, c, (size_t)(eq - c), eq + 1, n - (size_t)(eq - c) - 1);
        if (rc != 0)
            return rc == ERR_NOMEM ? err_set(p->e, rc, "out of memory") : rc;
        c += n + (c[n] == '|');
    }
    for (size_t i = 0; i < s->n_pairs; i++) {
        for (size_t j = 0; j < s->n_pairs; j++) {
            if (same_ci(s->to[i], s->from[j]) && !same_ci(s->to[i], s->to[j]))
                return fail(p,
                            "'%s' is both a result and a source: a value map must give back "
                            "its results unchanged",
                            s->to[i]);
        }
    }
    return 0;
}

static int check_arg(step *s, parse_ctx *p)
{
    if (s->kind == X_MAP)
        return parse_map(s, p);
    if (s->kind == X_SPLIT_FIRST) {
        if (same_ci(s->arg, "last"))
            s->kind = X_SPLIT_LAST;
        else if (!same_ci(s->arg, "first"))
            return fail(p, "use split_name:first or split_name:last");
    }
    if (s->kind == X_TEMPLATE) {
        size_t col;
        char why[128];
        if (core_tpl_check(s->arg, p->known, p->known_ctx, &col, why, sizeof why) != 0)
            return fail(p, "column %zu: %s", col, why);
    }
    return 0;
}

static int parse_step(step *s, parse_ctx *p)
{
    const char *item = p->item;
    size_t name_len = strcspn(item, ":");
    int k = -1;
    for (size_t i = 0; i < PS_ARRAY_LEN(KINDS); i++) {
        if (strlen(KINDS[i].name) == name_len && strncasecmp(KINDS[i].name, item, name_len) == 0)
            k = (int)i;
    }
    if (k < 0)
        return fail(p, "unknown transform (known: " KNOWN_LIST ")");
    s->kind = KINDS[k].kind;
    bool has_arg = item[name_len] == ':';
    if (!has_arg && KINDS[k].arg)
        return fail(p, "needs an argument (%s:...)", KINDS[k].name);
    if (has_arg && !KINDS[k].arg)
        return fail(p, "takes no argument");
    if (!has_arg)
        return 0;
    int rc = unquote(&s->arg, p, item + name_len + 1);
    if (rc != 0)
        return rc == ERR_NOMEM ? err_set(p->e, rc, "out of memory") : rc;
    if (!*s->arg && KINDS[k].arg == 1)
        return fail(p, "needs an argument (%s:...)", KINDS[k].name);
    return check_arg(s, p);
}

/* The length of the next comma-separated item of text (quotes protect commas). */
static size_t item_len(const char *text)
{
    bool quoted = false;
    size_t i = 0;
    for (; text[i] && (quoted || text[i] != ','); i++) {
        if (quoted && text[i] == '\\' && text[i + 1])
            i++;
        else if (text[i] == '"')
            quoted = !quoted;
    }
    return i;
}

static int parse_all(core_xform *x, const char *text, parse_ctx *p)
{
    for (const char *c = text; *c;) {
        size_t n = item_len(c);
        const char *it = c;
        size_t len = n;
        c += n + (c[n] == ',');
        core_trim(&it, &len);
        if (len == 0)
            continue;
        char *copy = dup_n(it, len);
        step *grown = copy ? realloc(x->steps, (x->n + 1) * sizeof *grown) : NULL;
        if (!grown) {
            free(copy);
            return err_set(p->e, ERR_NOMEM, "out of memory");
        }
        x->steps = grown;
        step *s = &x->steps[x->n++];
        memset(s, 0, sizeof *s);
        p->item = copy;
        int rc = parse_step(s, p);
        free(copy);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int core_xform_parse(core_xform **out, const char *text, const char *label, int default_cc,
                     core_tpl_known_fn known, void *known_ctx, err *e)
{
    core_xform *x = calloc(1, sizeof *x);
    if (!x)
        return err_set(e, ERR_NOMEM, "out of memory");
    x->default_cc = default_cc;
    parse_ctx p = {label ? label : "", "", known, known_ctx, e};
    if (text && strlen(text) > XFORM_TEXT_MAX) {
        core_xform_free(x);
        return err_set(e, ERR_CONFIG, "%s transform: longer than %d bytes", p.label,
                       XFORM_TEXT_MAX);
    }
    int rc = text ? parse_all(x, text, &p) : 0;
    if (rc != 0) {
        core_xform_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

bool core_xform_derives(const core_xform *x)
{
    for (size_t i = 0; x && i < x->n; i++) {
        step_kind k = x->steps[i].kind;
        if (k == X_CONST || k == X_TEMPLATE || k == X_JOIN_NAME || k == X_SPLIT_FIRST ||
            k == X_SPLIT_LAST)
            return true;
    }
    return false;
}

static const char *kind_name(step_kind k)
{
    if (k == X_SPLIT_LAST)
        return "split_name";
    for (size_t i = 0; i < PS_ARRAY_LEN(KINDS); i++) {
        if (KINDS[i].kind == k)
            return KINDS[i].name;
    }
    return "?";
}

int core_xform_describe(buf *out, const core_xform *x)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && x && i < x->n; i++) {
        const step *s = &x->steps[i];
        rc = buf_addf(out, "%s%s", i ? ", " : "", kind_name(s->kind));
        if (rc == 0 && s->kind == X_SPLIT_FIRST)
            rc = buf_addstr(out, ":first");
        else if (rc == 0 && s->kind == X_SPLIT_LAST)
            rc = buf_addstr(out, ":last");
        else if (rc == 0 && s->arg)
            rc = buf_addf(out, strchr(s->arg, ',') ? ":\"%s\"" : ":%s", s->arg);
    }
    return rc;
}

/* ---------------------------------------------------------------- values */

bool core_value_empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

bool core_value_equal(const json_t *a, const json_t *b)
{
    bool ea = core_value_empty(a), eb = core_value_empty(b);
    if (ea || eb)
        return ea && eb;
    return json_equal(a, b);
}

static json_t *scalar_text(const json_t *raw)
{
    buf b;
    buf_init(&b, XFORM_TEXT_MAX * 16);
    int rc = json_is_object(raw) ? jsonx_dump(&b, raw) : core_tpl_value(&b, raw);
    json_t *s = rc == 0 && b.len ? json_stringn(b.ptr, b.len) : NULL;
    buf_free(&b);
    return s;
}

json_t *core_value_canon(const json_t *raw)
{
    if (core_value_empty(raw))
        return NULL;
    if (json_is_string(raw))
        return json_incref(core_json_mut(raw));
    if (!json_is_array(raw))
        return scalar_text(raw);
    json_t *arr = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(raw, i, item)
    {
        json_t *s = core_value_canon(item);
        if (s)
            json_array_append_new(arr, s);
    }
    if (arr && json_array_size(arr) == 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* ---------------------------------------------------------------- running */

typedef struct run {
    const core_xform *x;
    const json_t *vars;
    char *why;
    size_t why_size;
} run;

static json_t *text_new(const buf *b)
{
    return b->len ? json_stringn(b->ptr, b->len) : NULL;
}

static json_t *case_map(const char *s, size_t n, bool up)
{
    char *d = dup_n(s, n);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (up && d[i] >= 'a' && d[i] <= 'z')
            d[i] = (char)(d[i] - 'a' + 'A');
        else if (!up && d[i] >= 'A' && d[i] <= 'Z')
            d[i] = (char)(d[i] - 'A' + 'a');
    }
    json_t *v = json_stringn(d, n);
    free(d);
    return v;
}

static json_t *map_value(const step *s, const char *v, size_t n)
{
    core_trim(&v, &n);
    for (size_t i = 0; i < s->n_pairs; i++) {
        if (strlen(s->from[i]) == n && strncasecmp(s->from[i], v, n) == 0)
            return s->to[i][0] ? json_string(s->to[i]) : NULL;
    }
    return n ? json_stringn(v, n) : NULL;
}

static json_t *split_part(const char *v, size_t n, bool want_last)
{
    buf first, last;
    buf_init(&first, n + 1);
    buf_init(&last, n + 1);
    json_t *out = NULL;
    if (core_name_split(&first, &last, v, n) == 0)
        out = text_new(want_last ? &last : &first);
    buf_free(&first);
    buf_free(&last);
    return out;
}

/* One text-to-text step on the string v. *out NULL: empty. */
static int step_string(json_t **out, const step *s, const char *v, size_t n, run *r)
{
    char e164[CORE_E164_MAX];
    switch (s->kind) {
    case X_TRIM:
        core_trim(&v, &n);
        *out = n ? json_stringn(v, n) : NULL;
        return 0;
    case X_LOWER:
    case X_UPPER:
        *out = case_map(v, n, s->kind == X_UPPER);
        return 0;
    case X_E164: {
        const char *t = v;
        size_t tn = n;
        core_trim(&t, &tn);
        *out = NULL;
        if (tn == 0)
            return 0;
        char why[CORE_WHY_MAX];
        if (core_norm_phone(e164, t, tn, r->x->default_cc, why) != 0) {
            snprintf(r->why, r->why_size, "'%.*s' is not a phone number: %s", (int)PS_MIN(tn, 40),
                     t, why);
            return ERR_INVALID;
        }
        *out = json_string(e164);
        return 0;
    }
    case X_MAP:
        *out = map_value(s, v, n);
        return 0;
    case X_SPLIT_FIRST:
    case X_SPLIT_LAST:
        *out = split_part(v, n, s->kind == X_SPLIT_LAST);
        return 0;
    default:
        *out = n ? json_stringn(v, n) : NULL;
        return 0;
    }
}

/* A text step on a canonical value: strings directly, arrays element by element. */
static int step_text(json_t **out, const step *s, const json_t *v, run *r)
{
    if (!v) {
        *out = NULL;
        return 0;
    }
    if (json_is_string(v))
        return step_string(out, s, json_string_value(v), json_string_length(v), r);
    json_t *arr = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        json_t *one = NULL;
        int rc = step_string(&one, s, json_string_value(item), json_string_length(item), r);
        if (rc != 0) {
            json_decref(arr);
            return rc;
        }
        if (one)
            json_array_append_new(arr, one);
    }
    *out = arr;
    return 0;
}

static json_t *derive(const step *s, run *r)
{
    buf b;
    buf_init(&b, XFORM_TEXT_MAX * 4);
    if (s->kind == X_CONST)
        buf_addstr(&b, s->arg);
    else if (s->kind == X_TEMPLATE)
        core_tpl_fill(&b, s->arg, r->vars, NULL);
    else
        core_name_join(&b, jsonx_str(r->vars, "first_name"), jsonx_str(r->vars, "last_name"));
    json_t *v = text_new(&b);
    buf_free(&b);
    return v;
}

static int run_step(json_t **out, const step *s, const json_t *v, bool source, run *r)
{
    switch (s->kind) {
    case X_DEFAULT:
        *out = core_value_empty(v) ? json_string(s->arg) : json_incref(core_json_mut(v));
        return 0;
    case X_CONST:
    case X_TEMPLATE:
    case X_JOIN_NAME:
        *out = source ? derive(s, r) : json_incref(core_json_mut(v));
        return 0;
    case X_SPLIT_FIRST:
    case X_SPLIT_LAST:
        if (!source) {
            *out = json_incref(core_json_mut(v));
            return 0;
        }
        return step_text(out, s, v, r);
    default:
        return step_text(out, s, v, r);
    }
}

int core_xform_apply(json_t **out, const core_xform *x, const json_t *in, bool source,
                     const json_t *vars, char *why, size_t why_size)
{
    json_t *v = core_value_canon(in);
    char scratch[CORE_WHY_MAX];
    run r = {x, vars, why ? why : scratch, why ? why_size : sizeof scratch};
    for (size_t i = 0; x && i < x->n; i++) {
        json_t *next = NULL;
        int rc = run_step(&next, &x->steps[i], v, source, &r);
        json_decref(v);
        if (rc != 0)
            return rc;
        v = next;
        if (core_value_empty(v)) {
            json_decref(v);
            v = NULL;
        }
    }
    *out = v;
    return 0;
}
