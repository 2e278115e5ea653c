/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER applet's selection and reading, as Aladdin's driver binds a
 * JaCarta (jacarta-laser.md §2-§4): SELECT modes and FCPs, GET
 * CAPABILITY lengths, LIST FILES, TokenInfo and the factory tree. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/laser.h"
#include "apdu/laser_attr.h"
#include "apdu/laser_fcp.h"
#include "apdu/rc.h"
#include "tests/support/laser_emu.h"

LEMU_FIXTURE

static struct tm_laser_fcp fcp(void)
{
	struct tm_laser_fcp f;
	assert_int_equal(tm_laser_fcp_decode(lemu_data(e), lemu_data_len(e), false, &f), TM_OK);
	return f;
}

static void test_before_select(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_non_null(e);
	tm_laser_applet_reset(&e->applet);
	/* Other drivers' probes, before the applet is chosen: 6A82 (§1). */
	assert_int_equal(lemu_cmd(e, "00A4040007A000000308000010"), 0x6A82);
	assert_int_equal(lemu_cmd(e, "00CADF3005"), 0x6A82);
	assert_int_equal(lemu_cmd(e, "00A4000C023F00"), 0x6A82);
	assert_int_equal(lemu_cmd(e, "80CB011400"), 0x6A82);
	/* The applet's SELECT: a bare 9000. */
	assert_int_equal(lemu_cmd(e, "00A4040C0CA0000001644C415345520001 00"), 0x9000);
	assert_int_equal(lemu_data_len(e), 0);
}

/* Another application (the card manager, docs/emulator.md) takes the
 * card: the LASER application forgets its verified PINs; the card
 * manager answers 6D00 until LASER is selected again. */
