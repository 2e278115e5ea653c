/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Trace lines: the exact format, redaction of secrets, round trips and
 * strict parsing. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "apdu/trace.h"

/* 2026-11-21T03:23:00.123456Z */
#define T0 1795231380123456LL

static struct tm_trace_rec *rec;

static int setup(void **state)
{
	(void)state;
	rec = calloc(1, sizeof(*rec));
	return rec == NULL;
}

static int teardown(void **state)
{
	(void)state;
	free(rec);
	return 0;
}

static char *format(const struct tm_trace_event *ev)
{
	char *line = tm_trace_format(ev, NULL);
	assert_non_null(line);
	return line;
}

static void test_plain_line(void **state)
{
	(void)state;
	const uint8_t cmd[] = {0x00, 0xA4, 0x04, 0x00, 0x02, 0xF0, 0x54, 0x00};
	const uint8_t resp[] = {0x6F, 0x00, 0x90, 0x00};
	struct tm_trace_event ev = {
		.seq = 7, .time_us = T0, .duration_us = 183,
		.reader = "Virtual PCD 00 00", .cmd = cmd, .cmd_len = sizeof(cmd),
		.resp = resp, .resp_len = sizeof(resp),
	};
	char *line = format(&ev);

	assert_string_equal(line, "TM1 7 2026-11-21T03:23:00.123456Z 183 "
				  "Virtual%20PCD%2000%2000 - 00A4040002F05400 "
				  "6F009000\n");
	OPENSSL_free(line);
}

/* A VERIFY is redacted even when its sender forgot to mark it. */
static void test_verify_always_redacted(void **state)
{
	(void)state;
	const uint8_t cmd[] = {0x00, 0x20, 0x00, 0x81, 0x08, '1', '2', '3',
			       '4', '5', '6', '7', '8'};
	const uint8_t resp[] = {0x63, 0xC2};
	struct tm_trace_event ev = {
		.seq = 1, .time_us = T0, .duration_us = 950, .reader = "r",
		.cmd = cmd, .cmd_len = sizeof(cmd), .resp = resp, .resp_len = 2,
	};
	char *line = format(&ev);

	assert_non_null(strstr(line, " s 00200081*8 63C2\n"));
	assert_null(strstr(line, "3132333435363738"));
	assert_null(strstr(line, "12345678"));
	OPENSSL_free(line);

	/* CHANGE REFERENCE DATA and RESET RETRY COUNTER too; chained
	 * pieces (CLA 10) as well. */
	uint8_t c2[] = {0x10, 0x24, 0x00, 0x81, 0x02, 'a', 'b'};
	assert_true(tm_trace_is_secret(c2, sizeof(c2)));
	c2[1] = 0x2C;
	assert_true(tm_trace_is_secret(c2, sizeof(c2)));
	c2[1] = 0x21;
	assert_true(tm_trace_is_secret(c2, sizeof(c2)));
	/* Not a secret: VERIFY without data, or a proprietary class. */
	c2[1] = 0x20;
	assert_false(tm_trace_is_secret(c2, 4));
	c2[0] = 0x80;
	assert_false(tm_trace_is_secret(c2, sizeof(c2)));
	/* IMPORT KEY carries a private key: hidden, each chained piece too. */
	c2[1] = 0xD8;
	assert_true(tm_trace_is_secret(c2, sizeof(c2)));
	c2[0] = 0x90;
	assert_true(tm_trace_is_secret(c2, sizeof(c2)));
	c2[0] = 0xC0;
	assert_false(tm_trace_is_secret(c2, sizeof(c2)));
}

static void test_marked_sensitive(void **state)
{
	(void)state;
	const uint8_t cmd[] = {0x80, 0x50, 0x00, 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0x00};
	struct tm_trace_event ev = {
		.time_us = T0, .sensitive = true, .cmd = cmd,
		.cmd_len = sizeof(cmd),
	};
	char *line = format(&ev);

	/* No reader, no response (transport failure). */
	assert_non_null(strstr(line, " - s 80500000*3 -\n"));
	assert_null(strstr(line, "AABBCC"));
	OPENSSL_free(line);
}

/* A private object's value: the response's data is its length only,
 * the status word stays; the parser gives both back. */
