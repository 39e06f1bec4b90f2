/* cmd_call.c: `pheedsync call SERVICE ACTION key=value...`: runs any action of the catalog
 * through the service's client (credentials, rate budget, retries) and prints the answer. */
#include "app/app.h"
#include "catalog/catalog.h"
#include "cli/commands.h"
#include "util/jsonx.h"

#include <stdarg.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: pheedsync call SERVICE ACTION [key=value...] [OPTIONS]\n"
    "\n"
    "Runs one action of the catalog (`pheedsync catalog` lists them) through the service's\n"
    "client, with the stored credentials and the rate budget, and prints the JSON answer\n"
    "(indented on a terminal). SERVICE is ghl or pheedloop.\n"
    "Arguments fill the action's {param} path segments; for actions with a body the others\n"
    "become its members (a value that parses as JSON is taken as JSON; body=JSON gives the\n"
    "whole body); otherwise they become the query string. HighLevel actions that are not below\n"
    "a contact get locationId from [ghl] location_id unless it is given; locationId= also picks\n"
    "the location whose token is used.\n"
    "Exit status: 0 on a 2xx answer, 1 when the service refused (the error class and message\n"
    "on standard error), 2 usage or configuration error, 3 runtime failure (unreachable).\n"
    "\n"
    "examples:\n"
    "  pheedsync call ghl contacts.get contactId=abc123\n"
    "  pheedsync call ghl contacts.search pageLimit=5 query=smith\n"
    "  pheedsync call pheedloop attendees.get event=EVE1 code=ATT1\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS "  -h, --help        this text\n";

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define CALL_ARGS_MAX 64

