/* app_fixture.h: the sandbox in-process (both emulators, no seeded people, two PheedLoop events,
 * fixed PheedLoop credentials), a temporary directory for configuration files and the store, and
 * the pheedsync binary run as a user runs it (its output and exit status captured). */
#ifndef PHEEDSYNC_TESTS_APP_FIXTURE_H
#define PHEEDSYNC_TESTS_APP_FIXTURE_H

#include "util/common.h"
#include "sandbox/sandbox.h"
#include "tests/support/testhttp.h"

#define AFX_ORG "ORGAPP"
#define AFX_KEY "app-test-key-0123"
#define AFX_SECRET "app-test-secret-4567"
#define AFX_TOKEN "app-admin-token"
#define AFX_EVENT "EVEAPP1"
#define AFX_EVENT2 "EVEAPP2"
#define AFX_SEAL_KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define AFX_SCOPES "contacts.readonly contacts.write locations/customFields.readonly"

typedef struct afx {
    sbx_sandbox *sbx;
    json_t *ghl;        /* the "highlevel" part of sbx_sandbox_info */
    char ghl_base[128]; /* http://127.0.0.1:PORT */
    char pl_base[128];
    char location[64];
    char pit[128];  /* a Private Integration token with every scope */
    char dir[128];  /* temporary: configurations, store, key */
    char conf[256]; /* DIR/pheedsync.conf */
} afx;

int afx_setup(void **state);
int afx_teardown(void **state);

/* What a configuration file holds, by part. */
typedef struct afx_conf {
    bool oauth;            /* [ghl] auth = oauth with the emulator's app; else a PIT */
    const char *pl_secret; /* NULL: the right one; "" : no PheedLoop credentials at all */
    const char *events;    /* NULL: AFX_EVENT */
    const char *extra;     /* appended verbatim; may be NULL */
} afx_conf;
/* Writes DIR/pheedsync.conf (f->conf). */
void afx_write_conf(afx *f, const afx_conf *c);
/* Writes DIR/name with text; path gets its full name. */
void afx_write_file(afx *f, const char *name, const char *text, char *path, size_t n);

/* One run of the binary: exit status, standard output and error. */
typedef struct afx_run {
    int code;
    char *out, *err;
} afx_run;
/* Runs `pheedsync ARGS...` (NULL-terminated) in DIR, with PHEEDSYNC_SEAL_KEY, the sanitizer
 * options of this process, and env (NULL-terminated "NAME=value", may be NULL). */
afx_run afx_exec(afx *f, const char *const *args, const char *const *env);
void afx_run_free(afx_run *r);

/* An admin request on the HighLevel emulator; the answer's JSON (fails the test on non-2xx). */
json_t *afx_ghl_admin(afx *f, const char *method, const char *path, const char *body);
/* Connects OAuth with a code for these scopes through `pheedsync connect ghl --code`; returns
 * the command's exit status. */
int afx_connect_oauth(afx *f, const char *scopes);

#endif
