/* config_schema.c: every configuration section and key, with type, default and doc; and the
 * commented template `pheedsync init` writes from it. To add a key, add one line here. */
#include "util/config_priv.h"

#include <stdarg.h>

#define DAY (24 * 3600)

/* Field order: name, type, default, choices, min, max, secret, required, doc. */
/* clang-format off */
#define STR(n, def, doc) {n, CONFIG_STRING, def, NULL, 0, 0, false, false, doc}
#define SECRET(n, doc) {n, CONFIG_STRING, NULL, NULL, 0, 0, true, false, doc}
#define REQ(n, doc) {n, CONFIG_STRING, NULL, NULL, 0, 0, false, true, doc}
#define INT(n, def, lo, hi, doc) {n, CONFIG_INT, def, NULL, lo, hi, false, false, doc}
#define DUR(n, def, lo, hi, doc) {n, CONFIG_DURATION, def, NULL, lo, hi, false, false, doc}
#define PCT(n, def, doc) {n, CONFIG_PERCENT, def, NULL, 0, 100, false, false, doc}
#define ENUM(n, def, choices, doc) {n, CONFIG_ENUM, def, choices, 0, 0, false, false, doc}
#define LIST(n, def, doc) {n, CONFIG_LIST, def, NULL, 0, 0, false, false, doc}
#define BOOL(n, def, doc) {n, CONFIG_BOOL, def, NULL, 0, 0, false, false, doc}
#define END {NULL, CONFIG_STRING, NULL, NULL, 0, 0, false, false, NULL}
/* clang-format on */

#define DIRECTIONS "both|ghl_to_pheedloop|pheedloop_to_ghl"

static const config_key_spec store_keys[] = {
    STR("url", "sqlite:pheedsync.db",
        "Where pheedsync keeps its state: sqlite:PATH for one machine, or "
        "postgresql://USER:PASSWORD@HOST/DB when several processes share the work (one plans, "
        "all work the queue, the rate budgets are shared; give each the same sealing key)."),
    STR("key_file", NULL,
        "File holding the key that encrypts tokens and secrets at rest (created, mode 0600, when "
        "missing). Empty: pheedsync.key next to the SQLite database. PHEEDSYNC_SEAL_KEY, when "
        "set, is used instead."),
    END,
};

static const config_key_spec ghl_keys[] = {
    STR("base_url", "https://services.leadconnectorhq.com",
        "HighLevel API root; point it at the sandbox or a staging copy to try things safely."),
    ENUM("auth", "oauth", "oauth|token",
         "How to sign in: oauth (a Marketplace app; tokens are refreshed automatically) or token "
         "(a Private Integration token)."),
    STR("client_id", NULL, "OAuth client id of your Marketplace app (auth = oauth)."),
    SECRET("client_secret", "OAuth client secret of your Marketplace app (auth = oauth)."),
    SECRET("token", "Private Integration token (auth = token)."),
    STR("location_id", NULL, "The HighLevel location (sub-account) whose contacts are synced."),
    STR("webhook_public_key", NULL,
        "Ed25519 key that checks the X-GHL-Signature of webhooks: a path to a PEM file, or the "
        "key's base64 (SPKI) inline. Empty: HighLevel's published key."),
    STR("webhook_rsa_public_key", NULL,
        "RSA key that checks the older X-WH-Signature header: a PEM file path or base64 (SPKI) "
        "inline. Empty: HighLevel's published key."),
    DUR("webhook_window", "5m", 0, DAY,
        "How far a webhook's timestamp may be from now before it is refused as a replay (0: "
        "not checked)."),
    STR("authorize_url", "https://marketplace.gohighlevel.com",
        "Root of the page where `pheedsync connect ghl` asks you to approve the app."),
    LIST("scopes",
         "contacts.readonly, contacts.write, locations/customFields.readonly, "
         "locations/tags.readonly, locations/tags.write, "
         "calendars.readonly, calendars/events.readonly, calendars/events.write, "
         "businesses.readonly, businesses.write",
         "OAuth scopes to request, comma-separated; `pheedsync check` names any that were not "
         "granted."),
    STR("redirect_uri", NULL,
        "OAuth redirect URI registered with your app. Empty: http://LISTEN/oauth/callback on the "
        "[server] listen address."),
    END,
};

