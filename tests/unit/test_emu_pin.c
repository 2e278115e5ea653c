/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The applet's PIN paths: wrong, last try, blocked, unblock, change with
 * a bad new PIN, must-change, PIN set at issue. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/protocol.h"
#include "tests/support/emu.h"

EMU_FIXTURE

static uint16_t cmd_with(const char *header, const char *a, const char *b)
{
	char hex[200];
	size_t n = strlen(a) + strlen(b);
	int k = snprintf(hex, sizeof(hex), "%s%02zX", header, n);

	for (const char *s = a; *s; s++)
		k += snprintf(hex + k, sizeof(hex) - (size_t)k, "%02X", (unsigned char)*s);
	for (const char *s = b; *s; s++)
		k += snprintf(hex + k, sizeof(hex) - (size_t)k, "%02X", (unsigned char)*s);
	return emu_cmd(e, hex);
}

static uint16_t change_pin(uint8_t ref, const char *old, const char *new_pin)
{
	return cmd_with(ref == TM_PIN_USER ? "00240081" : "00240082", old, new_pin);
}

static void test_verify_paths(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	assert_non_null(e);
	/* Status without a try: 10 left, not verified. */
	assert_int_equal(emu_cmd(e, "00200081"), 0x63CA);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "00000000"), 0x63C9);
	assert_int_equal(emu_cmd(e, "00200081"), 0x63C9);
	/* A length outside 6..16 cannot be right: 6700, no try spent. */
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345"), 0x6700);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 9);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 10);
	assert_int_equal(emu_cmd(e, "00200081"), 0x9000);
	assert_true(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_VERIFIED);
	assert_true(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_FACTORY);
	/* Log out with P1=FF. */
	assert_int_equal(emu_cmd(e, "0020FF81"), 0x9000);
	assert_int_equal(emu_cmd(e, "00200081"), 0x63CA);
	/* A wrong try drops the verified state too. */
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "99999999"), 0x63C9);
	assert_int_equal(emu_cmd(e, "00200081"), 0x63C9);
	/* Unknown reference, wrong P1. */
	assert_int_equal(emu_cmd(e, "0020008304 31323334"), 0x6A88);
	assert_int_equal(emu_cmd(e, "0020018108 3132333435363738"), 0x6A86);
}

static void test_block_and_unblock(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	for (int i = 9; i >= 1; i--)
		assert_int_equal(emu_verify(e, TM_PIN_USER, "00000000"), 0x63C0 | i);
	/* The last try says 0 left; after it the PIN is blocked, right or not. */
	assert_int_equal(emu_verify(e, TM_PIN_USER, "00000000"), 0x63C0);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x6983);
	assert_int_equal(emu_cmd(e, "00200081"), 0x6983);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 0);
	/* A wrong SO PIN costs an SO try and changes nothing. */
	assert_int_equal(cmd_with("002C0081", "11111111", "24681357"), 0x63C9);
	assert_int_equal(emu_tries_left(e, TM_PIN_SO), 9);
	/* The right SO PIN with a new PIN that breaks the rules: 6A80, and
	 * the SO counter is restored. */
	assert_int_equal(cmd_with("002C0081", "87654321", "123"), 0x6A80);
	assert_int_equal(emu_tries_left(e, TM_PIN_SO), 10);
	assert_int_equal(emu_cmd(e, "00200081"), 0x6983);
	assert_int_equal(cmd_with("002C0081", "87654321", "24681357"), 0x9000);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 10);
	assert_false(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_FACTORY);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "24681357"), 0x9000);
}

static void test_reset_with_so_logged_in(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	/* P1=02 needs the SO PIN verified first. */
	assert_int_equal(cmd_with("002C0281", "", "13572468"), 0x6982);
	assert_int_equal(emu_verify(e, TM_PIN_SO, "87654321"), 0x9000);
	assert_int_equal(cmd_with("002C0281", "", "1357"), 0x6A80);
	assert_int_equal(cmd_with("002C0281", "", "13572468"), 0x9000);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "13572468"), 0x9000);
	/* The SO PIN cannot be reset this way. */
	assert_int_equal(cmd_with("002C0282", "", "13572468"), 0x6A86);
}

