/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's faults: what each form arms, which commands it
 * matches, when it fires and stops, and that the replies and the list
 * say exactly that. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emulator/faults.h"

static struct tm_faults f;
static char reply[4096];

static const char *cmd(const char *line)
{
	assert_true(tm_faults_command(&f, line, reply, sizeof(reply)));
	return reply;
}

static struct tm_fault_hit apdu(uint8_t ins, uint16_t p1p2)
{
	uint8_t a[5] = {0x00, ins, (uint8_t)(p1p2 >> 8), (uint8_t)p1p2, 0x00};
	return tm_faults_apply(&f, a, sizeof(a));
}

static int setup(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	tm_faults_clear(&f);
	return 0;
}

static void test_legacy_sw_once(void **state)
{
	(void)state;
	assert_string_equal(cmd("fault sw B1 6F00 1"),
			    "ok fault 1 armed: answers 6F00 to INS B1, from the next one, once");
	assert_int_equal(apdu(0xA4, 0).sw, 0);
	assert_int_equal(apdu(0xB1, 0).sw, 0x6F00);
	assert_int_equal(apdu(0xB1, 0).sw, 0);
	assert_string_equal(cmd("fault list"), "ok no faults armed");
}

static void test_sw_every_time_until_cleared(void **state)
{
	(void)state;
	assert_string_equal(cmd("fault sw 20 6983"),
			    "ok fault 1 armed: answers 6983 to INS 20, from the next one, every time");
	for (int i = 0; i < 5; i++)
		assert_int_equal(apdu(0x20, 0x0081).sw, 0x6983);
	assert_string_equal(cmd("fault clear 1"), "ok fault 1 cleared");
	assert_int_equal(apdu(0x20, 0x0081).sw, 0);
	assert_string_equal(cmd("fault clear 1"),
			    "error: no fault 1 is armed (fault list shows them)");
}

static void test_p1p2_and_nth(void **state)
{
	(void)state;
	assert_string_equal(cmd("fault sw 2A 6F00 p1p2=9E9A nth=3"),
			    "ok fault 1 armed: answers 6F00 to INS 2A P1P2 9E9A, from the 3rd such "
			    "command from now, every time");
	assert_int_equal(apdu(0x2A, 0x8086).sw, 0); /* another P1P2: not counted */
	assert_int_equal(apdu(0x2A, 0x9E9A).sw, 0); /* 1st */
	assert_string_equal(cmd("fault list"),
			    "ok 1 fault armed\nfault 1: answers 6F00 to INS 2A P1P2 9E9A, from the "
			    "2nd such command from now, every time");
	assert_int_equal(apdu(0x2A, 0x9E9A).sw, 0);      /* 2nd */
	assert_int_equal(apdu(0x2A, 0x9E9A).sw, 0x6F00); /* 3rd */
	assert_int_equal(apdu(0x2A, 0x9E9A).sw, 0x6F00);
	assert_int_equal(apdu(0x2A, 0x8086).sw, 0);
}

static void test_any_ins_count_option(void **state)
{
	(void)state;
	assert_string_equal(cmd("fault sw * 6581 count=2 p1p2=0000"),
			    "ok fault 1 armed: answers 6581 to any INS P1P2 0000, from the next "
			    "one, 2 times");
	assert_int_equal(apdu(0xB0, 0x0100).sw, 0);
	assert_int_equal(apdu(0xB0, 0x0000).sw, 0x6581);
	assert_int_equal(apdu(0xCA, 0x0000).sw, 0x6581);
	assert_int_equal(apdu(0xCA, 0x0000).sw, 0);
}

static void test_legacy_tear(void **state)
{
	(void)state;
	assert_string_equal(cmd("fault tear 3"), "ok fault 1 armed: tears power during any "
						 "command, from the 4th such command from now, once");
	for (int i = 0; i < 3; i++)
		assert_false(apdu(0xB0, 0).tear);
	assert_true(apdu(0xB0, 0).tear);
	assert_false(apdu(0xB0, 0).tear);
	assert_int_equal(f.n, 0);
}

static void test_tear_wins_sw_waits(void **state)
{
	(void)state;
	cmd("fault sw D6 6581 1");
	cmd("fault tear ins=D6");
	struct tm_fault_hit h = apdu(0xD6, 0);
	assert_true(h.tear);
	assert_int_equal(h.sw, 0);
	/* The card never answered: the status-word fault keeps its turn. */
	h = apdu(0xD6, 0);
	assert_false(h.tear);
	assert_int_equal(h.sw, 0x6581);
	assert_int_equal(f.n, 0);
}