static const config_key_spec pheedloop_keys[] = {
    STR("base_url", "https://api.pheedloop.com",
        "PheedLoop API root (requests go to BASE/api/v3/organization/ORG_CODE/); point it at the "
        "sandbox to try things safely."),
    STR("org_code", NULL,
        "Your organization code (Dashboard > Settings > Integrations > Rest API)."),
    SECRET("api_key", "REST API key (sent as X-API-KEY), from the same page."),
    SECRET("api_secret", "REST API secret (sent as X-API-SECRET), from the same page."),
    LIST("events", NULL, "Codes of the events whose attendees are synced, comma-separated."),
    SECRET("webhook_secret", "The event's Webhook Secret (from its dashboard); checks that "
                             "webhooks really come from PheedLoop. Events with different secrets: "
                             "EVENT_CODE=SECRET, EVENT_CODE=SECRET."),
    STR("webhook_header", "X-PheedLoop-Signature", "Header that carries the webhook signature."),
    ENUM("webhook_encoding", "hex", "hex|base64", "How the signature in that header is encoded."),
    ENUM("webhook_algorithm", "sha256", "sha256|sha1|sha512",
         "Hash of the HMAC that signs webhook bodies."),
    BOOL("webhook_capture", "false",
         "Log every raw webhook delivery (headers and body) to learn PheedLoop's real format."),
    INT("rate_limit", "120", 0, 100000,
        "Requests per minute pheedsync allows itself (PheedLoop publishes no limit; 0: none, "
        "waiting only when PheedLoop answers 429)."),
    END,
};

static const config_key_spec server_keys[] = {
    STR("listen", "127.0.0.1:8470",
        "HOST:PORT for webhooks, the status page and /metrics; use 0.0.0.0:PORT to accept "
        "connections from other machines."),
    SECRET("admin_token", "Bearer token the admin endpoints require (status details, dead-letter "
                          "replay); set one before listening beyond loopback."),
    STR("public_url", NULL,
        "The URL where HighLevel and PheedLoop reach this server, used to subscribe webhooks. "
        "Empty: set webhooks up by hand."),
    END,
};

static const config_key_spec sync_keys[] = {
    DUR("poll_interval", "5m", 10, DAY,
        "How often to ask both services for changes that webhooks may have missed."),
    DUR("reconcile_interval", "24h", 60, 30 * DAY,
        "How often to compare complete scans of both sides; this is also how deletes are found."),
    INT("coalesce_ms", "2000", 0, 600000,
        "Milliseconds to wait for more changes to the same person before acting on a webhook."),
    ENUM("delete_policy", "unlink_tag", "unlink_tag|propagate",
         "When a person disappears on one side: unlink_tag (unlink, and tag them on the other "
         "side) or propagate (delete them there too)."),
    INT("delete_hold_count", "10", 0, 1000000,
        "Hold a pass's deletes for an operator's approval when there are more than this many."),
    PCT("delete_hold_share", "5%",
        "Hold them also when they are more than this share of the linked records."),
    PCT("budget_reserve", "20%",
        "Share of each daily API budget left unused, for your other tools."),
    ENUM("direction", "both", DIRECTIONS,
         "Which way changes flow: both, ghl_to_pheedloop or pheedloop_to_ghl; a [field] may "
         "narrow it."),
    INT("default_country_code", "1", 1, 999,
        "Country calling code of phone numbers written without one (1: USA and Canada, 44: UK)."),
    LIST("signup_tags", "event:{event_code}, ticket:{ticket_name}",
         "Tags every attendee's HighLevel contact gets, comma-separated templates; a tag whose "
         "{placeholder} is empty is skipped; - for none."),
    STR("checkin_tag", "checked-in",
        "Tag a contact gets while its attendee is checked in; - for none."),
    LIST("reminders", "24h, 1h",
         "When, before a HighLevel appointment starts, to remind the attendee with a PheedLoop "
         "announcement (comma-separated durations); - for none."),
    STR("reminder_title", "Reminder: {appointment_title}",
        "Title of reminder announcements; {appointment_title}, {appointment_start} and the "
        "attendee's fields fill in."),
    STR("reminder_description", "{appointment_title} starts at {appointment_start}.",
        "Text of reminder announcements, filled in like reminder_title."),
    BOOL("pull_activity", "false",
         "Also copy each linked contact's HighLevel tasks, notes and appointments onto its "
         "attendees during full scans (three more HighLevel reads per person); live changes to "
         "them are always copied."),
    END,
};

static const config_key_spec log_keys[] = {
    ENUM("level", "info", "debug|info|warn|error|off", "The least severe level written."),
    ENUM("format", "auto", "auto|json|text",
         "json (one object per line), text, or auto (text on a terminal, json otherwise)."),
    END,
};

