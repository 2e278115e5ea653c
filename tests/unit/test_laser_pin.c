/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER applet's PINs (jacarta-laser.md §5): plain and secure
 * VERIFY, status, tries and blocking, LOGOUT, RESET RETRY COUNTER, the
 * logical-expression KOs in ACLs, and a torn VERIFY that spends its try. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apdu/laser.h"
#include "emulator/laser_image.h"
#include "tests/support/laser_emu.h"

LEMU_FIXTURE

static unsigned tries(uint8_t ref)
{
	char path[16];
	snprintf(path, sizeof(path), "3F0000%02X", ref);
	assert_int_equal(lemu_select(e, path), 0x9000);
	/* 85 is the fourth TLV of a KO's FCP: 83, 80, 87, 85. */
	const uint8_t *p = lemu_data(e) + 2 + 4 + 4 + 3;
	assert_int_equal(p[0], 0x85);
	return p[2 + TM_LASER_PIN_PROP_TRIES] >> 4;
}

static void test_plain_verify(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_non_null(e);
	/* Status of the selected PIN: 63CA, nothing spent. */
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x63CA);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "0000000000"), 0x63C9);
	assert_int_equal(tries(TM_LASER_PIN_USER), 9);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(tries(TM_LASER_PIN_USER), 10);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x9000);
	/* The PIN by reference in P2, and no PIN selected at all. */
	assert_int_equal(lemu_cmd(e, "00200020"), 0x9000);
	assert_int_equal(lemu_select(e, "3F003000"), 0x9000);
	assert_int_equal(lemu_text(e, "00200000", "1234567890"), 0x6A88);
	/* The transport PINs are verified plain (§5). */
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_TRANSPORT1, "1234"), 0x9000);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_TRANSPORT2, "LASER+"), 0x9000);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_SO, "00000000"), 0x9000);
}

static void test_secure_verify(void **state)
{
	static const uint8_t host[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	uint8_t cmd[5 + 16] = {0x80, 0x20, 0x00, 0x00, 0x10};

	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_secure_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x9000);
	assert_int_equal(lemu_secure_verify(e, TM_LASER_PIN_USER, "123456789"), 0x63C9);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x63C9); /* no longer verified */
	/* A cryptogram is good for one challenge only. */
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "0084000008"), 0x9000);
	uint8_t chal[8];
	memcpy(chal, lemu_data(e), 8);
	lemu_cryptogram("1234567890", host, chal, cmd + 5);
	assert_int_equal(lemu_raw(e, cmd, sizeof(cmd)), 0x9000);
	assert_int_equal(lemu_raw(e, cmd, sizeof(cmd)), 0x6985);
	/* A challenge of another length is no VERIFY challenge. */
	assert_int_equal(lemu_cmd(e, "0084000010"), 0x9000);
	assert_int_equal(lemu_raw(e, cmd, sizeof(cmd)), 0x6985);
	/* Transport PINs have no secure VERIFY (their KO says so). */
	assert_int_equal(lemu_secure_verify(e, TM_LASER_PIN_TRANSPORT1, "1234"), 0x6985);
	assert_int_equal(lemu_cmd(e, "8020000008 0102030405060708"), 0x6700);
}

static void test_block_and_reset(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	for (int i = 9; i >= 1; i--)
		assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "9999"), 0x63C0 | i);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "9999"), 0x63C0);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x6983);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x6983);
	/* RESET RC of the selected PIN needs the SO PIN (its PIN-RESET ACL). */
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "802C0000"), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_SO, "00000000"), 0x9000);
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "802C0000"), 0x9000);
	assert_int_equal(tries(TM_LASER_PIN_USER), 10);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	/* The SO PIN itself cannot be reset (00FF). */
	assert_int_equal(lemu_select(e, "3F000010"), 0x9000);
	assert_int_equal(lemu_cmd(e, "802C0000"), 0x6982);
}

static void test_logout_and_expressions(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	/* UserHist B000 is readable with ref 30: SO or user. */
	assert_int_equal(lemu_select(e, "3F003000B000"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00B0000010"), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F003000B000"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00B0000010"), 0x9000);
	/* LOGOUT of the user PIN: 4 bytes per PIN. */
	assert_int_equal(lemu_cmd(e, "8028000004 00000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00B0000010"), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_SO, "00000000"), 0x9000);
	assert_int_equal(lemu_select(e, "3F003000B000"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00B0000010"), 0x9000);
	assert_int_equal(lemu_cmd(e, "8028000003 000010"), 0x6700);
	/* cardcf's WRITE is ref 32: SO, user or transport PIN 2. */
	assert_int_equal(lemu_cmd(e, "8028000008 0000001000000020"), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030034001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6000001 02"), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_TRANSPORT2, "LASER+"), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030034001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6000001 02"), 0x9000);
	/* Selecting the application again (another process binding the
	 * token) keeps them; a reset forgets every PIN. */
	assert_int_equal(lemu_cmd(e, "00A4040C0CA0000001644C41534552000100"), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030034001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6000001 02"), 0x9000);
	/* A reset forgets every PIN. */
	tm_laser_applet_reset(&e->applet);
	assert_int_equal(lemu_cmd(e, "00A4040C0CA0000001644C41534552000100"), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030034001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6000001 03"), 0x6982);
}

static void test_pin_change_needs_sm(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	/* 80 24 with a PIN template, plain: refused (§10.7, docs/emulator.md). */
	assert_int_equal(lemu_cmd(e, "802400000A 6208810631323334353600"), 0x6982);
}

static void test_torn_verify(void **state)
{
	char path[] = "/tmp/tumar-laser-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	e = lemu_new(path);
	assert_non_null(e);
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	/* Power goes with the first write: the try is already spent. */
	e->applet.card->tear_on_save = true;
	assert_int_equal(lemu_text(e, "00200000", "1234567890"), 0);
	assert_true(e->applet.torn);
	lemu_free(e);
	e = lemu_new(path);
	assert_non_null(e);
	assert_int_equal(tries(TM_LASER_PIN_USER), 9);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(tries(TM_LASER_PIN_USER), 10);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_plain_verify, lemu_teardown),
		cmocka_unit_test_teardown(test_secure_verify, lemu_teardown),
		cmocka_unit_test_teardown(test_block_and_reset, lemu_teardown),
		cmocka_unit_test_teardown(test_logout_and_expressions, lemu_teardown),
		cmocka_unit_test_teardown(test_pin_change_needs_sm, lemu_teardown),
		cmocka_unit_test_teardown(test_torn_verify, lemu_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
