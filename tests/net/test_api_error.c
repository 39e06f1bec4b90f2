/* test_api_error.c: unit tests for the classification of failed API calls, on the answers
 * HighLevel and PheedLoop give. */
#include "net/api_error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static api_error classify(int status, const char *body)
{
    api_error ae;
    api_error_classify(&ae, status, API_TRANSPORT_NONE, body, body ? strlen(body) : 0);
    return ae;
}

static void test_success(void **state)
{
    api_error ae = classify(201, "{\"contact\":{}}");
    assert_int_equal(ae.kind, API_OK);
    assert_int_equal(api_error_code(&ae), 0);
    assert_false(api_error_is_retryable(ae.kind));
}

static void test_auth_and_scope(void **state)
{
    api_error ae = classify(401, "{\"statusCode\":401,\"message\":\"Invalid JWT\"}");
    assert_int_equal(ae.kind, API_ERR_AUTH);
    assert_string_equal(ae.message, "Invalid JWT");
    assert_int_equal(api_error_code(&ae), ERR_AUTH);

    ae = classify(401, "{\"statusCode\":401,\"message\":\"The token is not authorized for this "
                       "scope.\"}");
    assert_int_equal(ae.kind, API_ERR_SCOPE);

    ae = classify(403, "{\"detail\":\"Authentication credentials were not provided.\"}");
    assert_int_equal(ae.kind, API_ERR_AUTH);
    ae = classify(403, "{\"detail\":\"You do not have permission to perform this action.\"}");
    assert_int_equal(ae.kind, API_ERR_SCOPE);
    assert_string_equal(ae.message, "You do not have permission to perform this action.");

    /* The OAuth token endpoint answers 400 for a dead refresh token. */
    ae = classify(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh "
                       "token\"}");
    assert_int_equal(ae.kind, API_ERR_AUTH);
    assert_string_equal(ae.message, "Invalid refresh token");
    ae = classify(400, "{\"error\":\"invalid_request\",\"error_description\":\"code missing\"}");
    assert_int_equal(ae.kind, API_ERR_VALIDATION);
}

static void test_not_found(void **state)
{
    assert_int_equal(classify(404, "{\"detail\":\"Invalid page.\"}").kind, API_ERR_NOT_FOUND);
    assert_int_equal(classify(410, NULL).kind, API_ERR_NOT_FOUND);
    api_error ae = classify(404, NULL);
    assert_string_equal(ae.message, "HTTP 404");
    assert_int_equal(api_error_code(&ae), ERR_NOT_FOUND);
}

static void test_validation_and_duplicate(void **state)
{
    api_error ae = classify(422, "{\"statusCode\":422,\"message\":[\"email must be an email\","
                                 "\"phone is too long\"],\"error\":\"Unprocessable Entity\"}");
    assert_int_equal(ae.kind, API_ERR_VALIDATION);
    assert_string_equal(ae.message, "email must be an email; phone is too long");
    assert_int_equal(api_error_code(&ae), ERR_INVALID);

    ae = classify(400, "{\"statusCode\":400,\"message\":\"This location does not allow duplicated "
                       "contacts.\",\"meta\":{\"contactName\":\"Ada\",\"contactId\":\"abc123\","
                       "\"matchingField\":\"email\"}}");
    assert_int_equal(ae.kind, API_ERR_DUPLICATE);
    assert_string_equal(ae.existing_id, "abc123");
    assert_int_equal(api_error_code(&ae), ERR_CONFLICT);

    /* Django REST Framework field errors. */
    ae = classify(400, "{\"email\":[\"attendee with this email already exists.\"]}");
    assert_int_equal(ae.kind, API_ERR_DUPLICATE);
    assert_string_equal(ae.message, "email: attendee with this email already exists.");
    assert_string_equal(ae.existing_id, "");
    ae = classify(400, "{\"email\":[\"Enter a valid email address.\"],\"first_name\":[\"This "
                       "field may not be blank.\"]}");
    assert_int_equal(ae.kind, API_ERR_VALIDATION);
    assert_string_equal(ae.message,
                        "email: Enter a valid email address.; first_name: This field may not be "
                        "blank.");

    assert_int_equal(classify(409, "{}").kind, API_ERR_DUPLICATE);
}

