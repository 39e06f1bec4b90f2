/* catalog.c: looking up actions and building their requests from `key=value` arguments. */
#include "catalog/catalog.h"
#include "net/http_server.h"
#include "util/jsonx.h"

#define CATALOG_PATH_MAX 4096
#define CATALOG_PARAM_MAX 8

const char *catalog_service_name(catalog_service s)
{
    return s == CATALOG_GHL ? "ghl" : "pheedloop";
}

int catalog_service_parse(catalog_service *out, const char *name, err *e)
{
    if (!strcmp(name, "ghl") || !strcmp(name, "highlevel")) {
        *out = CATALOG_GHL;
        return 0;
    }
    if (!strcmp(name, "pheedloop")) {
        *out = CATALOG_PHEEDLOOP;
        return 0;
    }
    return err_set(e, ERR_INVALID, "unknown service '%s' (use ghl or pheedloop)", name);
}

const catalog_action *catalog_find(catalog_service s, const char *name)
{
    for (const catalog_action *a = catalog_actions(); a->name; a++)
        if (a->service == s && !strcmp(a->name, name))
            return a;
    return NULL;
}

typedef struct arg {
    char key[64];
    const char *value;
    bool used;
} arg;

static int split_args(arg *args, int argc, char *const *argv, err *e)
{
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof args[i].key)
            return err_set(e, ERR_INVALID, "argument '%s': expected key=value", argv[i]);
        memcpy(args[i].key, argv[i], (size_t)(eq - argv[i]));
        args[i].key[eq - argv[i]] = '\0';
        args[i].value = eq + 1;
        args[i].used = false;
    }
    return 0;
}

static arg *find_arg(arg *args, int argc, const char *key, size_t key_len)
{
    for (int i = 0; i < argc; i++)
        if (strlen(args[i].key) == key_len && !strncmp(args[i].key, key, key_len))
            return &args[i];
    return NULL;
}

/* Fills the {param} segments of the action's path. */
static int fill_path(buf *out, const catalog_action *a, arg *args, int argc, err *e)
{
    for (const char *p = a->path; *p;) {
        if (*p != '{') {
            if (buf_addc(out, *p++))
                return err_set(e, ERR_LIMIT, "path too long");
            continue;
        }
        const char *end = strchr(p, '}');
        arg *v = find_arg(args, argc, p + 1, (size_t)(end - p - 1));
        if (!v || !*v->value)
            return err_set(e, ERR_INVALID, "%s needs %.*s=VALUE", a->name, (int)(end - p - 1),
                           p + 1);
        v->used = true;
        if (http_url_encode(out, v->value))
            return err_set(e, ERR_LIMIT, "path too long");
        p = end + 1;
    }
    return 0;
}

static int add_query(buf *out, arg *args, int argc, err *e)
{
    bool first = true;
    for (int i = 0; i < argc; i++) {
        if (args[i].used)
            continue;
        args[i].used = true;
        if (buf_addc(out, first ? '?' : '&') || http_url_encode(out, args[i].key) ||
            buf_addc(out, '=') || http_url_encode(out, args[i].value))
            return err_set(e, ERR_LIMIT, "query too long");
        first = false;
    }
    return 0;
}

/* body=VALUE is the whole body when VALUE starts as a JSON object or array (HighLevel notes
 * also have a member named "body": body=TEXT sets that member). *out stays NULL otherwise. */
static int whole_body(json_t **out, arg *args, int argc, err *e)
{
    *out = NULL;
    arg *whole = find_arg(args, argc, "body", 4);
    if (!whole)
        return 0;
    const char *v = whole->value + strspn(whole->value, " \t\n");
    if (*v != '{' && *v != '[')
        return 0;
    whole->used = true;
    return jsonx_parse(out, v, strlen(v), "body", e);
}

/* The remaining arguments as members of a JSON object (or of the whole body given). */
static int make_body(char **out, const catalog_action *a, arg *args, int argc, err *e)
{
    json_t *body = NULL;
    int rc = whole_body(&body, args, argc, e);
    if (rc)
        return rc;
    if (!body)
        body = json_object();
    for (int i = 0; i < argc; i++) {
        if (args[i].used)
            continue;
        args[i].used = true;
        if (!json_is_object(body)) {
            json_decref(body);
            return err_set(e, ERR_INVALID, "%s: body is not an object, so '%s=' cannot be added",
                           a->name, args[i].key);
        }
        json_t *v = json_loads(args[i].value, JSON_DECODE_ANY, NULL);
        json_object_set_new(body, args[i].key, v ? v : json_string(args[i].value));
    }
    *out = jsonx_dumps(body);
    json_decref(body);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int catalog_build(catalog_request *out, const catalog_action *a, int argc, char *const *argv,
                  err *e)
{
    if (argc > 64)
        return err_set(e, ERR_LIMIT, "at most 64 arguments");
    arg args[64];
    int rc = split_args(args, argc, argv, e);
    if (rc)
        return rc;
    catalog_request r = {.body = NULL};
    buf_init(&r.path, CATALOG_PATH_MAX);
    rc = fill_path(&r.path, a, args, argc, e);
    if (!rc)
        rc = a->body ? make_body(&r.body, a, args, argc, e) : add_query(&r.path, args, argc, e);
    if (rc) {
        catalog_request_free(&r);
        return rc;
    }
    *out = r;
    return 0;
}

void catalog_request_free(catalog_request *r)
{
    buf_free(&r->path);
    free(r->body);
    r->body = NULL;
}

json_t *catalog_json(void)
{
    json_t *acts = json_array(), *trigs = json_array();
    for (const catalog_action *a = catalog_actions(); a->name; a++) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "service",
                              catalog_service_name(a->service), "name", a->name, "method",
                              a->method, "path", a->path, "body", a->body, "creates", a->creates,
                              "summary", a->summary);
        jsonx_set_str(j, "scope", a->scope);
        json_array_append_new(acts, j);
    }
    for (const catalog_trigger *t = catalog_triggers(); t->name; t++)
        json_array_append_new(trigs, json_pack("{s:s, s:s, s:s}", "service",
                                               catalog_service_name(t->service), "name", t->name,
                                               "summary", t->summary));
    return json_pack("{s:o, s:o}", "actions", acts, "triggers", trigs);
}
