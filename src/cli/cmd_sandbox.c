/* cmd_sandbox.c: `pheedsync sandbox`: runs both emulators until interrupted and prints what a
 * configuration needs to use them. */
#include "cli/args.h"
#include "cli/commands.h"
#include "sandbox/sandbox.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <ctype.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>

static const char usage_text[] =
    "usage: pheedsync sandbox [OPTIONS]\n"
    "\n"
    "Runs the HighLevel and PheedLoop emulators on loopback until interrupted, seeded with\n"
    "generated people, and prints the URLs, credentials and webhook keys a configuration needs.\n"
    "\n"
    "options:\n"
    "  --ghl-port N          HighLevel emulator port (default 8461; 0 picks a free port)\n"
    "  --pheedloop-port N    PheedLoop emulator port (default 8462; 0 picks a free port)\n"
    "  --bind ADDR           address to listen on (default 127.0.0.1)\n"
    "  --seed N              generator and fault seed (default 1)\n"
    "  --people N            people to generate (default 400; 0 for empty emulators)\n"
    "  --faults SPEC         e.g. p_5xx=0.1,p_429=0.05,latency_ms=20,p_reset=0.01\n"
    "  --allow-duplicates    the HighLevel location allows duplicate contacts\n"
    "  --token-ttl SECONDS   lifetime of HighLevel access tokens (default 86399)\n"
    "  --webhook-url URL     where the HighLevel emulator sends its webhooks\n"
    "  --admin-token TOKEN   token for the /_sandbox/ admin API (default generated)\n"
    "  --pheedloop-org CODE[:EVENT,...]\n"
    "                        another PheedLoop organization on the same port, with its own\n"
    "                        key, secret and events (default one, CODE followed by EV1);\n"
    "                        repeat for more (at most 8)\n"
    "  --json                print the connection details as one JSON object\n"
    "  -h, --help            this text\n";

enum { OPT_GHL_PORT = 256, OPT_PL_PORT, OPT_BIND, OPT_SEED, OPT_PEOPLE, OPT_FAULTS, OPT_DUPS,
       OPT_WEBHOOK, OPT_ADMIN, OPT_JSON, OPT_TTL, OPT_ORG };

static const struct option long_options[] = {
    {"ghl-port", required_argument, NULL, OPT_GHL_PORT},
    {"pheedloop-port", required_argument, NULL, OPT_PL_PORT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"seed", required_argument, NULL, OPT_SEED},
    {"people", required_argument, NULL, OPT_PEOPLE},
    {"faults", required_argument, NULL, OPT_FAULTS},
    {"allow-duplicates", no_argument, NULL, OPT_DUPS},
    {"webhook-url", required_argument, NULL, OPT_WEBHOOK},
    {"admin-token", required_argument, NULL, OPT_ADMIN},
    {"json", no_argument, NULL, OPT_JSON},
    {"token-ttl", required_argument, NULL, OPT_TTL},
    {"pheedloop-org", required_argument, NULL, OPT_ORG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define ORGS_MAX 8
#define ORG_EVENTS_MAX 8

/* The other organizations of --pheedloop-org, pointing into argv (split in place). */
typedef struct org_args {
    sbx_pl_emu_options org[ORGS_MAX];
    const char *events[ORGS_MAX][ORG_EVENTS_MAX + 1];
    const char *const *event_lists[ORGS_MAX];
    size_t n;
} org_args;

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 39)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

/* CODE[:EVENT,EVENT...] */
static int parse_org(org_args *a, char *arg, err *e)
{
    if (a->n == ORGS_MAX)
        return err_set(e, ERR_INVALID, "--pheedloop-org: at most %d other organizations", ORGS_MAX);
    char *events = strchr(arg, ':');
    if (events)
        *events++ = '\0';
    if (!code_ok(arg))
        return err_set(e, ERR_INVALID,
                       "--pheedloop-org '%s': the organization code is 1 to 39 letters, digits, "
                       "'-' or '_' (CODE or CODE:EVENT,EVENT)", arg);
    size_t n = 0;
    for (char *ev = events; ev && *ev;) {
        char *comma = strchr(ev, ',');
        if (comma)
            *comma = '\0';
        if (!code_ok(ev) || n == ORG_EVENTS_MAX)
            return err_set(e, ERR_INVALID,
                           "--pheedloop-org %s: event '%s': up to %d event codes of 1 to 39 "
                           "letters, digits, '-' or '_', separated by commas", arg, ev,
                           ORG_EVENTS_MAX);
        a->events[a->n][n++] = ev;
        ev = comma ? comma + 1 : NULL;
    }
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->org[i].org_code, arg) == 0)
            return err_set(e, ERR_INVALID, "--pheedloop-org %s: given twice", arg);
    a->org[a->n].org_code = arg;
    a->event_lists[a->n] = a->events[a->n];
    a->n++;
    return 0;
}

