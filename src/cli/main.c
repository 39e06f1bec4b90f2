/* main.c: `pheedsync COMMAND ...`: finds the command and runs it. */
#include "util/common.h"
#include "cli/commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"sandbox", cmd_sandbox, "run the HighLevel and PheedLoop emulators only"},
    {"init", cmd_init, "write a commented configuration file"},
    {"connect", cmd_connect, "authorize with HighLevel or PheedLoop and store credentials"},
    {"check", cmd_check, "validate configuration, credentials and scopes; exit 0 when ready"},
    {"catalog", cmd_catalog, "every action and trigger pheedsync knows"},
    {"call", cmd_call, "run one action of the catalog and print the answer"},
    {"run", cmd_run, "the daemon: webhooks, pollers, reconcile, planner and workers"},
    {"status", cmd_status, "health: linked, in sync, pending, failing, services, pollers"},
    {"verify", cmd_verify, "compare both sides field by field; exit 0 in sync, 1 on drift"},
    {"dlq", cmd_dlq, "dead letters: list, show, replay, drop"},
    {"approve", cmd_approve, "let deletes held for approval go ahead (--list shows them)"},
    {"reject", cmd_reject, "keep the people whose deletes were held for approval"},
    {"profile", cmd_profile, "one person's complete profile on both sides"},
    {"audit", cmd_audit, "every change pheedsync made or decided for one person"},
    {"mapping", cmd_mapping, "the field map, and a preview of it on real records"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: pheedsync COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < PS_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`pheedsync COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("pheedsync %s\n", PHEEDSYNC_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < PS_ARRAY_LEN(commands); i++) {
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "pheedsync: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
