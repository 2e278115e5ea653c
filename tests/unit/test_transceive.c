/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transceive engine: one test for every branch of the flow sketch in
 * apdu/transceive.h, over the scripted transport. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/transceive.h"
#include "tests/support/script.h"

static struct tm_script script;
static struct tm_channel *ch;
static uint8_t data[70000];
static uint8_t rbuf[70000];
static struct tm_response resp;

static void start(const struct tm_script_step *steps, size_t n, bool extended)
{
	struct tm_transport t;

	tm_script_init(&script, steps, n);
	t = tm_script_transport(&script);
	ch = tm_channel_new(&t, extended);
	assert_non_null(ch);
	resp = (struct tm_response){.data = rbuf, .cap = sizeof(rbuf)};
}

static int teardown(void **state)
{
	(void)state;
	tm_channel_free(ch);
	ch = NULL;
	return 0;
}

/* prefix || hex(data[off..off+n]) || suffix, into a fresh string. */
static char *hexcat(const char *prefix, size_t off, size_t n, const char *suffix)
{
	static char pool[8][140000];
	static int next;
	char *s = pool[next++ % 8];
	size_t len = (size_t)snprintf(s, sizeof(pool[0]), "%s", prefix);

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, sizeof(pool[0]) - len, "%02X",
					data[off + i]);
	snprintf(s + len, sizeof(pool[0]) - len, "%s", suffix);
	return s;
}

static void fill(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
}

static void test_case1(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {TM_STEP("0020FF81", "9000")};
	struct tm_apdu cmd = {.ins = 0x20, .p1 = 0xFF, .p2 = 0x81};

	start(TM_SCRIPT_STEPS(steps), true);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x9000);
	assert_int_equal(resp.len, 0);
	assert_int_equal(ch->exchanges, 1);
	assert_script_done(&script);
}

static void test_error_sw_passes_through(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {TM_STEP("00CA00E100", "6A88")};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x6A88);
	assert_script_done(&script);
}

static void test_extended_card_one_apdu(void **state)
{
	(void)state;
	fill();
	const struct tm_script_step steps[] = {
		TM_STEP(hexcat("002A80AC00012C", 0, 300, "0000"), "AABB9000")};
	struct tm_apdu cmd = {.ins = 0x2A, .p1 = 0x80, .p2 = 0xAC, .data = data,
			      .nc = 300, .ne = 65536};

	start(TM_SCRIPT_STEPS(steps), true);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x9000);
	assert_int_equal(resp.len, 2);
	assert_script_done(&script);
}

static void test_chaining_on_short_card(void **state)
{
	(void)state;
	fill();
	/* 600 bytes: 255 + 255 with CLA 10, then 90 with Le. */
	const struct tm_script_step steps[] = {
		TM_STEP(hexcat("102A80ACFF", 0, 255, ""), "9000"),
		TM_STEP(hexcat("102A80ACFF", 255, 255, ""), "9000"),
		TM_STEP(hexcat("002A80AC5A", 510, 90, "00"), "01029000"),
	};
	struct tm_apdu cmd = {.ins = 0x2A, .p1 = 0x80, .p2 = 0xAC, .data = data,
			      .nc = 600, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x9000);
	assert_int_equal(resp.len, 2);
	assert_int_equal(ch->exchanges, 3);
	assert_script_done(&script);
}

static void test_chain_ended_by_card(void **state)
{
	(void)state;
	fill();
	const struct tm_script_step steps[] = {
		TM_STEP(hexcat("102A80ACFF", 0, 255, ""), "6A80"),
	};
	struct tm_apdu cmd = {.ins = 0x2A, .p1 = 0x80, .p2 = 0xAC, .data = data,
			      .nc = 600, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x6A80);
	assert_script_done(&script);
}

static void test_chain_transport_failure(void **state)
{
	(void)state;
	fill();
	const struct tm_script_step steps[] = {
		TM_STEP(hexcat("102A80ACFF", 0, 255, ""), "9000"),
		TM_STEP_FAIL(hexcat("002A80AC2D", 255, 45, "00"), TM_ERR_CARD_REMOVED),
	};
	struct tm_apdu cmd = {.ins = 0x2A, .p1 = 0x80, .p2 = 0xAC, .data = data,
			      .nc = 300, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_CARD_REMOVED);
	assert_script_done(&script);
}

