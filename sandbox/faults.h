/* faults.h: seeded, reproducible fault injection for an emulator's answers and webhooks. */
#ifndef PHEEDSYNC_SANDBOX_FAULTS_H
#define PHEEDSYNC_SANDBOX_FAULTS_H

#include "net/http_server.h"
#include "util/err.h"

#include <jansson.h>

typedef struct sbx_fault_config {
    double p_5xx;          /* share of answers replaced by 500, 502 or 503 */
    double p_429;          /* share of answers replaced by 429 with Retry-After: 1 */
    int latency_ms;        /* added before every answer */
    int latency_jitter_ms; /* plus a uniform extra in [0, jitter] */
    double p_hang;         /* share of requests that hang hang_ms before answering */
    int hang_ms;           /* default 30000 */
    double p_reset;        /* share of connections closed with no answer */
    double wh_p_drop;      /* webhooks never sent */
    double wh_p_duplicate; /* webhooks sent twice */
    double wh_p_reorder;   /* webhooks held back and sent after the next one */
    int wh_delay_ms;       /* added before each webhook */
} sbx_fault_config;

typedef struct sbx_faults sbx_faults;

typedef struct sbx_webhook_fate {
    bool drop;
    bool duplicate;
    bool reorder;
    int delay_ms;
} sbx_webhook_fate;

/* All off, hang_ms 30000: what a new sbx_faults starts with. */
void sbx_fault_config_defaults(sbx_fault_config *out);

/* Starts with the defaults; the same seed gives the same decisions for the same calls. */
int sbx_faults_new(sbx_faults **out, uint64_t seed, err *e);
void sbx_faults_free(sbx_faults *f);
void sbx_faults_set(sbx_faults *f, const sbx_fault_config *cfg);
void sbx_faults_get(sbx_faults *f, sbx_fault_config *out);
/* Updates cfg with the keys present in j (the field names above); ERR_INVALID names a bad key
 * or value (shares must be in [0, 1], times >= 0). */
int sbx_fault_config_update(sbx_fault_config *cfg, const json_t *j, err *e);
json_t *sbx_fault_config_json(const sbx_fault_config *cfg);
/* Applies a partial JSON update to f's settings atomically (nothing changes on error); out,
 * when not NULL, gets the resulting settings. */
int sbx_faults_update(sbx_faults *f, const json_t *j, sbx_fault_config *out, err *e);
/* Parses "p_5xx=0.1,p_429=0.05,latency_ms=20" (the command line form). */
int sbx_fault_config_parse(sbx_fault_config *cfg, const char *spec, err *e);

/* What the faults decided for one request. */
typedef struct sbx_fault_decision {
    int64_t sleep_ms; /* latency plus jitter */
    bool hang;        /* then sleep hang_ms more */
    int hang_ms;
    int answer;       /* 0: answer normally; -1: reset the connection; else 500/502/503/429 */
} sbx_fault_decision;

/* Draws the next request's decision (no sleeping); sbx_faults_apply acts on it. */
void sbx_faults_decide(sbx_faults *f, sbx_fault_decision *out);

/* Applies latency and hangs (sleeping), then maybe answers 5xx/429 or resets. Returns true when
 * it answered the request (the emulator must not). */
bool sbx_faults_apply(sbx_faults *f, const http_request *req, http_response *res);
void sbx_faults_webhook_fate(sbx_faults *f, sbx_webhook_fate *out);
/* Wakes hung requests so that a server can stop promptly; from then on latency and hangs are
 * skipped (the server is going away). */
void sbx_faults_release(sbx_faults *f);

#endif
