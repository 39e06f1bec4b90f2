/* opsfx.h: what the tests of the operator's commands share, on top of the application
 * fixture (tests/app/app_fixture.h: the sandbox in-process and the binary run in a temporary
 * directory): the store of the configuration, people seeded on both sides and linked the way
 * the engine links them, commands run with their JSON parsed, and the emulators' counts of
 * requests that change something. */
#ifndef PHEEDSYNC_TESTS_OPSFX_H
#define PHEEDSYNC_TESTS_OPSFX_H

#include "store/store.h"
#include "tests/app/app_fixture.h"

/* The store the configuration names (DIR/state.db); close it with store_close. */
store *ofx_store(afx *f);
/* A contact seeded on the location (fields: JSON text in the API's create shape). */
void ofx_contact(afx *f, const char *fields, char id[64]);
/* An attendee seeded in event (fields: JSON text in the API's create shape). */
void ofx_attendee(afx *f, const char *event, const char *fields, char code[64]);
/* Links contact and attendee (event AFX_EVENT) as the engine does; returns the link id. */
int64_t ofx_link(afx *f, const char *contact_id, const char *email, const char *code);

/* An operation on record_key that failed for good; returns the dead letter's id. */
int64_t ofx_dead_letter(afx *f, const char *record_key, const char *kind, const char *message);

/* Runs `pheedsync ARGS...` (NULL-terminated), expecting exit code want; fails the test
 * otherwise, showing standard output and error. */
afx_run ofx_expect(afx *f, int want, const char *const *args);
/* The standard output as JSON (fails the test when it is not). */
json_t *ofx_json(const afx_run *r);
/* Requests both emulators counted that may change something: every method but GET, less
 * HighLevel's contact search (a POST that only reads). */
int64_t ofx_writes(afx *f);
/* Requests both emulators counted in all. */
int64_t ofx_requests(afx *f);

/* Writes a schema version newer than this build knows into the store (as a newer pheedsync
 * would leave it). */
void ofx_store_from_the_future(afx *f);

#endif