static void test_rate_transient_permanent(void **state)
{
    api_error ae = classify(429, "{\"message\":\"Too Many Requests\"}");
    assert_int_equal(ae.kind, API_ERR_RATE);
    assert_true(api_error_is_retryable(ae.kind));
    assert_int_equal(api_error_code(&ae), ERR_LIMIT);
    static const int transient[] = {408, 500, 502, 503, 504};
    for (size_t i = 0; i < PS_ARRAY_LEN(transient); i++) {
        ae = classify(transient[i], NULL);
        assert_int_equal(ae.kind, API_ERR_TRANSIENT);
        assert_true(api_error_is_retryable(ae.kind));
        assert_int_equal(api_error_code(&ae), ERR_NET);
    }
    static const int permanent[] = {301, 418, 413, 501, 505};
    for (size_t i = 0; i < PS_ARRAY_LEN(permanent); i++) {
        ae = classify(permanent[i], NULL);
        assert_int_equal(ae.kind, API_ERR_PERMANENT);
        assert_false(api_error_is_retryable(ae.kind));
    }
}

static void test_transport(void **state)
{
    api_error ae;
    api_transport retryable[] = {API_TRANSPORT_CONNECT, API_TRANSPORT_TIMEOUT, API_TRANSPORT_RESET};
    for (size_t i = 0; i < PS_ARRAY_LEN(retryable); i++) {
        api_error_classify(&ae, 0, retryable[i], NULL, 0);
        assert_int_equal(ae.kind, API_ERR_TRANSIENT);
        assert_int_equal(ae.transport, retryable[i]);
    }
    /* The transport failure wins over a status that came before it. */
    api_error_classify(&ae, 200, API_TRANSPORT_TOO_LARGE, "{}", 2);
    assert_int_equal(ae.kind, API_ERR_PERMANENT);
    assert_int_equal(api_error_code(&ae), ERR_LIMIT);
    assert_string_equal(ae.message, "transport: too_large");
    api_error_classify(&ae, 0, API_TRANSPORT_TLS, NULL, 0);
    assert_int_equal(ae.kind, API_ERR_PERMANENT);
    assert_int_equal(api_error_code(&ae), ERR_IO);
    assert_string_equal(api_transport_name(API_TRANSPORT_RESET), "reset");
    assert_string_equal(api_error_kind_name(API_ERR_NOT_FOUND), "not_found");
}

static void test_bodies_are_slices(void **state)
{
    /* Only len bytes are read: the trailing garbage would make the JSON invalid. */
    const char data[] = "{\"message\":\"Contact not found\"}GARBAGE";
    api_error ae;
    api_error_classify(&ae, 404, API_TRANSPORT_NONE, data, strlen(data) - 7);
    assert_string_equal(ae.message, "Contact not found");

    /* A text body gives its printable characters; control bytes and NULs become spaces. */
    const char html[] = "<html>\r\n<body>Bad\0gateway</body></html>";
    api_error_classify(&ae, 502, API_TRANSPORT_NONE, html, sizeof html - 1);
    assert_int_equal(ae.kind, API_ERR_TRANSIENT);
    assert_string_equal(ae.message, "<html> <body>Bad gateway</body></html>");

    /* A long message is cut to the record's size, NUL-terminated. */
    char big[2000] = "{\"message\":\"";
    size_t n = strlen(big);
    memset(big + n, 'a', 1500);
    memcpy(big + n + 1500, "\"}", 3);
    ae = classify(400, big);
    assert_int_equal(strlen(ae.message), API_ERROR_MSG_MAX - 1);
    /* Control characters inside JSON strings are flattened too. */
    ae = classify(400, "{\"message\":\"line1\\nline2\"}");
    assert_string_equal(ae.message, "line1 line2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success),
        cmocka_unit_test(test_auth_and_scope),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_validation_and_duplicate),
        cmocka_unit_test(test_rate_transient_permanent),
        cmocka_unit_test(test_transport),
        cmocka_unit_test(test_bodies_are_slices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