static int parse_options(sbx_options *o, org_args *orgs, bool *json_out, int argc, char **argv,
                         err *e)
{
    int64_t v;
    int opt, rc = 0;
    optind = 1;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_GHL_PORT: rc = args_parse_port(&o->ghl_port, "--ghl-port", optarg, e); break;
        case OPT_PL_PORT: rc = args_parse_port(&o->pheedloop_port, "--pheedloop-port", optarg, e); break;
        case OPT_BIND: o->bind_addr = optarg; break;
        case OPT_SEED:
            rc = args_parse_int(&v, "--seed", optarg, 0, INT64_MAX, e);
            o->seed = (uint64_t)v;
            break;
        case OPT_PEOPLE:
            rc = args_parse_int(&v, "--people", optarg, 0, 1000000, e);
            o->people = (size_t)v;
            o->seed_data = v > 0;
            break;
        case OPT_FAULTS: rc = sbx_fault_config_parse(&o->faults, optarg, e); break;
        case OPT_DUPS: o->ghl.allow_duplicates = true; break;
        case OPT_TTL: rc = args_parse_int(&o->ghl.access_ttl_s, "--token-ttl", optarg, 1, 31536000, e); break;
        case OPT_WEBHOOK: o->ghl.webhook_url = optarg; break;
        case OPT_ADMIN: o->admin_token = optarg; break;
        case OPT_JSON: *json_out = true; break;
        case OPT_ORG: rc = parse_org(orgs, optarg, e); break;
        case 'h': return 1;
        case ':': return err_set(e, ERR_INVALID, "%s needs a value", argv[optind - 1]);
        default: return err_set(e, ERR_INVALID, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!rc && optind < argc)
        return err_set(e, ERR_INVALID, "unexpected argument '%s'", argv[optind]);
    if (!rc && orgs->n) {
        const char *first = o->pheedloop.org_code ? o->pheedloop.org_code : "ORGSANDBOX";
        for (size_t i = 0; i < orgs->n; i++)
            if (strcmp(orgs->org[i].org_code, first) == 0)
                return err_set(e, ERR_INVALID,
                               "--pheedloop-org %s: the first organization is already %s; "
                               "choose another code", first, first);
        o->pheedloop_orgs = orgs->org;
        o->pheedloop_org_events = orgs->event_lists;
        o->n_pheedloop_orgs = orgs->n;
    }
    return rc;
}

static void print_value(const char *label, const char *value)
{
    printf("  %-26s %s\n", label, value ? value : "-");
}

static void print_events(const json_t *org)
{
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(org, "events"), i, ev) {
        char label[64], text[256];
        snprintf(label, sizeof label, "event %s", jsonx_str(ev, "code"));
        snprintf(text, sizeof text, "%s (webhook secret %s)", jsonx_str(ev, "event_name"),
                 jsonx_str(ev, "webhook_secret"));
        print_value(label, text);
    }
}

