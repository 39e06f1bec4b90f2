/* commands.h: the entry point of each `pheedsync` command; one file per command. */
#ifndef PHEEDSYNC_COMMANDS_H
#define PHEEDSYNC_COMMANDS_H

/* Exit codes shared by every command (the contract scripts rely on). */
enum {
    EXIT_OK = 0,      /* success */
    EXIT_CHECK = 1,   /* the command's check failed (drift, not ready) */
    EXIT_USAGE = 2,   /* usage or configuration error */
    EXIT_RUNTIME = 3, /* runtime failure */
};

/* argv[0] is the command's name; each returns an exit code. */
int cmd_sandbox(int argc, char **argv);
int cmd_connect(int argc, char **argv);
/* `connect pheedloop` (argv[0] is "pheedloop"): the PheedLoop side owns it
 * (cmd_connect_pheedloop.c). */
int cmd_connect_pheedloop(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dlq(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_reject(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_mapping(int argc, char **argv);

#endif
