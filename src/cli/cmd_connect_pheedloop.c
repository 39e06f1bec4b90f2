/* cmd_connect_pheedloop.c: `pheedsync connect pheedloop`: a placeholder until the PheedLoop
 * client lands; it will check the API key and secret and store them sealed. */
#include "cli/commands.h"
#include "util/common.h"

int cmd_connect_pheedloop(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pheedsync connect pheedloop: coming with the PheedLoop client; for now set "
                    "[pheedloop] api_key and api_secret (or PHEEDSYNC_PHEEDLOOP_API_KEY and "
                    "PHEEDSYNC_PHEEDLOOP_API_SECRET)\n");
    return EXIT_RUNTIME;
}
