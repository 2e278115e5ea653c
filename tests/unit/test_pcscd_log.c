/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pcscd's APDU log as trace records: pairs, timing, PIN commands masked,
 * unanswered commands, and broken lines. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/pcscd_log.h"
#include "apdu/rc.h"

static struct tm_pcscd_log *lg;
static struct tm_trace_rec *rec;

static int setup(void **state)
{
	(void)state;
	lg = calloc(1, sizeof(*lg));
	rec = calloc(1, sizeof(*rec));
	if (lg == NULL || rec == NULL)
		return 1;
	tm_pcscd_log_init(lg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(lg);
	free(rec);
	return 0;
}

static int feed(const char *line)
{
	return tm_pcscd_log_line(lg, line, strlen(line), rec);
}

static void test_pair_and_timing(void **state)
{
	(void)state;
	assert_int_equal(feed("00000100 ifdwrapper.c:477:IFDControl() Card not transacted: 606\n"),
			 TM_ERR_NOT_FOUND);
	assert_int_equal(feed("00000087 APDU: 00 A4 04 00 07 F0 54 55 4D 41 52 01 00 \n"), TM_ERR_NOT_FOUND);
	assert_int_equal(feed("00000041 SW: 6F 00 90 00 \n"), TM_OK);
	assert_int_equal(rec->seq, 1);
	assert_int_equal(rec->cmd_len, 13);
	assert_memory_equal(rec->cmd, "\x00\xA4\x04\x00\x07\xF0\x54", 7);
	assert_true(rec->has_resp);
	assert_int_equal(rec->resp_len, 4);
	assert_memory_equal(rec->resp, "\x6F\x00\x90\x00", 4);
	assert_int_equal(rec->duration_us, 41);
	assert_int_equal(rec->time_us, 187);
	assert_false(rec->sensitive);
}

static void test_pin_is_masked(void **state)
{
	(void)state;
	assert_int_equal(feed("00000087 APDU: 00 20 00 81 08 31 32 33 34 35 36 37 38\n"), TM_ERR_NOT_FOUND);
	assert_int_equal(feed("00000041 SW: 63 C2\n"), TM_OK);
	assert_true(rec->sensitive);
	assert_int_equal(rec->cmd_len, 4);
	assert_int_equal(rec->hidden_len, 8);
	for (size_t i = 0; i + 2 <= sizeof(rec->cmd); i++)
		assert_false(rec->cmd[i] == 0x31 && rec->cmd[i + 1] == 0x32);
	for (size_t i = 0; i < sizeof(lg->cmd); i++)
		assert_int_equal(lg->cmd[i], 0); /* nothing left in the reader */
	/* Extended Lc, and a syslog prefix. */
	assert_int_equal(feed("Nov 21 pcscd: 00000001 APDU: 00 24 00 81 00 00 04 31 32 33 34\n"),
			 TM_ERR_NOT_FOUND);
	assert_int_equal(feed("Nov 21 pcscd: 00000001 SW: 90 00\n"), TM_OK);
	assert_true(rec->sensitive);
	assert_int_equal(rec->hidden_len, 4);
}

static void test_unanswered(void **state)
{
	(void)state;
	assert_int_equal(feed("00000001 APDU: 00 84 00 00 08\n"), TM_ERR_NOT_FOUND);
	assert_int_equal(feed("00000001 APDU: 00 A4 00 00\n"), TM_OK);
	assert_memory_equal(rec->cmd, "\x00\x84\x00\x00\x08", 5);
	assert_false(rec->has_resp);
	assert_int_equal(feed("00000001 SW: 90 00\n"), TM_OK);
	assert_memory_equal(rec->cmd, "\x00\xA4\x00\x00", 4);
	assert_int_equal(feed("00000001 APDU: 00 20 00 81 02 31 32\n"), TM_ERR_NOT_FOUND);
	assert_int_equal(tm_pcscd_log_finish(lg, rec), TM_OK);
	assert_true(rec->sensitive);
	assert_false(rec->has_resp);
	assert_int_equal(tm_pcscd_log_finish(lg, rec), TM_ERR_NOT_FOUND);
}

static void test_broken_lines(void **state)
{
	(void)state;
	assert_int_equal(feed("00000001 SW: 90 00\n"), TM_ERR_MALFORMED); /* no command */
	assert_int_equal(feed("00000001 APDU: 00 A4 0\n"), TM_ERR_MALFORMED);
	assert_int_equal(feed("00000001 APDU: 00 A4\n"), TM_ERR_MALFORMED); /* no header */
	assert_int_equal(feed("00000001 APDU: 00 A4 04 00\n"), TM_ERR_NOT_FOUND);
	assert_int_equal(feed("00000001 SW: 9\n"), TM_ERR_MALFORMED);
	assert_int_equal(feed("00000001 SW: 90 00\n"), TM_ERR_MALFORMED); /* dropped with the bad one */
	assert_int_equal(feed("00000001 APDU: 00A40400\n"), TM_ERR_MALFORMED);
	assert_int_equal(feed("a line with APDU:in it\n"), TM_ERR_NOT_FOUND);
	assert_int_equal(tm_pcscd_log_line(NULL, "x", 1, rec), TM_ERR_ARGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pair_and_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_is_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_lines, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