static const config_key_spec alert_keys[] = {
    SECRET("url", "URL that receives each alert and each recovery as a JSON POST ({\"text\": ...} "
                  "plus fields, as a Slack incoming webhook takes it). Empty: none."),
    STR("command", NULL,
        "Shell command run for each alert and each recovery, with it as JSON on standard "
        "input. Empty: none. Alerts are logged either way."),
    DUR("window", "5m", 60, DAY,
        "The span over which the shares of failed and rate-limited API calls are measured."),
    PCT("error_rate", "10%",
        "Alert when more than this share of a service's API calls failed over the window (judged "
        "once it saw at least 20 calls; 100%: never)."),
    PCT("rate_429", "5%",
        "Alert when more than this share of a service's API calls were refused with 429 (rate "
        "limited) over the window (100%: never)."),
    BOOL("reauth", "true",
         "Alert when a connection needs re-authorization (`pheedsync connect` again)."),
    INT("dead_letters", "1", 0, 100000000,
        "Alert when the dead-letter queue holds at least this many operations (0: never)."),
    DUR("lag", "15m", 0, 30 * DAY,
        "Alert when a change has waited longer than this to be applied (0: never)."),
    END,
};

static const config_key_spec field_keys[] = {
    REQ("ghl", "HighLevel contact field: a standard one (email, phone, firstName, companyName, "
               "...), a custom field's key (contact.shirt_size), tags, or - for none."),
    REQ("pheedloop", "PheedLoop attendee field (email, first_name, organization, ...), "
                     "metadata.NAME, registration.NAME, answers.NAME (a registration answer), "
                     "event.NAME, tags, or - for none."),
    ENUM("direction", "both", DIRECTIONS "|none",
         "Which way this field flows, within [sync] direction; none turns a default field off."),
    ENUM("owner", "newest", "highlevel|pheedloop|newest",
         "Who wins when both sides changed since the last sync: highlevel, pheedloop, or newest "
         "(the change pheedsync saw last)."),
    LIST("transform", NULL,
         "Transforms, in order, comma-separated: trim, lower, upper, e164, default:VALUE, "
         "map:A=B|C=D, and for one-way fields const:VALUE, template:TEXT, join_name, "
         "split_name:first|last. Quote an argument holding a comma."),
    END,
};

static const config_key_spec rule_keys[] = {
    REQ("when", "The trigger, e.g. pheedloop.attendee.created (`pheedsync catalog` lists them)."),
    STR("if", NULL,
        "A condition on the record, e.g. ticket_name == \"VIP\" and not tags contains "
        "\"staff\" (==, !=, contains, in [..], and, or, not). Empty: always."),
    REQ("then", "Actions separated by ';' (no space before it: ' ;' starts a comment), with "
                "{field} templates, e.g. ghl.add_tag vip; ghl.create_task \"Call {first_name}\" "
                "due=+3d (`pheedsync catalog` lists them)."),
    END,
};

static const config_key_spec link_keys[] = {
    REQ("location_id", "The HighLevel location (sub-account) of this link."),
    REQ("org_code", "The PheedLoop organization of this link."),
    {"events", CONFIG_LIST, NULL, NULL, 0, 0, false, true,
     "Codes of the organization's events synced with this location, comma-separated."},
    SECRET("token", "Private Integration token of this location ([ghl] auth = token). Empty: "
                    "[ghl] token."),
    SECRET("api_key", "REST API key of this organization. Empty: [pheedloop] api_key, or what "
                      "`pheedsync connect pheedloop --link NAME` stored."),
    SECRET("api_secret", "REST API secret of this organization. Empty: [pheedloop] api_secret, "
                         "or what `pheedsync connect pheedloop --link NAME` stored."),
    SECRET("webhook_secret", "Webhook Secret of these events (EVENT_CODE=SECRET, ... when they "
                             "differ). Empty: [pheedloop] webhook_secret."),
    END,
};