static void test_get_response_rounds(void **state)
{
	(void)state;
	fill();
	/* 256 + 256 + 16 bytes over two GET RESPONSEs. */
	const struct tm_script_step steps[] = {
		TM_STEP("00CA00E100", hexcat("", 0, 256, "6100")),
		TM_STEP("00C0000000", hexcat("", 256, 256, "6110")),
		TM_STEP("00C0000010", hexcat("", 512, 16, "9000")),
	};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x9000);
	assert_int_equal(resp.len, 528);
	assert_memory_equal(resp.data, data, 528);
	assert_script_done(&script);
}

static void test_large_ne_on_short_card(void **state)
{
	(void)state;
	fill();
	/* Ne 65536 cannot be said in short form: Le 00, the rest by 61xx. */
	const struct tm_script_step steps[] = {
		TM_STEP("00B10001 03 540200 00", hexcat("", 0, 256, "6104")),
		TM_STEP("00C0000004", hexcat("", 256, 4, "9000")),
	};
	const uint8_t offset[] = {0x54, 0x02, 0x00};
	struct tm_apdu cmd = {.ins = 0xB1, .p2 = 0x01, .data = offset, .nc = 3,
			      .ne = 65536};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.len, 260);
	assert_script_done(&script);
}

/* Found by the integration tests under clang's UBSan: a case 2 command
 * with Ne > 256 on a short-only card offset a null data pointer. */
static void test_large_ne_without_data_on_short_card(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("00CA00E100", "0102039000"),
	};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 65536};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.len, 3);
	assert_script_done(&script);
}

static void test_get_response_keeps_channel(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("01CA00E100", "AA6101"),
		TM_STEP("01C0000001", "BB9000"),
		TM_STEP("8050000000", "AA6101"),
		TM_STEP("00C0000001", "BB9000"),
	};
	struct tm_apdu cmd = {.cla = 0x01, .ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.len, 2);
	/* A proprietary class: GET RESPONSE is interindustry, class 00. */
	cmd = (struct tm_apdu){.cla = 0x80, .ins = 0x50, .ne = 256};
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.len, 2);
	assert_script_done(&script);
}

static void test_wrong_le_resent_once(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("0084000000", "6C08"),
		TM_STEP("0084000008", "01020304050607089000"),
	};
	struct tm_apdu cmd = {.ins = 0x84, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x9000);
	assert_int_equal(resp.len, 8);
	assert_script_done(&script);
}

static void test_wrong_le_twice_is_returned(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("0084000000", "6C08"),
		TM_STEP("0084000008", "6C04"),
	};
	struct tm_apdu cmd = {.ins = 0x84, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.sw, 0x6C04);
	assert_script_done(&script);
}

static void test_wrong_le_on_get_response(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("00CA00E100", "AA6100"),
		TM_STEP("00C0000000", "6C02"),
		TM_STEP("00C0000002", "BBCC9000"),
	};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(resp.len, 3);
	assert_memory_equal(resp.data, "\xAA\xBB\xCC", 3);
	assert_script_done(&script);
}

static void test_response_cap(void **state)
{
	(void)state;
	fill();
	const struct tm_script_step steps[] = {
		TM_STEP("00CA00E100", hexcat("", 0, 80, "6150")),
		TM_STEP("00C0000050", hexcat("", 80, 80, "9000")),
	};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	ch->max_response = 100;
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_RESPONSE_TOO_LONG);
	assert_int_equal(resp.len, 0);
	assert_script_done(&script);
}

static void test_caller_buffer_cap(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {TM_STEP("00CA00E100", "0102039000")};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), true);
	resp.cap = 2;
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_RESPONSE_TOO_LONG);
	assert_script_done(&script);
}

static void test_empty_61xx_loop_is_refused(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("00CA00E100", "6110"),      /* no data yet: allowed (T=0 style) */
		TM_STEP("00C0000010", "6110"),      /* again nothing: would loop */
	};
	struct tm_apdu cmd = {.ins = 0xCA, .p2 = 0xE1, .ne = 256};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_PROTOCOL);
	assert_script_done(&script);
}

static void test_short_response_is_protocol_error(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {TM_STEP("00840000 08", "90")};
	struct tm_apdu cmd = {.ins = 0x84, .ne = 8};

	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_PROTOCOL);
	assert_script_done(&script);
}

struct seen {
	int calls;
	bool sensitive;
	int last_rc;
	uint64_t duration;
};

