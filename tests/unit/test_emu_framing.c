/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Framing as each model takes it: extended length or not, chaining,
 * 61xx and GET RESPONSE, class errors. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/protocol.h"
#include "tests/support/emu.h"

EMU_FIXTURE

static void test_no_extended_on_etoken(void **state)
{
	(void)state;
	e = emu_new("etoken-pro-72k");
	/* GET CHALLENGE with an extended Le: a Java Card 2.2.1 token cannot
	 * receive it. */
	assert_int_equal(emu_cmd(e, "00840000 000008"), 0x6700);
	assert_int_equal(emu_cmd(e, "0084000008"), 0x9000);
	assert_int_equal(emu_data_len(e), 8);
	emu_free(e);
	/* The Kaztoken takes it. */
	e = emu_new("kaztoken");
	assert_int_equal(emu_cmd(e, "00840000 000200"), 0x9000);
	assert_int_equal(emu_data_len(e), 512);
}

static void test_chaining(void **state)
{
	(void)state;
	e = emu_new("etoken-pro-72k");
	/* VERIFY split in two: 12345 then 67890. */
	assert_int_equal(emu_cmd(e, "1020008105 3132333435"), 0x9000);
	assert_int_equal(emu_cmd(e, "0020008105 3637383930"), 0x9000);
	assert_int_equal(emu_cmd(e, "00200081"), 0x9000);
	/* A chain interrupted by another command is abandoned. */
	assert_int_equal(emu_cmd(e, "1020008105 3132333435"), 0x9000);
	assert_int_equal(emu_cmd(e, "0084000004"), 0x9000);
	assert_int_equal(emu_cmd(e, "0020008106 363738393031"), 0x63CE);
	/* A chain longer than the model's command limit (1536 = 6 x 256). */
	char piece[600] = "10CA00E1FF";
	for (int i = 0; i < 255; i++)
		strcat(piece, "00");
	for (int i = 0; i < 6; i++)
		assert_int_equal(emu_cmd(e, piece), 0x9000);
	assert_int_equal(emu_cmd(e, piece), 0x6700);
	/* Chaining on a model without it would be 6884; all ship with it. */
}

static void test_get_response(void **state)
{
	(void)state;
	uint8_t out[8192];
	size_t n;

	e = emu_new("etoken-pro-72k");
	/* GET RESPONSE with nothing kept. */
	assert_int_equal(emu_cmd(e, "00C0000000"), 0x6985);
	/* The FCI is longer than its Le: the first part and 61xx. */
	emu_cmd(e, "00A4040007F054554D41520110");
	assert_true((e->sw & 0xFF00) == 0x6100);
	assert_int_equal(emu_data_len(e), 16);
	uint8_t first[16];
	memcpy(first, emu_data(e), 16);
	assert_int_equal(first[0], 0x6F);
	size_t total = 16;
	while ((e->sw & 0xFF00) == 0x6100) {
		char gr[16];
		unsigned le = e->sw & 0xFF;
		snprintf(gr, sizeof(gr), "00C00000%02X", le);
		emu_cmd(e, gr);
		total += emu_data_len(e);
	}
	assert_int_equal(e->sw, 0x9000);
	/* The FCI's own length says how long it is. */
	size_t fci_len = first[1] == 0x81 ? 3 + first[2] : 2 + first[1];
	assert_int_equal(total, fci_len);
	/* GET RESPONSE without Le, or as a chain piece, is refused rather
	 * than answered 61xx again; what is kept stays for a proper one. */
	emu_cmd(e, "00A4040007F054554D41520110");
	assert_true((e->sw & 0xFF00) == 0x6100);
	assert_int_equal(emu_cmd(e, "00C00000"), 0x6700);
	assert_int_equal(emu_cmd(e, "10C0000010"), 0x6884);
	uint16_t sw = (uint16_t)emu_cmd(e, "00C0000010");
	assert_true(sw == 0x9000 || (sw & 0xFF00) == 0x6100);
	assert_int_equal(emu_data_len(e), 16);
	/* A chain piece of an instruction the card has not: 6D00, no chain. */
	assert_int_equal(emu_cmd(e, "90C0000001AA"), 0x6D00);
	/* Any other command drops what was kept. */
	emu_cmd(e, "00A4040007F054554D41520110");
	assert_true((e->sw & 0xFF00) == 0x6100);
	assert_int_equal(emu_cmd(e, "0084000001"), 0x9000);
	assert_int_equal(emu_cmd(e, "00C0000000"), 0x6985);
	/* The engine does all of that for a driver. */
	struct tm_apdu sel = {.ins = TM_INS_SELECT, .p1 = 4, .data = (const uint8_t *)"\xF0TUMAR\x01",
			      .nc = 7, .ne = 65536};
	assert_int_equal(emu_transceive(e, &sel, out, sizeof(out), &n), 0x9000);
	assert_int_equal(n, fci_len);
}

static void test_class_and_instruction_errors(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	assert_int_equal(emu_cmd(e, "0C84000008"), 0x6882); /* secure messaging */
	assert_int_equal(emu_cmd(e, "0184000008"), 0x6881); /* channel 1 */
	assert_int_equal(emu_cmd(e, "8084000008"), 0x6E00); /* class 80 for ISO */
	assert_int_equal(emu_cmd(e, "A084000008"), 0x6E00);
	assert_int_equal(emu_cmd(e, "00FE000000"), 0x6D00); /* unknown INS */
	assert_int_equal(emu_cmd(e, "00A4"), 0x6700);       /* too short */
	assert_int_equal(emu_cmd(e, "00A4040003 01"), 0x6700); /* Lc lies */
	assert_int_equal(emu_cmd(e, "00CA00EE00"), 0x6A88); /* unknown GET DATA */
	assert_int_equal(emu_cmd(e, "00A4040003 A00000"), 0x6A82); /* another AID */
	/* A failed SELECT leaves the applet selected (7816-4 §7.1.1). */
	assert_int_equal(emu_cmd(e, "00CA00E000"), 0x9000);
	/* The card manager selected: it answers SELECT, and the applet's
	 * commands are unknown to it. */
	assert_int_equal(emu_cmd(e, "00A4040008 A000000151000000 00"), 0x9000);
	assert_int_equal(emu_data_len(e), 18);
	assert_int_equal(emu_cmd(e, "00CA00E000"), 0x6D00);
	assert_int_equal(emu_cmd(e, "0084000008"), 0x9000); /* the card's own GET CHALLENGE */
	/* A partial AID selects (7816-4 §11.2.2). */
	assert_int_equal(emu_cmd(e, "00A4040004 F054554D 00"), 0x9000);
	assert_int_equal(emu_cmd(e, "00A4040C07F054554D415201"), 0x9000); /* no FCI */
	assert_int_equal(emu_data_len(e), 0);
	assert_int_equal(emu_cmd(e, "0084000000"), 0x9000);
	assert_int_equal(emu_data_len(e), 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_no_extended_on_etoken, emu_teardown),
		cmocka_unit_test_teardown(test_chaining, emu_teardown),
		cmocka_unit_test_teardown(test_get_response, emu_teardown),
		cmocka_unit_test_teardown(test_class_and_instruction_errors, emu_teardown),
	};
	return cmocka_run_group_tests_name("emu_framing", tests, NULL, NULL);
}
