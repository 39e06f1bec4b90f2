/* rules_action.c: the actions of `[rule] then`: their catalog and their parser. */
#include "core/rules_int.h"

#include "core/normalize.h"
#include "core/template.h"

#include <stdarg.h>

#define TEXT_MAX 4096
#define ACTIONS_MAX 16

static const core_catalog_entry CATALOG[] = {
    {"ghl.add_tag", "ghl.add_tag TAG", "Add a tag to the HighLevel contact."},
    {"ghl.remove_tag", "ghl.remove_tag TAG", "Remove a tag from the HighLevel contact."},
    {"ghl.create_task", "ghl.create_task TITLE [due=+3d] [body=TEXT]",
     "Create a task on the HighLevel contact, due that long after now."},
    {"ghl.add_note", "ghl.add_note TEXT", "Add a note to the HighLevel contact."},
    {"pheedloop.add_tag", "pheedloop.add_tag TAG",
     "Add a tag to the attendee (kept in its metadata when the event has no such tag)."},
    {"pheedloop.remove_tag", "pheedloop.remove_tag TAG", "Remove a tag from the attendee."},
    {"pheedloop.announce", "pheedloop.announce TITLE [at=-24h] [description=TEXT]",
     "Send the attendee an announcement, released that long from the appointment's start (or "
     "the event's start, or now)."},
    {"pheedloop.register", "pheedloop.register EVENT_CODE",
     "Register the contact as an attendee of the event (attendees may cost credits: a contact "
     "becomes one only where a rule says so)."},
};

/* In CATALOG's order. */
static const struct {
    core_action_kind kind;
    const char *time_opt;
    const char *detail_opt;
} DEFS[] = {
    {CORE_ACTION_GHL_ADD_TAG, NULL, NULL},          {CORE_ACTION_GHL_REMOVE_TAG, NULL, NULL},
    {CORE_ACTION_GHL_CREATE_TASK, "due", "body"},   {CORE_ACTION_GHL_ADD_NOTE, NULL, NULL},
    {CORE_ACTION_PL_ADD_TAG, NULL, NULL},           {CORE_ACTION_PL_REMOVE_TAG, NULL, NULL},
    {CORE_ACTION_PL_ANNOUNCE, "at", "description"},
    {CORE_ACTION_PL_REGISTER, NULL, NULL},
};

const core_catalog_entry *core_rules_actions(size_t *n)
{
    *n = PS_ARRAY_LEN(CATALOG);
    return CATALOG;
}

const char *rules_action_name(core_action_kind k)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(DEFS); i++) {
        if (DEFS[i].kind == k)
            return CATALOG[i].name;
    }
    return "?";
}

void rules_actions_free(rules_action *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].text);
        free(a[i].detail);
    }
    free(a);
}

/* ---------------------------------------------------------------- parsing one action */

typedef struct aparse {
    const char *s; /* the whole `then` text */
    size_t def;    /* index in CATALOG / DEFS */
    rules_action *a;
    const rules_names *names;
    rules_fail *f;
} aparse;

__attribute__((format(printf, 3, 4))) static int fail_at(aparse *p, size_t pos, const char *fmt,
                                                         ...)
{
    p->f->col = pos + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->f->why, sizeof p->f->why, fmt, ap);
    va_end(ap);
    return ERR_CONFIG;
}

/* A quoted string at pos: its text in *out and the position after the closing quote. */
static int unquote(aparse *p, size_t pos, size_t end, char **out, size_t *after)
{
    char q = p->s[pos];
    buf b;
    buf_init(&b, TEXT_MAX);
    size_t i = pos + 1;
    for (; i < end && p->s[i] != q; i++) {
        if (p->s[i] == '\\' && i + 1 < end)
            i++;
        if (buf_addc(&b, p->s[i]) != 0)
            break;
    }
    if (i >= end) {
        buf_free(&b);
        return fail_at(p, pos, "unclosed quote");
    }
    *out = buf_take(&b);
    *after = i + 1;
    return *out ? 0 : fail_at(p, pos, "out of memory");
}

static int check_template(aparse *p, const char *tpl, size_t pos)
{
    size_t col;
    char why[160];
    if (core_tpl_check(tpl, rules_names_known, (void *)(uintptr_t)p->names, &col, why,
                       sizeof why) != 0)
        return fail_at(p, pos + col - 1, "%s", why);
    return 0;
}

