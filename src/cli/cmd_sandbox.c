/* cmd_sandbox.c: `pheedsync sandbox`: placeholder until the emulators land. */
#include "util/common.h"
#include "cli/commands.h"

int cmd_sandbox(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pheedsync sandbox: not built yet\n");
    return EXIT_RUNTIME;
}