static void print_human(const json_t *info)
{
    const json_t *ghl = json_object_get(info, "highlevel");
    const json_t *pl = json_object_get(info, "pheedloop");
    printf("pheedsync sandbox is running; Ctrl-C stops it.\n\n");
    printf("HighLevel emulator           %s\n", jsonx_str(ghl, "base_url"));
    print_value("location_id", jsonx_str(ghl, "location_id"));
    print_value("client_id", jsonx_str(ghl, "client_id"));
    print_value("client_secret", jsonx_str(ghl, "client_secret"));
    print_value("private integration token", jsonx_str(ghl, "pit"));
    print_value("webhook key (Ed25519 SPKI)", jsonx_str(ghl, "webhook_public_key_b64"));
    print_value("webhooks go to", jsonx_str(ghl, "webhook_url"));
    printf("\nPheedLoop emulator           %s\n", jsonx_str(pl, "base_url"));
    print_value("org_code", jsonx_str(pl, "org_code"));
    print_value("api_key", jsonx_str(pl, "api_key"));
    print_value("api_secret", jsonx_str(pl, "api_secret"));
    size_t i;
    print_events(pl);
    json_t *org;
    json_array_foreach(json_object_get(pl, "organizations"), i, org) {
        if (i == 0)
            continue; /* the first, above */
        printf("\nPheedLoop organization       %s (same base URL)\n", jsonx_str(org, "org_code"));
        print_value("api_key", jsonx_str(org, "api_key"));
        print_value("api_secret", jsonx_str(org, "api_secret"));
        print_events(org);
    }
    printf("\nAdmin API (/_sandbox/, header X-Sandbox-Token): %s\n", jsonx_str(info, "admin_token"));
    const json_t *seeded = json_object_get(info, "seeded");
    if (seeded)
        printf("Seeded: %lld people on both sides (PheedLoop spelling them differently), %lld only in "
               "HighLevel, %lld only in PheedLoop\n",
               (long long)jsonx_int(seeded, "on_both_sides", 0),
               (long long)jsonx_int(seeded, "only_highlevel", 0),
               (long long)jsonx_int(seeded, "only_pheedloop", 0));
    printf("\nIn a configuration:\n[ghl]\nbase_url = %s\nauth = token\nlocation_id = %s\n"
           "webhook_public_key = %s\n[pheedloop]\nbase_url = %s\norg_code = %s\n"
           "events = EVESANDBOX1, EVESANDBOX2\n"
           "# secrets through the environment:\n# PHEEDSYNC_GHL_TOKEN=%s\n"
           "# PHEEDSYNC_PHEEDLOOP_API_KEY=%s\n# PHEEDSYNC_PHEEDLOOP_API_SECRET=%s\n\n",
           jsonx_str(ghl, "base_url"), jsonx_str(ghl, "location_id"),
           jsonx_str(ghl, "webhook_public_key_b64"), jsonx_str(pl, "base_url"),
           jsonx_str(pl, "org_code"), jsonx_str(ghl, "pit"), jsonx_str(pl, "api_key"),
           jsonx_str(pl, "api_secret"));
    fflush(stdout);
}

int cmd_sandbox(int argc, char **argv)
{
    sbx_options o = {.ghl_port = 8461, .pheedloop_port = 8462, .seed = 1, .seed_data = true};
    sbx_fault_config_defaults(&o.faults);
    bool json_out = false;
    err e = {0};
    org_args orgs = {0};
    int rc = parse_options(&o, &orgs, &json_out, argc, argv, &e);
    if (rc == 1) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (rc) {
        fprintf(stderr, "pheedsync sandbox: %s (see pheedsync sandbox --help)\n", e.msg);
        return EXIT_USAGE;
    }

    /* Block the stop signals before any thread starts, so that only sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    sbx_sandbox *sbx = NULL;
    if (sbx_sandbox_start(&sbx, &o, &e)) {
        fprintf(stderr, "pheedsync sandbox: %s\n", e.msg);
        return EXIT_RUNTIME;
    }
    json_t *info = sbx_sandbox_info(sbx);
    if (json_out) {
        char *text = jsonx_dumps(info);
        printf("%s\n", text ? text : "{}");
        fflush(stdout);
        free(text);
    } else {
        print_human(info);
    }
    json_decref(info);

    int sig = 0;
    sigwait(&stop, &sig);
    log_infof("sandbox stopping on signal %d", sig);
    sbx_sandbox_free(sbx);
    return EXIT_OK;
}