/* The option KEY=VALUE whose value starts at pos (ends at end). */
static int set_option(aparse *p, const char *key, size_t key_pos, size_t pos, size_t end,
                      const char *value)
{
    const char *time_opt = DEFS[p->def].time_opt, *detail_opt = DEFS[p->def].detail_opt;
    if (time_opt && strcmp(key, time_opt) == 0) {
        if (core_duration_parse(&p->a->offset_s, value) != 0)
            return fail_at(p, pos, "'%s' is not a duration (e.g. +3d, -24h, 30m)", value);
        p->a->has_offset = true;
        return 0;
    }
    if (detail_opt && strcmp(key, detail_opt) == 0) {
        free(p->a->detail);
        p->a->detail = strdup(value);
        return p->a->detail ? check_template(p, value, pos) : fail_at(p, pos, "out of memory");
    }
    (void)end;
    if (!time_opt)
        return fail_at(p, key_pos, "unknown option '%s' (%s takes none)", key,
                       CATALOG[p->def].name);
    return fail_at(p, key_pos, "unknown option '%s' (%s takes %s=%s%s%s)", key,
                   CATALOG[p->def].name, time_opt, detail_opt ? ", " : "",
                   detail_opt ? detail_opt : "", detail_opt ? "=" : "");
}

/* Length of an option key at pos when the text there is KEY= with KEY an option of the
 * action; 0 otherwise. */
static size_t option_at(const aparse *p, size_t pos)
{
    const char *opts[2] = {DEFS[p->def].time_opt, DEFS[p->def].detail_opt};
    for (size_t i = 0; i < 2; i++) {
        size_t n = opts[i] ? strlen(opts[i]) : 0;
        if (n && strncmp(p->s + pos, opts[i], n) == 0 && p->s[pos + n] == '=')
            return n;
    }
    return 0;
}

/* A value (quoted, or up to a space or one of stops) at pos; *after past it. */
static int value_at(aparse *p, size_t pos, size_t end, const char *stops, char **out, size_t *after)
{
    if (pos < end && (p->s[pos] == '"' || p->s[pos] == '\''))
        return unquote(p, pos, end, out, after);
    size_t i = pos;
    while (i < end && !strchr(stops, p->s[i]))
        i++;
    *out = strndup(p->s + pos, i - pos);
    *after = i;
    return *out ? 0 : fail_at(p, pos, "out of memory");
}

static size_t skip_spaces(const char *s, size_t i, size_t end)
{
    while (i < end && core_is_space(s[i]))
        i++;
    return i;
}

static int parse_key_value(aparse *p, size_t *i, size_t end, const char *stops)
{
    size_t key_pos = *i;
    size_t eq = key_pos;
    while (eq < end && p->s[eq] != '=' && !strchr(stops, p->s[eq]))
        eq++;
    if (eq >= end || p->s[eq] != '=')
        return fail_at(p, key_pos, "expected KEY=VALUE");
    char key[32];
    snprintf(key, sizeof key, "%.*s", (int)PS_MIN(eq - key_pos, 31), p->s + key_pos);
    char *value = NULL;
    size_t after;
    int rc = value_at(p, eq + 1, end, stops, &value, &after);
    if (rc == 0)
        rc = set_option(p, key, key_pos, eq + 1, end, value);
    free(value);
    *i = after;
    return rc;
}

static int set_text(aparse *p, char *text, size_t pos)
{
    if (!text || !*text) {
        free(text);
        return fail_at(p, pos, "%s needs its text (%s)", CATALOG[p->def].name,
                       CATALOG[p->def].usage);
    }
    p->a->text = text;
    return check_template(p, text, pos);
}