static void test_change_pin(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	/* Wrong current PIN: a try is spent. */
	assert_int_equal(change_pin(TM_PIN_USER, "00000000", "Secret99"), 0x63C9);
	/* New PIN too short: 6A80, counter restored, nothing changed. */
	assert_int_equal(change_pin(TM_PIN_USER, "12345678", "12"), 0x6A80);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 10);
	assert_true(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_FACTORY);
	/* No room for a new PIN at all: 6700 without a try. */
	assert_int_equal(change_pin(TM_PIN_USER, "1234567", ""), 0x6700);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 10);
	assert_int_equal(change_pin(TM_PIN_USER, "12345678", "Secret99"), 0x9000);
	int flags = emu_pin_flags(e, TM_PIN_USER);
	assert_false(flags & TM_PINF_FACTORY);
	assert_true(flags & TM_PINF_VERIFIED); /* a change also verifies */
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x63C9);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "Secret99"), 0x9000);
	/* The SO PIN changes the same way. */
	assert_int_equal(change_pin(TM_PIN_SO, "87654321", "Admin1234"), 0x9000);
	assert_false(emu_pin_flags(e, TM_PIN_SO) & TM_PINF_FACTORY);
}

static void test_charset_rules(void **state)
{
	(void)state;
	/* The ID card's PUK and PIN are digits only (an assumption). */
	e = emu_new("kz-idcard");
	/* PIN set at issue: none on a fresh card. */
	assert_int_equal(emu_cmd(e, "00200081"), 0x6984);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "123456"), 0x6984);
	assert_false(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_INITIALIZED);
	assert_int_equal(cmd_with("002C0081", "12345678", "12345a"), 0x6A80);
	assert_int_equal(cmd_with("002C0081", "12345678", "135790"), 0x9000);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "135790"), 0x9000);
	assert_int_equal(emu_tries_left(e, TM_PIN_USER), 3);
}

static void test_must_change_at_first_logon(void **state)
{
	(void)state;
	e = emu_new("etoken-pro-72k");
	assert_int_equal(emu_verify(e, TM_PIN_SO, "1234567890"), 0x9000);
	assert_int_equal(cmd_with("002C0281", "", "Qwerty12"), 0x9000);
	assert_true(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_MUST_CHANGE);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "Qwerty12"), 0x9000);
	/* Verified, but the PIN must be changed before anything else. */
	assert_int_equal(emu_cmd(e, "004600000F E20D C70101 C8020800 C50101 C40141"), 0x6985);
	assert_int_equal(change_pin(TM_PIN_USER, "Qwerty12", "Asdfgh34"), 0x9000);
	assert_false(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_MUST_CHANGE);
	assert_int_equal(emu_cmd(e, "00CA00E100"), 0x9000);
}

static void test_reset_clears_state(void **state)
{
	(void)state;
	e = emu_new("tumar-full");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	tm_applet_reset(&e->applet);
	/* After a reset the applet must be selected again. */
	assert_int_equal(emu_cmd(e, "00200081"), 0x6D00);
	assert_int_equal(emu_cmd(e, "00A4040007F054554D41520100"), 0x9000);
	assert_int_equal(emu_cmd(e, "00200081"), 0x63CA);
	/* Selecting the applet again (another process binding the card)
	 * keeps the PIN verified; a SELECT of an AID the card lacks changes
	 * nothing (7816-4 §7.1.1). */
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(emu_cmd(e, "00A4040007F054554D41520100"), 0x9000);
	assert_true(emu_pin_flags(e, TM_PIN_USER) & TM_PINF_VERIFIED);
	assert_int_equal(emu_cmd(e, "00200081"), 0x9000);
	assert_int_equal(emu_cmd(e, "00A4040009A0000003080000100000"), 0x6A82); /* PIV */
	assert_int_equal(emu_cmd(e, "00200081"), 0x9000);
	/* Another application's SELECT deselects the applet: logged out. */
	assert_int_equal(emu_cmd(e, "00A4040008A00000015100000000"), 0x9000);
	assert_int_equal(emu_cmd(e, "00200081"), 0x6D00);
	assert_int_equal(emu_cmd(e, "00A4040007F054554D41520100"), 0x9000);
	assert_int_equal(emu_cmd(e, "00200081"), 0x63CA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_verify_paths, emu_teardown),
		cmocka_unit_test_teardown(test_block_and_unblock, emu_teardown),
		cmocka_unit_test_teardown(test_reset_with_so_logged_in, emu_teardown),
		cmocka_unit_test_teardown(test_change_pin, emu_teardown),
		cmocka_unit_test_teardown(test_charset_rules, emu_teardown),
		cmocka_unit_test_teardown(test_must_change_at_first_logon, emu_teardown),
		cmocka_unit_test_teardown(test_reset_clears_state, emu_teardown),
	};
	return cmocka_run_group_tests_name("emu_pin", tests, NULL, NULL);
}
