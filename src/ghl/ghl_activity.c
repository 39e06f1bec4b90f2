/* ghl_activity.c: a contact's tasks, notes and appointments through the HighLevel client. */
#include "ghl/ghl_client_int.h"
#include "util/jsonx.h"

/* "/contacts/{id}/<what>[/{sub}][suffix]" */
static void sub_path(buf *p, const char *contact_id, const char *what, const char *sub,
                     const char *suffix)
{
    buf_addstr(p, "/contacts/");
    ghl_path_seg(p, contact_id);
    buf_addf(p, "/%s", what);
    if (sub) {
        buf_addc(p, '/');
        ghl_path_seg(p, sub);
    }
    if (suffix)
        buf_addstr(p, suffix);
}

static int call_at(void *out, ghl_parse_fn parse, ghl_client *c, const ghl_op *op,
                   const char *method, const char *contact_id, const char *what, const char *sub,
                   const char *suffix, const json_t *body, http_idempotency idem, const char *label,
                   err *e)
{
    buf p;
    buf_init(&p, 1024);
    sub_path(&p, contact_id, what, sub, suffix);
    int rc = ghl_call_parse(out, parse, c, op, method, buf_cstr(&p), body, idem, label, e);
    buf_free(&p);
    return rc;
}

static int p_tasks(void *o, const char *b, size_t n, err *e)
{
    return ghl_parse_tasks(o, b, n, e);
}
static int p_task(void *o, const char *b, size_t n, err *e)
{
    return ghl_parse_task_answer(o, b, n, e);
}
static int p_notes(void *o, const char *b, size_t n, err *e)
{
    return ghl_parse_notes(o, b, n, e);
}
static int p_note(void *o, const char *b, size_t n, err *e)
{
    return ghl_parse_note_answer(o, b, n, e);
}
static int p_appts(void *o, const char *b, size_t n, err *e)
{
    return ghl_parse_appointments(o, b, n, e);
}
static int p_ok(void *o, const char *b, size_t n, err *e)
{
    (void)o;
    return ghl_parse_succeded(b, n, e);
}

#define BY_METHOD HTTP_IDEMPOTENT_BY_METHOD

/* ---------------------------------------------------------------- tasks */

int ghl_client_list_tasks(ghl_tasks *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                          err *e)
{
    return call_at(out, p_tasks, c, op, "GET", contact_id, "tasks", NULL, NULL, NULL, BY_METHOD,
                   "ghl get-all-tasks", e);
}

int ghl_client_get_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                        const char *task_id, err *e)
{
    return call_at(out, p_task, c, op, "GET", contact_id, "tasks", task_id, NULL, NULL, BY_METHOD,
                   "ghl get-task", e);
}

static json_t *task_json(const ghl_task_input *in, bool create)
{
    json_t *b = json_object();
    if (!b)
        return NULL;
    int rc = 0;
    if (in->title)
        rc |= jsonx_set_str(b, "title", in->title);
    if (in->body)
        rc |= jsonx_set_str(b, "body", in->body);
    if (in->due_date)
        rc |= jsonx_set_str(b, "dueDate", in->due_date);
    if (in->assigned_to)
        rc |= jsonx_set_str(b, "assignedTo", in->assigned_to);
    if (in->completed >= 0 || create)
        rc |= jsonx_set_bool(b, "completed", in->completed == 1);
    if (rc) {
        json_decref(b);
        return NULL;
    }
    return b;
}

int ghl_client_create_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const ghl_task_input *in, err *e)
{
    if (!in->title || !in->due_date)
        return err_set(e, ERR_INVALID, "ghl create-task: title and due date are required");
    json_t *b = task_json(in, true);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = call_at(out, p_task, c, op, "POST", contact_id, "tasks", NULL, NULL, b,
                     HTTP_IDEMPOTENT_NO, "ghl create-task", e);
    json_decref(b);
    return rc;
}

int ghl_client_update_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *task_id, const ghl_task_input *in, err *e)
{
    json_t *b = task_json(in, false);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = call_at(out, p_task, c, op, "PUT", contact_id, "tasks", task_id, NULL, b, BY_METHOD,
                     "ghl update-task", e);
    json_decref(b);
    return rc;
}

int ghl_client_complete_task(ghl_task *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                             const char *task_id, bool completed, err *e)
{
    json_t *b = json_pack("{s:b}", "completed", completed);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = call_at(out, p_task, c, op, "PUT", contact_id, "tasks", task_id, "/completed", b,
                     BY_METHOD, "ghl update-task-completed", e);
    json_decref(b);
    return rc;
}

int ghl_client_delete_task(ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *task_id, err *e)
{
    return call_at(NULL, p_ok, c, op, "DELETE", contact_id, "tasks", task_id, NULL, NULL, BY_METHOD,
                   "ghl delete-task", e);
}

/* ---------------------------------------------------------------- notes */

int ghl_client_list_notes(ghl_notes *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                          err *e)
{
    return call_at(out, p_notes, c, op, "GET", contact_id, "notes", NULL, NULL, NULL, BY_METHOD,
                   "ghl get-all-notes", e);
}

int ghl_client_get_note(ghl_note *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                        const char *note_id, err *e)
{
    return call_at(out, p_note, c, op, "GET", contact_id, "notes", note_id, NULL, NULL, BY_METHOD,
                   "ghl get-note", e);
}

static json_t *note_json(const ghl_note_input *in)
{
    json_t *b = json_object();
    if (!b)
        return NULL;
    int rc = 0;
    if (in->body)
        rc |= jsonx_set_str(b, "body", in->body);
    if (in->title)
        rc |= jsonx_set_str(b, "title", in->title);
    if (in->user_id)
        rc |= jsonx_set_str(b, "userId", in->user_id);
    if (in->color)
        rc |= jsonx_set_str(b, "color", in->color);
    if (in->pinned >= 0)
        rc |= jsonx_set_bool(b, "pinned", in->pinned == 1);
    if (rc) {
        json_decref(b);
        return NULL;
    }
    return b;
}

int ghl_client_create_note(ghl_note *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const ghl_note_input *in, err *e)
{
    if (!in->body)
        return err_set(e, ERR_INVALID, "ghl create-note: a body is required");
    json_t *b = note_json(in);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = call_at(out, p_note, c, op, "POST", contact_id, "notes", NULL, NULL, b,
                     HTTP_IDEMPOTENT_NO, "ghl create-note", e);
    json_decref(b);
    return rc;
}

int ghl_client_update_note(ghl_note *out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *note_id, const ghl_note_input *in, err *e)
{
    json_t *b = note_json(in);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = call_at(out, p_note, c, op, "PUT", contact_id, "notes", note_id, NULL, b, BY_METHOD,
                     "ghl update-note", e);
    json_decref(b);
    return rc;
}

int ghl_client_delete_note(ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *note_id, err *e)
{
    return call_at(NULL, p_ok, c, op, "DELETE", contact_id, "notes", note_id, NULL, NULL, BY_METHOD,
                   "ghl delete-note", e);
}

/* ---------------------------------------------------------------- appointments */

int ghl_client_list_appointments(ghl_appointments *out, ghl_client *c, const ghl_op *op,
                                 const char *contact_id, err *e)
{
    return call_at(out, p_appts, c, op, "GET", contact_id, "appointments", NULL, NULL, NULL,
                   BY_METHOD, "ghl get-appointments-for-contact", e);
}
