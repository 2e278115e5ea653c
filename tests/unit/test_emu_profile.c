/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profile files: the shipped example parses to the model it describes;
 * every kind of mistake is refused with a line number or a reason. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/profile.h"

static char example[4096];

static int setup(void **state)
{
	char path[512];
	(void)state;
	snprintf(path, sizeof(path), "%s/docs/examples/mytoken.profile", getenv("TM_SRCDIR"));
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(example, 1, sizeof(example) - 1, f);
	example[n] = '\0';
	fclose(f);
	return 0;
}

static void test_example_parses(void **state)
{
	(void)state;
	struct tm_model m;
	char why[256];

	assert_int_equal(tm_profile_load("/dev/null", &m, why, sizeof(why)),
			 TM_ERR_MALFORMED); /* an empty file lacks every key */
	assert_int_equal(tm_profile_parse(example, strlen(example), &m, why, sizeof(why)), TM_OK);
	assert_string_equal(m.key, "mytoken");
	assert_string_equal(m.name, "My Token");
	assert_int_equal(m.atr_len, 12);
	assert_string_equal(m.user.factory, "123456");
	assert_int_equal(m.user.tries, 5);
	assert_int_equal(m.user.allowed, TM_CHARS_DIGIT);
	assert_int_equal(m.memory, 32768);
	assert_false(m.caps & TM_CAP_EXTENDED_LENGTH);
	assert_true(m.caps & TM_CAP_CHANGE_AT_FIRST_LOGON);
	assert_int_equal(m.n_algs, 2);
	assert_true(tm_model_has_alg(&m, TM_KEY_EC_P256, 256));
	assert_true(tm_model_has_alg(&m, TM_KEY_RSA, 2048));
}

/* The example with `from` replaced by `to` must be refused; returns why. */
static const char *refused(const char *from, const char *to)
{
	static char why[256];
	char text[4096];
	struct tm_model m;
	const char *at = strstr(example, from);

	assert_non_null(at);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - example), example, to, at + strlen(from));
	if (tm_profile_parse(text, strlen(text), &m, why, sizeof(why)) != TM_ERR_MALFORMED)
		fail_msg("accepted a profile with \"%s\"", to);
	return why;
}

static void expect_refused(const char *from, const char *to, const char *reason)
{
	const char *why = refused(from, to);

	if (strstr(why, reason) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why, reason);
}

static void test_mistakes_refused(void **state)
{
	(void)state;
	expect_refused("memory = 32768\n", "", "profile: missing required key \"memory\"");
	expect_refused("4E 82", "4E 83", "line 6: atr = \"3B 88 01");               /* TCK */
	expect_refused("4E 82", "4E 83", "its TCK right");
	expect_refused("user_pin = 123456", "user_pin = 12a456",
		       "line 7: the factory PIN user_pin breaks its own rules: a character the model "
		       "does not allow");
	expect_refused("user_tries = 5", "user_tries = 16",
		       "line 8: user_tries = \"16\": wants a whole number from 0 to 15");
	expect_refused("user_tries = 5", "user_tries = -1", "user_tries = \"-1\": wants");
	expect_refused("user_tries = 5", "user_tries = 0", "line 8: user_tries = 0: wants 1 to 15");
	expect_refused("key = mytoken", "key = My Token",
		       "line 3: key = \"My Token\": lower-case letters, digits and '-' only");
	expect_refused("name = My Token", "name = My Token\ncolour = blue",
		       "line 5: unknown key \"colour\"");
	expect_refused("name = My Token", "name = My Token\nname = Again",
		       "line 5: key \"name\" given twice (first on line 4)");
	expect_refused("name = My Token", "name My Token", "line 4: expected key = value");
	expect_refused("rsa:1024-2048", "rsa:1000-2048", "multiples of 1024");
	expect_refused("extended_length = no", "extended_length = maybe",
		       "extended_length = \"maybe\": wants yes or no");
	expect_refused("user_min = 6", "user_min = 13", "user_min = 13 is more than user_max = 12");
	expect_refused("user_require = digits", "user_require = upper",
		       "user_require asks for a character class that user_chars does not allow");
	/* A PIN the profile gets wrong is not echoed in the error. */
	expect_refused("so_pin = 12345678", "so_pin = 1234567812345678123456781234567812345678",
		       "so_pin = \"...\": wants a PIN of at most");
}

static void test_errors_never_echo_a_pin(void **state)
{
	(void)state;
	assert_null(strstr(refused("so_pin = 12345678",
				   "so_pin = 1234567812345678123456781234567812345678"), "12345678"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_mistakes_refused),
		cmocka_unit_test(test_errors_never_echo_a_pin),
	};
	return cmocka_run_group_tests_name("emu_profile", tests, setup, NULL);
}