/* NAME TEXT [KEY=VALUE ...] */
static int parse_spaced(aparse *p, size_t start, size_t end)
{
    size_t i = skip_spaces(p->s, start, end), text_end = end;
    char q = 0;
    for (size_t k = i; k < end; k++) {
        char c = p->s[k];
        if (q) {
            if (c == '\\')
                k++;
            else if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if ((k == i || core_is_space(p->s[k - 1])) && option_at(p, k)) {
            text_end = k;
            break;
        }
    }
    size_t te = text_end;
    while (te > i && core_is_space(p->s[te - 1]))
        te--;
    char *text = NULL;
    int rc = 0;
    size_t text_pos = i;
    if (i < te && (p->s[i] == '"' || p->s[i] == '\'')) {
        size_t after;
        rc = unquote(p, i, te, &text, &after);
        text_pos = i + 1;
        if (rc == 0 && after != te) {
            free(text);
            return fail_at(p, after, "text after the closing quote (quote the whole text)");
        }
    } else {
        text = strndup(p->s + i, te - i);
    }
    if (rc == 0)
        rc = set_text(p, text, text_pos);
    for (size_t k = text_end; rc == 0 && k < end;) {
        k = skip_spaces(p->s, k, end);
        if (k >= end)
            break;
        if (!option_at(p, k))
            return fail_at(p, k, "expected an option (KEY=VALUE) after the options begin");
        rc = parse_key_value(p, &k, end, " \t");
    }
    return rc;
}

static bool key_ahead(const char *s, size_t i, size_t end)
{
    size_t k = i;
    while (k < end && ((s[k] >= 'a' && s[k] <= 'z') || s[k] == '_'))
        k++;
    return k > i && k < end && s[k] == '=';
}

/* NAME("TEXT", KEY=VALUE, ...) */
static int parse_call(aparse *p, size_t open, size_t end)
{
    size_t k = open + 1;
    bool have_text = false;
    int rc = 0;
    for (;;) {
        k = skip_spaces(p->s, k, end);
        if (k >= end)
            return fail_at(p, open, "'(' is not closed");
        if (p->s[k] == ')' && !have_text)
            break;
        if (key_ahead(p->s, k, end)) {
            rc = parse_key_value(p, &k, end, ",)");
        } else if (!have_text) {
            char *text = NULL;
            size_t pos = k + (p->s[k] == '"' || p->s[k] == '\'');
            rc = value_at(p, k, end, ",)", &text, &k);
            if (rc == 0 && text) {
                size_t n = strlen(text);
                while (n && core_is_space(text[n - 1]))
                    text[--n] = '\0';
            }
            if (rc == 0)
                rc = set_text(p, text, pos);
            have_text = true;
        } else {
            return fail_at(p, k, "expected KEY=VALUE after the text");
        }
        if (rc != 0)
            return rc;
        k = skip_spaces(p->s, k, end);
        if (k >= end)
            return fail_at(p, open, "'(' is not closed");
        if (p->s[k] == ',') {
            k++;
            continue;
        }
        if (p->s[k] == ')')
            break;
        return fail_at(p, k, "expected ',' or ')'");
    }
    if (!have_text)
        return set_text(p, NULL, k);
    k = skip_spaces(p->s, k + 1, end);
    return k < end ? fail_at(p, k, "unexpected text after ')'") : 0;
}

static int parse_one(aparse *p, size_t start, size_t end)
{
    size_t i = start;
    while (i < end && ((p->s[i] >= 'a' && p->s[i] <= 'z') || p->s[i] == '_' || p->s[i] == '.' ||
                       (p->s[i] >= 'A' && p->s[i] <= 'Z')))
        i++;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)PS_MIN(i - start, 63), p->s + start);
    size_t n = PS_ARRAY_LEN(CATALOG);
    p->def = n;
    for (size_t d = 0; d < n; d++) {
        if (strcmp(CATALOG[d].name, name) == 0)
            p->def = d;
    }
    if (p->def == n) {
        const char *near = rules_suggest(name, CATALOG, n);
        if (near)
            return fail_at(p, start, "unknown action '%s' (did you mean %s?)", name, near);
        return fail_at(p, start, "unknown action '%s' (`pheedsync catalog` lists them)", name);
    }
    p->a->kind = DEFS[p->def].kind;
    if (i < end && p->s[i] == '(')
        return parse_call(p, i, end);
    if (i < end && !core_is_space(p->s[i]))
        return fail_at(p, i, "expected a space or '(' after %s", name);
    return parse_spaced(p, i, end);
}

/* The end of the action starting at i: the next ';' outside quotes, or the end. */
static size_t action_end(const char *s, size_t i)
{
    char q = 0;
    for (; s[i]; i++) {
        if (q) {
            if (s[i] == '\\' && s[i + 1])
                i++;
            else if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'') {
            q = s[i];
        } else if (s[i] == ';') {
            break;
        }
    }
    return i;
}

int rules_actions_parse(rules_action **out, size_t *n, const char *text, const rules_names *names,
                        rules_fail *f)
{
    rules_action *list = calloc(ACTIONS_MAX, sizeof *list);
    size_t count = 0;
    if (!list) {
        snprintf(f->why, sizeof f->why, "out of memory");
        return ERR_NOMEM;
    }
    aparse p = {text ? text : "", 0, NULL, names, f};
    int rc = 0;
    for (size_t i = 0; rc == 0;) {
        size_t end = action_end(p.s, i);
        size_t start = skip_spaces(p.s, i, end);
        if (start == end) {
            if (p.s[end] == ';' || count == 0)
                rc = fail_at(&p, start, count ? "empty action between ';'" : "no action");
        } else if (count == ACTIONS_MAX) {
            rc = fail_at(&p, start, "at most %d actions in one rule", ACTIONS_MAX);
        } else {
            p.a = &list[count++];
            rc = parse_one(&p, start, end);
        }
        if (!p.s[end] || (p.s[end] == ';' && !p.s[skip_spaces(p.s, end + 1, strlen(p.s))]))
            break;
        i = end + 1;
    }
    if (rc != 0) {
        rules_actions_free(list, count);
        return rc;
    }
    *out = list;
    *n = count;
    return 0;
}