static void test_private_response(void **state)
{
	(void)state;
	const uint8_t cmd[] = {0x00, 0xB1, 0x00, 0x02, 0x04, 0x54, 0x02, 0x00, 0x00, 0x00};
	const uint8_t resp[] = {'S', 'E', 'C', 'R', 'E', 'T', 0x90, 0x00};
	const uint8_t upd[] = {0x00, 0xD7, 0x00, 0x02, 0x04, 0x53, 0x02, 'P', 'W'};
	struct tm_trace_event ev = {
		.time_us = T0, .reader = "r", .private_response = true, .cmd = cmd,
		.cmd_len = sizeof(cmd), .resp = resp, .resp_len = sizeof(resp),
	};
	char *line = format(&ev);
	struct tm_trace_rec *pr = malloc(sizeof(*pr));

	assert_non_null(strstr(line, " r p 00B10002045402000000 *6:9000\n"));
	assert_null(strstr(line, "534543524554"));
	assert_int_equal(tm_trace_parse(line, strlen(line), pr), TM_OK);
	assert_true(pr->private_response);
	assert_false(pr->sensitive);
	assert_int_equal(pr->resp_hidden, 6);
	assert_int_equal(pr->resp_len, 2);
	assert_int_equal(pr->resp[0], 0x90);
	OPENSSL_free(line);
	/* A secret command with a private answer: both flags. */
	ev.sensitive = true;
	ev.cmd = upd;
	ev.cmd_len = sizeof(upd);
	line = format(&ev);
	assert_non_null(strstr(line, " r sp 00D70002*4 *6:9000\n"));
	assert_int_equal(tm_trace_parse(line, strlen(line), pr), TM_OK);
	assert_true(pr->sensitive && pr->private_response);
	OPENSSL_free(line);
	/* What is not that form is refused. */
	const char *bad[] = {
		"TM1 0 2026-11-21T03:23:00.123456Z 1 r p 00B1000200 9000\n",
		"TM1 0 2026-11-21T03:23:00.123456Z 1 r p 00B1000200 *6:90\n",
		"TM1 0 2026-11-21T03:23:00.123456Z 1 r p 00B1000200 -\n",
		"TM1 0 2026-11-21T03:23:00.123456Z 1 r ps 00B1000200 *6:9000\n",
		"TM1 0 2026-11-21T03:23:00.123456Z 1 r - 00B1000200 *6:9000\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tm_trace_parse(bad[i], strlen(bad[i]), pr), TM_ERR_MALFORMED);
	free(pr);
}

static void test_round_trip(void **state)
{
	(void)state;
	static uint8_t cmd[4 + 3 + 65535 + 2];
	static uint8_t resp[65538];
	const char *readers[] = {"Virtual PCD 00 01", "-", "a-b%c", "Ридер 1"};

	cmd[0] = 0x00;
	cmd[1] = 0xB1;
	for (size_t i = 2; i < sizeof(cmd); i++)
		cmd[i] = (uint8_t)i;
	cmd[4] = 0x00; /* extended: 00 FFFF data Le */
	cmd[5] = 0xFF;
	cmd[6] = 0xFF;
	for (size_t i = 0; i < sizeof(resp); i++)
		resp[i] = (uint8_t)(i * 3);
	for (size_t r = 0; r < sizeof(readers) / sizeof(readers[0]); r++) {
		struct tm_trace_event ev = {
			.seq = UINT64_MAX, .time_us = T0 + (int64_t)r,
			.duration_us = UINT32_MAX, .reader = readers[r],
			.cmd = cmd, .cmd_len = sizeof(cmd), .resp = resp,
			.resp_len = sizeof(resp),
		};
		size_t len;
		char *line = tm_trace_format(&ev, &len);

		assert_non_null(line);
		assert_int_equal(strlen(line), len);
		assert_int_equal(tm_trace_parse(line, len, rec), TM_OK);
		assert_true(rec->seq == UINT64_MAX);
		assert_true(rec->time_us == T0 + (int64_t)r);
		assert_true(rec->duration_us == UINT32_MAX);
		assert_string_equal(rec->reader, readers[r]);
		assert_false(rec->sensitive);
		assert_int_equal(rec->cmd_len, sizeof(cmd));
		assert_memory_equal(rec->cmd, cmd, sizeof(cmd));
		assert_true(rec->has_resp);
		assert_int_equal(rec->resp_len, sizeof(resp));
		assert_memory_equal(rec->resp, resp, sizeof(resp));
		OPENSSL_free(line);
	}
}

static void test_parse_secret_and_failure(void **state)
{
	(void)state;
	const char *line = "TM1 2 2026-11-21T03:23:00.000001Z 5 - s 00200081*8 -\r\n";

	assert_int_equal(tm_trace_parse(line, strlen(line), rec), TM_OK);
	assert_true(rec->sensitive);
	assert_int_equal(rec->cmd_len, 4);
	assert_int_equal(rec->hidden_len, 8);
	assert_false(rec->has_resp);
	assert_string_equal(rec->reader, "");
}

static void expect_rc(const char *line, int rc)
{
	int got = tm_trace_parse(line, strlen(line), rec);
	if (got != rc)
		fail_msg("%s for \"%s\", want %s", tm_rc_name(got), line, tm_rc_name(rc));
}

static void test_parse_errors(void **state)
{
	(void)state;
	/* Not trace lines: readers skip them. */
	expect_rc("", TM_ERR_NOT_FOUND);
	expect_rc("# comment", TM_ERR_NOT_FOUND);
	expect_rc("TM2 0 2026-11-21T03:23:00.000000Z 1 - - 00A40400 9000", TM_ERR_NOT_FOUND);
	/* Trace lines that break the format. */
	const char *bad[] = {
		"TM1 ",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A40400",      /* 7 fields */
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A40400 9000 x", /* 9 */
		"TM1 0  2026-11-21T03:23:00.000000Z 1 - - 00A40400 9000", /* 2 spaces */
		"TM1 -1 2026-11-21T03:23:00.000000Z 1 - - 00A40400 9000",
		"TM1 18446744073709551616 2026-11-21T03:23:00.000000Z 1 - - 00A40400 9000",
		"TM1 0 2026-13-21T03:23:00.000000Z 1 - - 00A40400 9000",
		"TM1 0 2026-11-21 03:23:00.000000Z 1 - - 00A40400 9000",
		"TM1 0 2026-02-31T03:23:00.000000Z 1 - - 00A40400 9000",
		"TM1 0 2026-11-21T23:59:60.000000Z 1 - - 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000 1 - - 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 4294967296 - - 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 a%00b - 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 a%4 - 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 a/b - 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - x 00A40400 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A4040 9000",    /* odd hex */
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A404 9000",     /* < 4 bytes */
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A4040G 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A40400 90",     /* no SW */
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 00A40400*2 9000", /* * not secret */
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - s 0020008*8 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - s 00200081*x 9000",
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - s 00200081*65536 9000",
		/* A PIN written in the clear is refused, not passed on. */
		"TM1 0 2026-11-21T03:23:00.000000Z 1 - - 002000810431323334 9000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_rc(bad[i], TM_ERR_MALFORMED);
	/* An embedded NUL inside the given length. */
	const char nul[] = "TM1 0 2026-11-21T03:23:00.000000Z 1 -\0- 00A40400 9000";
	assert_int_equal(tm_trace_parse(nul, sizeof(nul) - 1, rec), TM_ERR_MALFORMED);
}

static void test_format_bad_arguments(void **state)
{
	(void)state;
	const uint8_t cmd[] = {0x00, 0xA4, 0x04};
	char reader[TM_TRACE_MAX_READER + 2];
	struct tm_trace_event ev = {.time_us = T0, .cmd = cmd, .cmd_len = 3};

	assert_null(tm_trace_format(&ev, NULL)); /* shorter than a header */
	assert_null(tm_trace_format(NULL, NULL));
	memset(reader, 'r', sizeof(reader) - 1);
	reader[sizeof(reader) - 1] = '\0';
	ev.cmd_len = 4;
	ev.reader = reader;
	assert_null(tm_trace_format(&ev, NULL)); /* reader too long */
	assert_int_equal(tm_trace_write(NULL, &ev), TM_ERR_ARGS);
}

static void test_write_one_line(void **state)
{
	(void)state;
	const uint8_t cmd[] = {0x00, 0x84, 0x00, 0x00, 0x08};
	const uint8_t resp[] = {1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00};
	struct tm_trace_event ev = {.time_us = T0, .cmd = cmd, .cmd_len = 5,
				    .resp = resp, .resp_len = sizeof(resp)};
	char got[256];
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(tm_trace_write(f, &ev), TM_OK);
	ev.seq = 1;
	assert_int_equal(tm_trace_write(f, &ev), TM_OK);
	rewind(f);
	assert_non_null(fgets(got, sizeof(got), f));
	assert_int_equal(tm_trace_parse(got, strlen(got), rec), TM_OK);
	assert_int_equal(rec->resp_len, sizeof(resp));
	assert_non_null(fgets(got, sizeof(got), f));
	assert_int_equal(tm_trace_parse(got, strlen(got), rec), TM_OK);
	assert_int_equal(rec->seq, 1);
	assert_null(fgets(got, sizeof(got), f));
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_line),
		cmocka_unit_test(test_verify_always_redacted),
		cmocka_unit_test(test_marked_sensitive),
		cmocka_unit_test(test_private_response),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_secret_and_failure),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format_bad_arguments),
		cmocka_unit_test(test_write_one_line),
	};
	return cmocka_run_group_tests_name("trace", tests, setup, teardown);
}
