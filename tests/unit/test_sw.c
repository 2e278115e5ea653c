/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two status-word tables and the return-code names. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/rc.h"
#include "apdu/sw.h"

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tm_sw_lookup(0x9000)->name, "OK");
	assert_string_equal(tm_sw_lookup(0x6982)->name, "SECURITY_STATUS_NOT_SATISFIED");
	assert_string_equal(tm_sw_lookup(0x6A84)->name, "NOT_ENOUGH_MEMORY");
	/* Patterns: 63Cx, 61xx, 6Cxx, and 62xx triggering after the exact 62xx. */
	assert_string_equal(tm_sw_lookup(0x63C2)->name, "COUNTER");
	assert_string_equal(tm_sw_lookup(0x6110)->name, "MORE_DATA");
	assert_string_equal(tm_sw_lookup(0x6C08)->name, "WRONG_LE");
	assert_string_equal(tm_sw_lookup(0x6282)->name, "END_OF_FILE");
	assert_string_equal(tm_sw_lookup(0x6202)->name, "TRIGGERING");
	assert_string_equal(tm_sw_lookup(0x1234)->name, "UNKNOWN");
	assert_string_equal(tm_sw_lookup(0x6A8B)->name, "UNKNOWN");
}

static void test_describe(void **state)
{
	(void)state;
	char msg[128];

	tm_sw_describe(0x63C2, msg, sizeof(msg));
	assert_non_null(strstr(msg, "2 tries left"));
	tm_sw_describe(0x6110, msg, sizeof(msg));
	assert_non_null(strstr(msg, ": 16"));
	tm_sw_describe(0x6100, msg, sizeof(msg));
	assert_non_null(strstr(msg, "256 or more"));
	tm_sw_describe(0x6C20, msg, sizeof(msg));
	assert_non_null(strstr(msg, "the right Le is 32"));
	tm_sw_describe(0x6983, msg, sizeof(msg));
	assert_string_equal(msg, "Authentication method blocked");
	tm_sw_describe(0x6983, msg, 5); /* truncated, still terminated */
	assert_int_equal(strlen(msg), 4);
}

static void test_to_rc(void **state)
{
	(void)state;
	const struct {
		uint16_t sw;
		int rc;
	} cases[] = {
		{0x9000, TM_OK},
		{0x63C0, TM_ERR_PIN_INCORRECT},
		{0x63C9, TM_ERR_PIN_INCORRECT},
		{0x6983, TM_ERR_PIN_BLOCKED},
		{0x6984, TM_ERR_PIN_NOT_INITIALIZED},
		{0x6982, TM_ERR_SECURITY_STATUS},
		{0x6985, TM_ERR_CONDITIONS},
		{0x6700, TM_ERR_WRONG_LENGTH},
		{0x6C10, TM_ERR_WRONG_LENGTH},
		{0x6A80, TM_ERR_WRONG_DATA},
		{0x6A81, TM_ERR_FUNC_NOT_SUPPORTED},
		{0x6A82, TM_ERR_FILE_NOT_FOUND},
		{0x6A84, TM_ERR_CARD_MEMORY},
		{0x6A86, TM_ERR_WRONG_P1P2},
		{0x6B00, TM_ERR_WRONG_P1P2},
		{0x6A88, TM_ERR_REF_NOT_FOUND},
		{0x6A89, TM_ERR_FILE_EXISTS},
		{0x6D00, TM_ERR_INS_NOT_SUPPORTED},
		{0x6E00, TM_ERR_CLA_NOT_SUPPORTED},
		{0x6881, TM_ERR_CLA_NOT_SUPPORTED},
		{0x6882, TM_ERR_CLA_NOT_SUPPORTED},
		{0x6105, TM_ERR_PROTOCOL},
		{0x6F00, TM_ERR_CARD},
		{0x6281, TM_ERR_CARD},
		{0x0000, TM_ERR_CARD},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (tm_sw_to_rc(cases[i].sw) != cases[i].rc)
			fail_msg("SW %04X gave %s, want %s", cases[i].sw,
				 tm_rc_name(tm_sw_to_rc(cases[i].sw)),
				 tm_rc_name(cases[i].rc));
}

static void test_tries_left(void **state)
{
	(void)state;
	assert_int_equal(tm_sw_tries_left(0x63C3), 3);
	assert_int_equal(tm_sw_tries_left(0x63C0), 0);
	assert_int_equal(tm_sw_tries_left(0x6983), -1);
	assert_int_equal(tm_sw_tries_left(0x6300), -1);
}

static void test_rc_names(void **state)
{
	(void)state;
	/* Every code has its own name and a message. */
	for (int i = 0; i < TM_RC_COUNT; i++) {
		assert_string_not_equal(tm_rc_name(i), "TM_ERR_UNKNOWN");
		assert_string_not_equal(tm_rc_message(i), "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(tm_rc_name(i), tm_rc_name(j));
	}
	assert_string_equal(tm_rc_name(TM_ERR_PIN_BLOCKED), "TM_ERR_PIN_BLOCKED");
	assert_string_equal(tm_rc_name(-1), "TM_ERR_UNKNOWN");
	assert_string_equal(tm_rc_name(TM_RC_COUNT), "TM_ERR_UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_to_rc),
		cmocka_unit_test(test_tries_left),
		cmocka_unit_test(test_rc_names),
	};
	return cmocka_run_group_tests_name("sw", tests, NULL, NULL);
}