static void test_card_manager_deselects(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_non_null(e);
	assert_int_equal(lemu_verify(e, 0x20, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x9000); /* verified */
	assert_int_equal(lemu_cmd(e, "00A4040008A00000015100000000"), 0x9000);
	assert_true(lemu_data_len(e) > 2 && lemu_data(e)[0] == 0x6F);
	assert_int_equal(lemu_cmd(e, "00A4000C023F00"), 0x6A82);
	assert_int_equal(lemu_cmd(e, "80CB011400"), 0x6D00);
	assert_int_equal(lemu_cmd(e, "002A9E9A0401020304"), 0x6D00);
	assert_int_equal(lemu_cmd(e, "00A4040C0CA0000001644C415345520001 00"), 0x9000);
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00200000"), 0x63CA);
}

static void test_capabilities(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	/* The driver aborts its init unless these lengths are exact (§2). */
	assert_int_equal(lemu_cmd(e, "80CB011400"), 0x9000);
	assert_int_equal(lemu_data_len(e), TM_LASER_CAP_SERIAL_LEN);
	uint8_t serial[8];
	memcpy(serial, lemu_data(e), 8);
	assert_int_equal(lemu_cmd(e, "80CB011400"), 0x9000);
	assert_memory_equal(lemu_data(e), serial, 8); /* stable */
	assert_int_equal(lemu_cmd(e, "80CB018000"), 0x9000);
	assert_int_equal(lemu_data_len(e), TM_LASER_CAP_CRYPTO_LEN);
	assert_int_equal(lemu_cmd(e, "80CB018800"), 0x9000);
	assert_int_equal(lemu_data_len(e), TM_LASER_CAP_KEYS_LEN);
	assert_int_equal(lemu_cmd(e, "80CB999900"), 0x6A88);
	assert_int_equal(lemu_cmd(e, "00CB011400"), 0x6E00); /* class 80 only */
}

static void test_select_modes(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	/* By path from the MF: the FCP comes back although P2 is 0C. */
	assert_int_equal(lemu_select(e, "3F003000C000"), 0x9000);
	struct tm_laser_fcp f = fcp();
	assert_int_equal(f.fid, 0xC000);
	assert_int_equal(f.desc, TM_LASER_DESC_EF);
	assert_int_equal(f.size, TM_LASER_TOKEN_INFO_FILE_LEN);
	assert_int_equal(f.acl_len, 8);
	assert_int_equal(f.lcs, TM_LASER_LCS_ACTIVATED);
	assert_memory_equal(f.name, "TokenInfo", 9);
	/* The answer's length is one byte under 0x80 (§3). */
	assert_true(lemu_data(e)[1] < 0x80);
	assert_int_equal(lemu_data(e)[1] + 2, lemu_data_len(e));
	/* Missing: 6A82, which pkcs15init relies on. */
	assert_int_equal(lemu_select(e, "3F002F00"), 0x6A82);
	assert_int_equal(lemu_select(e, "30003001"), 0x6A82); /* 3F00 must lead */
	/* By FID: a child of the current DF, then the MF. */
	assert_int_equal(lemu_select(e, "3F003000"), 0x9000);
	assert_int_equal(lemu_cmd(e, "80A4000C02300100"), 0x9000);
	assert_int_equal(fcp().desc, TM_LASER_DESC_DF);
	assert_int_equal(lemu_cmd(e, "80A4000C023F0000"), 0x9000);
	assert_int_equal(fcp().fid, 0x3F00);
	/* From the current DF, and its parent. */
	assert_int_equal(lemu_cmd(e, "80A4090C0430003003 00"), 0x9000);
	assert_int_equal(fcp().fid, 0x3003);
	assert_int_equal(lemu_cmd(e, "80A4090C02300000"), 0x6A82);
	assert_int_equal(lemu_cmd(e, "80A4030C00"), 0x9000);
	assert_int_equal(fcp().fid, 0x3000);
	/* A DF by name, from its parent. */
	assert_int_equal(lemu_cmd(e, "80A4040C0750524956415445 00"), 0x9000);
	assert_int_equal(fcp().fid, 0x3002);
	assert_int_equal(lemu_cmd(e, "80A4070C023F0000"), 0x6A86);
	assert_int_equal(lemu_cmd(e, "80A4000C033F000000"), 0x6700);
}

static void test_pin_fcp(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	struct tm_laser_fcp f = fcp();
	assert_int_equal(f.desc, TM_LASER_DESC_KO);
	assert_int_equal(f.acl_len, 14);
	assert_int_equal(f.prop_len, TM_LASER_PIN_PROP_LEN);
	assert_int_equal(f.prop[2], TM_LASER_KO_ALG_PIN);
	/* Tries left in the high nibble (what the driver reads), min 4, max 16. */
	assert_int_equal(f.prop[TM_LASER_PIN_PROP_TRIES] >> 4, 10);
	assert_int_equal(f.prop[TM_LASER_PIN_PROP_MIN], 4);
	assert_int_equal(f.prop[TM_LASER_PIN_PROP_MAX], 16);
	/* PIN-CHANGE needs ref 30 (SO or user), PIN-RESET the SO PIN. */
	assert_int_equal(tm_laser_acl_get(&f, TM_LASER_KO_UPDATE), 0x0030);
	assert_int_equal(tm_laser_acl_get(&f, TM_LASER_KO_PIN_RESET), 0x0010);
	/* A KO is not read: 6981. */
	assert_int_equal(lemu_cmd(e, "00B0000010"), 0x6981);
}

static void test_list_files(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_select(e, "3F0030003001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "8030010000"), 0x9000);
	static const uint8_t one_ef[] = {0xD1, 0x02, 0x00, 0x01, 0xD2, 0x02, 0x86, 0x7F};
	assert_int_equal(lemu_data_len(e), sizeof(one_ef));
	assert_memory_equal(lemu_data(e), one_ef, sizeof(one_ef));
	/* No DFs, no KOs: still four bytes (§4). */
	assert_int_equal(lemu_cmd(e, "8030380000"), 0x9000);
	assert_int_equal(lemu_data_len(e), 4);
	assert_int_equal(lemu_cmd(e, "8030080000"), 0x9000);
	assert_int_equal(lemu_data_len(e), 4);
	assert_int_equal(lemu_cmd(e, "8030020000"), 0x6A86);
	/* The MF's KOs: the PINs and the logical expressions. */
	assert_int_equal(lemu_select(e, "3F00"), 0x9000);
	assert_int_equal(lemu_cmd(e, "8030080000"), 0x9000);
	assert_int_equal(lemu_data(e)[3], 7);
}

static void test_token_info_and_cmap(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_select(e, "3F003000C000"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00B00000A1"), 0x9000);
	const uint8_t *ti = lemu_data(e);
	assert_memory_equal(ti + TM_LASER_TI_LABEL, "JaCarta PKI ", 12);
	assert_memory_equal(ti + TM_LASER_TI_MANUFACTURER, "Aladdin R.D.", 12);
	assert_memory_equal(ti + TM_LASER_TI_SERIAL, "TEST0001        ", 16);
	/* Flags little-endian: login required, user PIN initialised. */
	assert_int_equal(ti[TM_LASER_TI_FLAGS] & 0x0C, 0x0C);
	/* Reading past the end: what there is, and 6282. */
	assert_int_equal(lemu_cmd(e, "00B000A010"), 0x6282);
	assert_int_equal(lemu_data_len(e), 1);
	assert_int_equal(lemu_cmd(e, "00B000A200"), 0x6B00);
	/* The cmapfile: an attribute file whose hash holds. */
	assert_int_equal(lemu_select(e, "3F0030003001867F"), 0x9000);
	size_t size = fcp().size;
	uint8_t file[1024];
	size_t got = 0;
	while (got < size) {
		char hex[16];
		size_t n = size - got > 256 ? 256 : size - got;
		snprintf(hex, sizeof(hex), "00B0%04zX%02zX", got, n & 0xFF);
		assert_int_equal(lemu_cmd(e, hex), 0x9000);
		memcpy(file + got, lemu_data(e), lemu_data_len(e));
		got += lemu_data_len(e);
	}
	struct tm_laser_attr_reader r;
	struct tm_laser_attr a;
	assert_int_equal(tm_laser_attr_open(&r, file, size), TM_OK);
	assert_int_equal(r.fid, 0x867F);
	bool label = false;
	while (tm_laser_attr_next(&r, &a) == TM_OK)
		label |= a.type == 0x0003 && a.len == 8 && memcmp(a.value, "cmapfile", 8) == 0;
	assert_true(label);
	file[40] ^= 1;
	assert_int_equal(tm_laser_attr_open(&r, file, size), TM_ERR_MALFORMED);
}

static void test_get_response(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	/* GET CHALLENGE of 300 bytes, extended Le: all at once, or by
	 * 61xx with a short Le. */
	assert_int_equal(lemu_cmd(e, "008400000000FF"), 0x9000);
	assert_int_equal(lemu_data_len(e), 255);
	assert_int_equal(lemu_cmd(e, "00C0000010"), 0x6985);
	assert_int_equal(lemu_cmd(e, "0084000000012C"), 0x9000);
	assert_int_equal(lemu_data_len(e), 300);
	assert_int_equal(lemu_cmd(e, "0084000000"), 0x9000);
	assert_int_equal(lemu_data_len(e), 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_before_select, lemu_teardown),
		cmocka_unit_test_teardown(test_card_manager_deselects, lemu_teardown),
		cmocka_unit_test_teardown(test_capabilities, lemu_teardown),
		cmocka_unit_test_teardown(test_select_modes, lemu_teardown),
		cmocka_unit_test_teardown(test_pin_fcp, lemu_teardown),
		cmocka_unit_test_teardown(test_list_files, lemu_teardown),
		cmocka_unit_test_teardown(test_token_info_and_cmap, lemu_teardown),
		cmocka_unit_test_teardown(test_get_response, lemu_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