static void on_exchange(void *ctx, const struct tm_apdu *cmd,
			const uint8_t *raw, size_t raw_len, const uint8_t *r,
			size_t r_len, uint64_t duration_us, int rc)
{
	struct seen *s = ctx;

	(void)raw;
	(void)raw_len;
	(void)r;
	(void)r_len;
	s->calls++;
	s->sensitive = cmd->sensitive;
	s->last_rc = rc;
	s->duration = duration_us;
}

static void test_exchange_hook(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {
		TM_STEP("0020008104 31323334", "9000"),
		TM_STEP_FAIL("0020008100", TM_ERR_TRANSPORT),
	};
	const uint8_t pin[] = "1234";
	struct tm_apdu cmd = {.ins = 0x20, .p2 = 0x81, .data = pin, .nc = 4,
			      .sensitive = true};
	struct seen s = {0};

	start(TM_SCRIPT_STEPS(steps), false);
	ch->on_exchange = on_exchange;
	ch->on_exchange_ctx = &s;
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_OK);
	assert_int_equal(s.calls, 1);
	assert_true(s.sensitive);
	assert_int_equal(s.last_rc, TM_OK);
	cmd.nc = 0;
	cmd.p2 = 0x81;
	cmd.data = NULL;
	cmd.ne = 256;
	cmd.sensitive = false;
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_TRANSPORT);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.last_rc, TM_ERR_TRANSPORT);
	assert_script_done(&script);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {TM_STEP("00", "9000")};
	struct tm_apdu cmd = {.ins = 0xCA, .nc = 3}; /* data missing */

	start(steps, 0, false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_ARGS);
	assert_int_equal(tm_transceive(NULL, &cmd, &resp), TM_ERR_ARGS);
	assert_int_equal(tm_transceive(ch, NULL, &resp), TM_ERR_ARGS);
	cmd.nc = 0;
	cmd.ne = TM_APDU_MAX_NE + 1;
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_ARGS);
	assert_null(tm_channel_new(NULL, false));
	assert_int_equal(ch->exchanges, 0);
	assert_script_done(&script);
}

static void test_script_detects_difference(void **state)
{
	(void)state;
	const struct tm_script_step steps[] = {TM_STEP("00A4040000", "9000")};
	struct tm_apdu cmd = {.ins = 0xA4, .p1 = 0x04, .ne = 255};

	/* The test transport itself must catch a wrong command. */
	start(TM_SCRIPT_STEPS(steps), false);
	assert_int_equal(tm_transceive(ch, &cmd, &resp), TM_ERR_TRANSPORT);
	assert_non_null(tm_script_check(&script));
	assert_non_null(strstr(tm_script_check(&script), "00A40400FF"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_case1, teardown),
		cmocka_unit_test_teardown(test_error_sw_passes_through, teardown),
		cmocka_unit_test_teardown(test_extended_card_one_apdu, teardown),
		cmocka_unit_test_teardown(test_chaining_on_short_card, teardown),
		cmocka_unit_test_teardown(test_chain_ended_by_card, teardown),
		cmocka_unit_test_teardown(test_chain_transport_failure, teardown),
		cmocka_unit_test_teardown(test_get_response_rounds, teardown),
		cmocka_unit_test_teardown(test_large_ne_on_short_card, teardown),
		cmocka_unit_test_teardown(test_large_ne_without_data_on_short_card, teardown),
		cmocka_unit_test_teardown(test_get_response_keeps_channel, teardown),
		cmocka_unit_test_teardown(test_wrong_le_resent_once, teardown),
		cmocka_unit_test_teardown(test_wrong_le_twice_is_returned, teardown),
		cmocka_unit_test_teardown(test_wrong_le_on_get_response, teardown),
		cmocka_unit_test_teardown(test_response_cap, teardown),
		cmocka_unit_test_teardown(test_caller_buffer_cap, teardown),
		cmocka_unit_test_teardown(test_empty_61xx_loop_is_refused, teardown),
		cmocka_unit_test_teardown(test_short_response_is_protocol_error, teardown),
		cmocka_unit_test_teardown(test_exchange_hook, teardown),
		cmocka_unit_test_teardown(test_bad_arguments, teardown),
		cmocka_unit_test_teardown(test_script_detects_difference, teardown),
	};
	return cmocka_run_group_tests_name("transceive", tests, NULL, NULL);
}