static void test_oldest_sw_answers(void **state)
{
	(void)state;
	cmd("fault sw 84 6F00 1");
	cmd("fault sw * 6A82 1");
	assert_int_equal(apdu(0x84, 0).sw, 0x6F00);
	assert_int_equal(apdu(0x84, 0).sw, 0x6A82);
	assert_int_equal(apdu(0x84, 0).sw, 0);
}

static void test_delays_add_up_and_scope(void **state)
{
	(void)state;
	assert_string_equal(cmd("fault delay 30"),
			    "ok fault 1 armed: adds 30 ms to any command, from the next one, every "
			    "time");
	cmd("fault delay 100 ins=2A count=1");
	assert_int_equal(apdu(0xB0, 0).delay_ms, 30);
	assert_int_equal(apdu(0x2A, 0).delay_ms, 130);
	assert_int_equal(apdu(0x2A, 0).delay_ms, 30);
	assert_string_equal(cmd("fault clear"), "ok 1 fault cleared");
	assert_int_equal(apdu(0x2A, 0).delay_ms, 0);
}

static void test_ids_run_on_and_json(void **state)
{
	(void)state;
	cmd("fault sw 2A 6F00 1");
	cmd("fault clear");
	assert_string_equal(cmd("fault tear 0 count=forever ins=A4 p1p2=040C"),
			    "ok fault 2 armed: tears power during INS A4 P1P2 040C, from the next "
			    "one, every time");
	cmd("fault delay 5");
	char json[1024];
	tm_faults_json(&f, json, sizeof(json));
	assert_string_equal(json, "[{\"id\":2,\"kind\":\"tear\",\"ins\":\"A4\",\"p1p2\":\"040C\","
				  "\"skip\":0,\"count\":null},{\"id\":3,\"kind\":\"delay\",\"ins\":"
				  "null,\"p1p2\":null,\"delay_ms\":5,\"skip\":0,\"count\":null}]");
}

static void test_short_apdu_matches_only_unfiltered(void **state)
{
	(void)state;
	const uint8_t two[2] = {0x00, 0x2A};
	cmd("fault sw 2A 6F00");
	cmd("fault delay 7");
	struct tm_fault_hit h = tm_faults_apply(&f, two, sizeof(two));
	assert_int_equal(h.sw, 0);
	assert_int_equal(h.delay_ms, 7);
}

static void test_refusals_leave_state_alone(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"fault",
		"fault sw zz 6F00",
		"fault sw 2A",
		"fault sw 2A 7000",     /* not a status word a card sends */
		"fault sw 2A 6F0",      /* not four digits */
		"fault sw 2A 6F00 0",   /* a count of none */
		"fault sw 2A 6F00 -1",
		"fault sw 2A 6F00 ins=84", /* INS twice */
		"fault sw 2A 6F00 p1p2=12345",
		"fault sw 2A 6F00 nth=0",
		"fault sw 2A 6F00 bogus=1",
		"fault delay",
		"fault delay 0",
		"fault delay 60001",
		"fault tear -1",
		"fault tear 2 nth=3", /* the start twice */
		"fault clear x",
		"fault list now",
		"fault frobnicate",
	};
	cmd("fault sw 84 6F00 1");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmd(bad[i]);
		if (strncmp(reply, "error: ", 7) != 0)
			fail_msg("\"%s\" was taken: %s", bad[i], reply);
	}
	assert_int_equal(f.n, 1);
	assert_false(tm_faults_command(&f, "status", reply, sizeof(reply)));
	assert_false(tm_faults_command(&f, "faults", reply, sizeof(reply)));
}

static void test_full_table_refused(void **state)
{
	(void)state;
	for (int i = 0; i < TM_FAULTS_MAX; i++)
		assert_memory_equal(cmd("fault delay 1"), "ok ", 3);
	assert_string_equal(cmd("fault delay 1"),
			    "error: 16 faults are armed already; fault clear [ID] first");
	/* A small reply buffer truncates, never overruns. */
	char small[16];
	assert_true(tm_faults_command(&f, "fault list", small, sizeof(small)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_legacy_sw_once, setup),
		cmocka_unit_test_setup(test_sw_every_time_until_cleared, setup),
		cmocka_unit_test_setup(test_p1p2_and_nth, setup),
		cmocka_unit_test_setup(test_any_ins_count_option, setup),
		cmocka_unit_test_setup(test_legacy_tear, setup),
		cmocka_unit_test_setup(test_tear_wins_sw_waits, setup),
		cmocka_unit_test_setup(test_oldest_sw_answers, setup),
		cmocka_unit_test_setup(test_delays_add_up_and_scope, setup),
		cmocka_unit_test_setup(test_ids_run_on_and_json, setup),
		cmocka_unit_test_setup(test_short_apdu_matches_only_unfiltered, setup),
		cmocka_unit_test_setup(test_refusals_leave_state_alone, setup),
		cmocka_unit_test_setup(test_full_table_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