/* What the command line asked for. */
typedef struct call_req {
    const catalog_action *action;
    char *args[CALL_ARGS_MAX + 1];
    int n_args;
    char loc_arg[256]; /* "locationId=..." added from the configuration */
    const char *location;
} call_req;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("pheedsync call: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* The HighLevel location: locationId= if given, else [ghl] location_id. Actions below a
 * contact take it only to pick the token; the others need it in the request as well. */
static int ghl_location(call_req *q, const config *cfg)
{
    bool below_contact = strstr(q->action->path, "{contactId}") != NULL;
    bool given = false;
    int w = 0;
    for (int i = 0; i < q->n_args; i++) {
        if (!strncmp(q->args[i], "locationId=", 11)) {
            q->location = q->args[i] + 11;
            given = true;
            if (below_contact)
                continue;
        }
        q->args[w++] = q->args[i];
    }
    q->n_args = w;
    if (!given)
        q->location = config_str(cfg, "ghl", "location_id");
    if (!q->location || !*q->location)
        return usage_error("%s needs locationId=ID or [ghl] location_id", q->action->name);
    if (!below_contact && !given) {
        snprintf(q->loc_arg, sizeof q->loc_arg, "locationId=%s", q->location);
        q->args[q->n_args++] = q->loc_arg;
    }
    return EXIT_OK;
}

/* Prints the answer: indented on a terminal, one line otherwise; not JSON: as it came. */
static void print_answer(const char *body, size_t len)
{
    if (!len)
        return;
    json_t *j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    if (!j) {
        fwrite(body, 1, len, stdout);
        fputs("\n", stdout);
        return;
    }
    char *text = json_dumps(j, JSON_ENCODE_ANY | (isatty(STDOUT_FILENO) ? JSON_INDENT(2) : 0));
    printf("%s\n", text ? text : "");
    free(text);
    json_decref(j);
}

/* An answer came and refused, or the credentials did: the user's to look at (1); no answer at
 * all: runtime (3). */
static int failure_code(const api_error *ae, bool held)
{
    if (held || ae->status > 0 || ae->kind == API_ERR_AUTH || ae->kind == API_ERR_SCOPE)
        return EXIT_CHECK;
    return EXIT_RUNTIME;
}

static int send_call(app_ctx *a, call_req *q, const catalog_request *cr, const json_t *body)
{
    const catalog_action *ac = q->action;
    http_idempotency idem = ac->creates ? HTTP_IDEMPOTENT_NO : HTTP_IDEMPOTENT_BY_METHOD;
    char label[128];
    snprintf(label, sizeof label, "call %s", ac->name);
    err e = {0};
    char *out = NULL;
    size_t len = 0;
    int rc;
    api_error ae;
    bool held = false;
    if (ac->service == CATALOG_GHL) {
        ghl_call call;
        ghl_op op = {.location_id = q->location, .lane = GOVERNOR_LANE_LIVE, .call = &call};
        rc = ghl_client_call(&out, &len, a->ghl, &op, ac->method, buf_cstr(&cr->path), body, idem,
                             label, &e);
        ae = call.error;
        held = call.held;
    } else {
        pl_call call = {.lane = GOVERNOR_LANE_LIVE};
        rc = pl_client_call(&out, &len, a->pl, ac->method, buf_cstr(&cr->path), body, idem, label,
                            &call, &e);
        ae = call.error;
    }
    if (rc == 0) {
        print_answer(out, len);
        free(out);
        return EXIT_OK;
    }
    if (ae.kind == API_OK) /* refused before sending: our side */
        return usage_error("%s", e.msg);
    fprintf(stderr, "pheedsync call: %s %s failed: %s: %s\n", catalog_service_name(ac->service),
            ac->name, held ? "needs_reauth" : api_error_kind_name(ae.kind), e.msg);
    if (held || ae.kind == API_ERR_AUTH)
        fprintf(stderr, "run `pheedsync check` to see what to do\n");
    return failure_code(&ae, held);
}

static int run(app_ctx *a, call_req *q)
{
    if (q->action->service == CATALOG_GHL) {
        int code = ghl_location(q, a->cfg);
        if (code != EXIT_OK)
            return code;
    }
    err e = {0};
    catalog_request cr;
    if (catalog_build(&cr, q->action, q->n_args, q->args, &e) != 0)
        return usage_error("%s (`pheedsync catalog` shows each action's path)", e.msg);
    json_t *body = NULL;
    int code = EXIT_OK;
    if (cr.body && jsonx_parse(&body, cr.body, strlen(cr.body), "body", &e) != 0)
        code = usage_error("%s", e.msg);
    if (code == EXIT_OK &&
        app_require(a, q->action->service == CATALOG_GHL ? APP_GHL : APP_PL, &e) != 0) {
        app_fail(a, &e);
        code = app_exit_code(e.code);
    }
    if (code == EXIT_OK)
        code = send_call(a, q, &cr, body);
    json_decref(body);
    catalog_request_free(&cr);
    return code;
}

/* SERVICE ACTION key=value...: usage errors come back as EXIT_USAGE, printed. */
static int parse_request(call_req *q, int argc, char **argv)
{
    if (argc < 2)
        return usage_error("needs SERVICE and ACTION (see `pheedsync catalog`)");
    catalog_service s;
    err e = {0};
    if (catalog_service_parse(&s, argv[0], &e) != 0)
        return usage_error("%s; `pheedsync catalog` lists every action", e.msg);
    q->action = catalog_find(s, argv[1]);
    if (!q->action)
        return usage_error("unknown action '%s': `pheedsync catalog %s` lists them", argv[1],
                           catalog_service_name(s));
    if (argc - 2 >= CALL_ARGS_MAX) /* one place is kept for locationId */
        return usage_error("at most %d key=value arguments", CALL_ARGS_MAX - 1);
    for (int i = 2; i < argc; i++)
        q->args[q->n_args++] = argv[i];
    return EXIT_OK;
}

int cmd_call(int argc, char **argv)
{
    app_options ao = {.command = "call"};
    err e = {0};
    int opt, rc;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        rc = app_option(&ao, opt, optarg, &e);
        if (rc == 1)
            continue;
        if (opt == 'h') {
            fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if (rc == 0)
            err_set(&e, ERR_INVALID, "unknown or incomplete option '%s'", argv[optind - 1]);
        fprintf(stderr, "pheedsync call: %s\n\n%s", e.msg, usage_text);
        return EXIT_USAGE;
    }
    call_req q = {.action = NULL};
    int code = parse_request(&q, argc - optind, argv + optind);
    if (code != EXIT_OK)
        return code;
    app_ctx a;
    if (app_open(&a, &ao, &e) != 0) {
        app_fail(&a, &e);
        code = EXIT_USAGE;
    } else {
        code = run(&a, &q);
    }
    app_close(&a);
    return code;
}
