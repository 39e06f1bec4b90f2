/* rules_cond.c: the condition language of `[rule] if`: lexer, parser and evaluator. */
#include "core/rules_int.h"

#include "core/template.h"
#include "util/jsonx.h"

#include <stdarg.h>

#define DEPTH_MAX 32
#define TEXT_MAX 4096

typedef enum tkind {
    T_END,
    T_IDENT,
    T_STRING,
    T_NUMBER,
    T_EQ,
    T_NE,
    T_LBRACK,
    T_RBRACK,
    T_COMMA,
    T_LPAREN,
    T_RPAREN,
    T_AND,
    T_OR,
    T_NOT,
    T_CONTAINS,
    T_IN,
    T_TRUE,
    T_FALSE,
} tkind;

typedef struct tok {
    tkind kind;
    size_t pos, len;
    char *text; /* identifiers, strings (unescaped), numbers */
} tok;

typedef enum ckind { C_AND, C_OR, C_NOT, C_EQ, C_NE, C_CONTAINS, C_IN, C_TRUTHY } ckind;

struct rules_cond {
    ckind kind;
    rules_cond *a, *b; /* and, or, not */
    char *name;        /* comparisons */
    char **values;     /* the literal(s) */
    size_t n_values;
};

typedef struct parser {
    const char *s;
    size_t pos;
    tok cur;
    const rules_names *names;
    rules_fail *f;
    bool failed;
    int depth;
} parser;

void rules_cond_free(rules_cond *c)
{
    if (!c)
        return;
    rules_cond_free(c->a);
    rules_cond_free(c->b);
    free(c->name);
    for (size_t i = 0; i < c->n_values; i++)
        free(c->values[i]);
    free(c->values);
    free(c);
}