static const config_section_spec schema[] = {
    {"store", false, "Where pheedsync keeps links, snapshots, queues and the audit log.",
     store_keys},
    {"ghl", false, "HighLevel (LeadConnector API v2): the account and how to reach it.", ghl_keys},
    {"pheedloop", false, "PheedLoop (REST API v3): the organization, its events and webhooks.",
     pheedloop_keys},
    {"server", false, "The HTTP server of `pheedsync run`: webhooks, status page, /metrics.",
     server_keys},
    {"sync", false, "How often and how boldly to sync.", sync_keys},
    {"log", false, "What the log says and how.", log_keys},
    {"alert", false,
     "Who hears about trouble, and when: one alert when a problem starts, one notice when it "
     "ends.",
     alert_keys},
    {"field", true,
     "One mapped field per section; the name in quotes is yours, used in logs and the audit "
     "log.",
     field_keys},
    {"rule", true, "One automation per section: when TRIGGER, if CONDITION, then ACTION.",
     rule_keys},
    {"link", true,
     "More HighLevel locations synced with PheedLoop events, one per section, beside the one of "
     "[ghl] and [pheedloop] (when set); a location, or an organization's event, belongs to one "
     "link. The name in quotes is yours (`--link NAME`); other settings are shared.",
     link_keys},
    {NULL, false, NULL, NULL},
};

const config_section_spec *config_schema(void)
{
    return schema;
}

const config_section_spec *config_schema_section(const char *section)
{
    for (const config_section_spec *s = schema; section && s->name; s++) {
        if (strcasecmp(s->name, section) == 0)
            return s;
    }
    return NULL;
}

int config_key_index(const config_section_spec *spec, const char *key)
{
    for (int i = 0; key && spec->keys[i].name; i++) {
        if (strcasecmp(spec->keys[i].name, key) == 0)
            return i;
    }
    return -1;
}

const config_key_spec *config_schema_key(const char *section, const char *key)
{
    const config_section_spec *s = config_schema_section(section);
    int i = s ? config_key_index(s, key) : -1;
    return i < 0 ? NULL : &s->keys[i];
}

#define WRAP 96

/* The template is built in a scratch buffer whose first failure sticks, so that the caller's
 * buffer gets all of it or nothing. */
typedef struct tpl {
    buf b;
    int rc;
} tpl;

__attribute__((format(printf, 2, 3))) static void tpl_addf(tpl *t, const char *fmt, ...)
{
    if (t->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof small)
        t->rc = ERR_LIMIT; /* every piece of the template is short */
    else
        t->rc = buf_add(&t->b, small, (size_t)n);
}

/* Appends text as "# " comment lines no wider than WRAP. */
static void add_comment(tpl *t, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = strlen(p);
        if (n > WRAP - 2) {
            n = WRAP - 2;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(p, " ");
        }
        tpl_addf(t, "# %.*s\n", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
    }
}

static void add_key(tpl *t, const config_section_spec *sec, const config_key_spec *k)
{
    add_comment(t, k->doc);
    if (k->type == CONFIG_ENUM) {
        tpl_addf(t, "# One of: ");
        for (const char *c = k->choices; *c;) {
            size_t n = strcspn(c, "|");
            tpl_addf(t, "%.*s%s", (int)n, c, c[n] ? ", " : ".\n");
            c += n + (c[n] != '\0');
        }
    }
    if (k->required)
        tpl_addf(t, "# Required.\n");
    if (k->secret && !sec->named) {
        char env[96];
        snprintf(env, sizeof env, "PHEEDSYNC_%s_%s", sec->name, k->name);
        for (char *c = env; *c; c++) {
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
        }
        tpl_addf(t, "# Secret: prefer the environment variable %s.\n", env);
    }
    if (k->def)
        tpl_addf(t, "#%s = %s\n\n", k->name, k->def);
    else
        tpl_addf(t, "#%s =\n\n", k->name);
}

/* The name of a named section's commented example in the template. */
static const char *example_name(const char *section)
{
    if (!strcmp(section, "field"))
        return "email";
    return strcmp(section, "link") ? "welcome" : "second-location";
}

int config_template(buf *out)
{
    tpl t = {.rc = 0};
    buf_init(&t.b, out->max - out->len);
    tpl_addf(&t, "# pheedsync configuration, as `pheedsync init` writes it.\n"
                 "# Lines starting with # are comments; the values shown commented out are the\n"
                 "# defaults. Any key of an unnamed section can also be set by the environment\n"
                 "# variable PHEEDSYNC_<SECTION>_<KEY>, the best place for secrets.\n\n");
    for (const config_section_spec *s = schema; s->name; s++) {
        add_comment(&t, s->doc);
        /* Named sections are optional: their example instance stays commented out. */
        if (s->named)
            tpl_addf(&t, "#[%s \"%s\"]\n\n", s->name, example_name(s->name));
        else
            tpl_addf(&t, "[%s]\n\n", s->name);
        for (const config_key_spec *k = s->keys; k->name; k++)
            add_key(&t, s, k);
    }
    if (!t.rc)
        t.rc = buf_add(out, t.b.ptr, t.b.len);
    buf_free(&t.b);
    return t.rc;
}
