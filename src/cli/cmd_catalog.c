/* cmd_catalog.c: `pheedsync catalog`: every action and trigger pheedsync knows. */
#include "catalog/catalog.h"
#include "cli/commands.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync catalog [--json] [ghl|pheedloop]\n"
    "\n"
    "Lists every action (API operation: method, path, OAuth scope) and trigger (webhook event)\n"
    "of HighLevel and PheedLoop that pheedsync knows. `pheedsync call SERVICE ACTION key=value...`\n"
    "runs an action.\n";

int cmd_catalog(int argc, char **argv)
{
    bool json_out = false, want[2] = {true, true};
    bool filtered = false;
    for (int i = 1; i < argc; i++) {
        catalog_service s;
        if (!strcmp(argv[i], "--json")) {
            json_out = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (catalog_service_parse(&s, argv[i], NULL) == 0) {
            if (!filtered)
                want[0] = want[1] = false;
            filtered = true;
            want[s] = true;
        } else {
            fprintf(stderr, "pheedsync catalog: unexpected argument '%s' (see --help)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (json_out) {
        json_t *j = catalog_json();
        char *text = jsonx_dumps(j);
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(j);
        return EXIT_OK;
    }
    for (int s = 0; s < 2; s++) {
        if (!want[s])
            continue;
        printf("%s actions:\n", s == CATALOG_GHL ? "HighLevel" : "PheedLoop");
        for (const catalog_action *a = catalog_actions(); a->name; a++)
            if ((int)a->service == s)
                printf("  %-24s %-6s %-44s %s\n      %s\n", a->name, a->method, a->path,
                       a->scope ? a->scope : "", a->summary);
        printf("%s triggers:\n", s == CATALOG_GHL ? "HighLevel" : "PheedLoop");
        for (const catalog_trigger *t = catalog_triggers(); t->name; t++)
            if ((int)t->service == s)
                printf("  %-24s %s\n", t->name, t->summary);
        printf("\n");
    }
    return EXIT_OK;
}