__attribute__((format(printf, 3, 4))) static void fail_at(parser *p, size_t pos, const char *fmt,
                                                          ...)
{
    if (p->failed)
        return;
    p->failed = true;
    p->f->col = pos + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->f->why, sizeof p->f->why, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- lexer */

static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void lex_string(parser *p, tok *t)
{
    char q = p->s[p->pos];
    buf b;
    buf_init(&b, TEXT_MAX);
    size_t i = p->pos + 1;
    for (; p->s[i] && p->s[i] != q; i++) {
        if (p->s[i] == '\\' && p->s[i + 1])
            i++;
        if (buf_addc(&b, p->s[i]) != 0) {
            fail_at(p, p->pos, "text too long");
            buf_free(&b);
            return;
        }
    }
    if (!p->s[i]) {
        fail_at(p, p->pos, "unclosed quote");
        buf_free(&b);
        return;
    }
    t->kind = T_STRING;
    t->text = buf_take(&b);
    p->pos = i + 1;
}

static tkind keyword(const char *s, size_t n)
{
    static const struct {
        const char *word;
        tkind kind;
    } words[] = {{"and", T_AND}, {"or", T_OR},     {"not", T_NOT},    {"contains", T_CONTAINS},
                 {"in", T_IN},   {"true", T_TRUE}, {"false", T_FALSE}};
    for (size_t i = 0; i < PS_ARRAY_LEN(words); i++) {
        if (strlen(words[i].word) == n && strncasecmp(words[i].word, s, n) == 0)
            return words[i].kind;
    }
    return T_IDENT;
}

static void lex_word(parser *p, tok *t, bool number)
{
    size_t i = p->pos + (p->s[p->pos] == '-');
    while (number ? (is_digit(p->s[i]) || p->s[i] == '.') : ident_char(p->s[i]))
        i++;
    t->len = i - p->pos;
    t->kind = number ? T_NUMBER : keyword(p->s + p->pos, t->len);
    if (t->kind == T_IDENT || t->kind == T_NUMBER)
        t->text = strndup(p->s + p->pos, t->len);
    p->pos = i;
}

static bool lex_symbol(parser *p, tok *t)
{
    const char *c = p->s + p->pos;
    static const struct {
        const char *sym;
        tkind kind;
    } syms[] = {{"==", T_EQ},   {"!=", T_NE},    {"[", T_LBRACK}, {"]", T_RBRACK},
                {",", T_COMMA}, {"(", T_LPAREN}, {")", T_RPAREN}};
    for (size_t i = 0; i < PS_ARRAY_LEN(syms); i++) {
        size_t n = strlen(syms[i].sym);
        if (strncmp(c, syms[i].sym, n) == 0) {
            t->kind = syms[i].kind;
            p->pos += n;
            return true;
        }
    }
    return false;
}

static void next(parser *p)
{
    free(p->cur.text);
    memset(&p->cur, 0, sizeof p->cur);
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
        p->pos++;
    tok *t = &p->cur;
    t->pos = p->pos;
    char c = p->s[p->pos];
    if (!c || p->failed) {
        t->kind = T_END;
    } else if (c == '"' || c == '\'') {
        lex_string(p, t);
    } else if (is_digit(c) || (c == '-' && is_digit(p->s[p->pos + 1]))) {
        lex_word(p, t, true);
    } else if (ident_start(c)) {
        lex_word(p, t, false);
    } else if (!lex_symbol(p, t)) {
        if (c == '=')
            fail_at(p, p->pos, "use '==' to compare");
        else if (c == '!')
            fail_at(p, p->pos, "use 'not', or '!=' to compare");
        else if ((unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
            fail_at(p, p->pos, "unexpected character '%c'", c);
        else
            fail_at(p, p->pos, "unexpected byte 0x%02x", (unsigned)(unsigned char)c);
        t->kind = T_END;
    }
}

/* ---------------------------------------------------------------- parser */

static rules_cond *node(ckind kind)
{
    rules_cond *c = calloc(1, sizeof *c);
    if (c)
        c->kind = kind;
    return c;
}

static const char *tok_desc(const tok *t)
{
    switch (t->kind) {
    case T_END:
        return "the end";
    case T_IDENT:
        return "a name";
    case T_STRING:
        return "a string";
    case T_NUMBER:
        return "a number";
    case T_RPAREN:
        return "')'";
    case T_RBRACK:
        return "']'";
    default:
        return "an operator";
    }
}

/* A literal's text, or NULL (with the failure set) when the token is not one. */
static char *literal(parser *p, const char *after)
{
    tok *t = &p->cur;
    char *v = NULL;
    if (t->kind == T_STRING || t->kind == T_NUMBER) {
        v = t->text;
        t->text = NULL;
    } else if (t->kind == T_TRUE || t->kind == T_FALSE) {
        v = strdup(t->kind == T_TRUE ? "true" : "false");
    } else {
        fail_at(p, t->pos, "expected a value after %s (a \"string\", a number, true or false)",
                after);
        return NULL;
    }
    next(p);
    return v;
}

static bool add_value(rules_cond *c, char *v)
{
    char **grown = v ? realloc(c->values, (c->n_values + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(v);
        return false;
    }
    c->values = grown;
    c->values[c->n_values++] = v;
    return true;
}

static void parse_list(parser *p, rules_cond *c)
{
    if (p->cur.kind != T_LBRACK) {
        fail_at(p, p->cur.pos, "expected '[' after 'in'");
        return;
    }
    next(p);
    for (;;) {
        if (!add_value(c, literal(p, c->n_values ? "','" : "'['")))
            return;
        if (p->cur.kind == T_RBRACK)
            break;
        if (p->cur.kind != T_COMMA) {
            fail_at(p, p->cur.pos, "expected ',' or ']' in the list, not %s", tok_desc(&p->cur));
            return;
        }
        next(p);
    }
    next(p);
}

static rules_cond *comparison(parser *p)
{
    tok *t = &p->cur;
    if (t->kind != T_IDENT) {
        fail_at(p, t->pos, "expected a field name, not %s", tok_desc(t));
        return NULL;
    }
    if (!rules_names_known((void *)(uintptr_t)p->names, t->text)) {
        fail_at(p, t->pos, "unknown name '%s'", t->text);
        return NULL;
    }
    rules_cond *c = node(C_TRUTHY);
    if (!c) {
        fail_at(p, t->pos, "out of memory");
        return NULL;
    }
    c->name = t->text;
    t->text = NULL;
    next(p);
    tkind op = p->cur.kind;
    if (op == T_EQ || op == T_NE || op == T_CONTAINS) {
        c->kind = op == T_EQ ? C_EQ : op == T_NE ? C_NE : C_CONTAINS;
        next(p);
        add_value(c, literal(p, op == T_EQ ? "'=='" : op == T_NE ? "'!='" : "'contains'"));
    } else if (op == T_IN) {
        c->kind = C_IN;
        next(p);
        parse_list(p, c);
    } else {
        c->kind = C_TRUTHY;
    }
    return c;
}

static rules_cond *parse_or(parser *p);

static rules_cond *unary(parser *p)
{
    if (++p->depth > DEPTH_MAX) {
        fail_at(p, p->cur.pos, "nested too deeply");
        return NULL;
    }
    rules_cond *c = NULL;
    if (p->cur.kind == T_NOT) {
        next(p);
        c = node(C_NOT);
        if (c)
            c->a = unary(p);
        else
            fail_at(p, p->cur.pos, "out of memory");
    } else if (p->cur.kind == T_LPAREN) {
        size_t open = p->cur.pos;
        next(p);
        c = parse_or(p);
        if (!p->failed && p->cur.kind != T_RPAREN)
            fail_at(p, p->cur.kind == T_END ? open : p->cur.pos,
                    p->cur.kind == T_END ? "'(' is not closed" : "expected ')', not %s",
                    tok_desc(&p->cur));
        else
            next(p);
    } else {
        c = comparison(p);
    }
    p->depth--;
    return c;
}

static rules_cond *binary(parser *p, tkind op, ckind kind, rules_cond *(*sub)(parser *))
{
    rules_cond *left = sub(p);
    while (!p->failed && p->cur.kind == op) {
        next(p);
        rules_cond *c = node(kind);
        if (!c) {
            fail_at(p, p->cur.pos, "out of memory");
            break;
        }
        c->a = left;
        c->b = sub(p);
        left = c;
    }
    return left;
}

static rules_cond *parse_and(parser *p)
{
    return binary(p, T_AND, C_AND, unary);
}

static rules_cond *parse_or(parser *p)
{
    return binary(p, T_OR, C_OR, parse_and);
}

int rules_cond_parse(rules_cond **out, const char *text, const rules_names *names, rules_fail *f)
{
    parser p = {text ? text : "", 0, {T_END, 0, 0, NULL}, names, f, false, 0};
    next(&p);
    if (p.cur.kind == T_END && !p.failed) {
        *out = NULL;
        return 0;
    }
    rules_cond *c = parse_or(&p);
    if (!p.failed && p.cur.kind != T_END)
        fail_at(&p, p.cur.pos, "expected 'and', 'or' or the end, not %s", tok_desc(&p.cur));
    free(p.cur.text);
    if (p.failed) {
        rules_cond_free(c);
        return ERR_CONFIG;
    }
    *out = c;
    return 0;
}

/* ---------------------------------------------------------------- evaluation */

static bool text_eq(const json_t *v, const char *lit)
{
    buf b;
    buf_init(&b, TEXT_MAX * 4);
    core_tpl_value(&b, v);
    bool eq = strcasecmp(buf_cstr(&b), lit) == 0;
    buf_free(&b);
    return eq;
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return n == 0;
}

/* Whether some element (or the value itself, when not a list) satisfies test. */
static bool any(const json_t *v, const rules_cond *c,
                bool (*test)(const json_t *, const rules_cond *))
{
    if (!json_is_array(v))
        return test(v, c);
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        if (test(item, c))
            return true;
    }
    return false;
}

static bool one_in(const json_t *v, const rules_cond *c)
{
    for (size_t i = 0; i < c->n_values; i++) {
        if (text_eq(v, c->values[i]))
            return true;
    }
    return false;
}

static bool one_contains(const json_t *v, const rules_cond *c)
{
    if (json_is_string(v))
        return contains_ci(json_string_value(v), c->values[0]);
    return text_eq(v, c->values[0]);
}

static bool one_is(const json_t *v, const rules_cond *c)
{
    return text_eq(v, c->values[0]);
}

static const json_t *value_of(const json_t *vars, const char *name)
{
    const json_t *v = json_object_get(vars, name);
    return v || !strchr(name, '.') ? v : jsonx_path(vars, name);
}

bool rules_cond_eval(const rules_cond *c, const json_t *vars)
{
    if (!c)
        return true;
    const json_t *v = c->name ? value_of(vars, c->name) : NULL;
    switch (c->kind) {
    case C_AND:
        return rules_cond_eval(c->a, vars) && rules_cond_eval(c->b, vars);
    case C_OR:
        return rules_cond_eval(c->a, vars) || rules_cond_eval(c->b, vars);
    case C_NOT:
        return !rules_cond_eval(c->a, vars);
    case C_EQ:
        return text_eq(v, c->values[0]);
    case C_NE:
        return !text_eq(v, c->values[0]);
    case C_CONTAINS:
        return json_is_array(v) ? any(v, c, one_is) : one_contains(v, c);
    case C_IN:
        return any(v, c, one_in);
    default:
        return !text_eq(v, "") && !text_eq(v, "false") && !text_eq(v, "0");
    }
}
