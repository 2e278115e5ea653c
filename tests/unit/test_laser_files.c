/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER applet's files (jacarta-laser.md §3, §6, §8): CREATE FILE as
 * pkcs15init sends it, UPDATE and READ BINARY, DELETE of the selected
 * file, ACLs, memory, chaining, and the card image round trip. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apdu/buf.h"
#include "apdu/laser.h"
#include "apdu/laser_fcp.h"
#include "apdu/rc.h"
#include "emulator/image_file.h"
#include "emulator/laser_image.h"
#include "tests/support/laser_emu.h"

LEMU_FIXTURE

/* CREATE FILE of an EF: the FCP as the driver encodes it, chained in
 * pieces of 255 when longer. */
static uint16_t create(uint8_t p1, uint16_t fid, uint16_t size, const uint8_t *acl, size_t acl_len,
		       const uint8_t *prop, size_t prop_len, const uint8_t *content, size_t content_len)
{
	struct tm_laser_fcp f = {.fid = fid, .size = size, .acl_len = acl_len,
				 .prop_len = prop_len, .content = content,
				 .content_len = content_len};
	uint8_t mem[1024], cmd[5 + 255];
	struct tm_buf b;

	memcpy(f.acl, acl, acl_len);
	if (prop_len)
		memcpy(f.prop, prop, prop_len);
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	tm_laser_fcp_encode_create(&f, &b);
	assert_true(tm_buf_ok(&b));
	size_t off = 0;
	uint16_t sw;
	do {
		size_t n = b.len - off > 255 ? 255 : b.len - off;
		bool last = off + n == b.len;
		cmd[0] = last ? 0x00 : 0x10;
		cmd[1] = 0xE0, cmd[2] = p1, cmd[3] = 0x00, cmd[4] = (uint8_t)n;
		memcpy(cmd + 5, b.data + off, n);
		sw = lemu_raw(e, cmd, 5 + n);
		off += n;
		if (!last)
			assert_int_equal(sw, 0x9000);
	} while (off < b.len);
	return sw;
}

static const uint8_t open_ef[8] = {0, 0, 0, 0x20, 0, 0, 0, 0x20}; /* READ free; WRITE, DELETE user */

static void test_ef_life(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_non_null(e);
	/* 3001's CREATE is free (the profile's). */
	assert_int_equal(lemu_select(e, "3F0030003001"), 0x9000);
	assert_int_equal(create(0x01, 0x0440, 300, open_ef, 8, NULL, 0, NULL, 0), 0x9000);
	assert_int_equal(create(0x01, 0x0440, 10, open_ef, 8, NULL, 0, NULL, 0), 0x6A89);
	/* The new file is current; it reads as zeros; writing needs the PIN. */
	assert_int_equal(lemu_cmd(e, "00B0012D01"), 0x6B00);
	assert_int_equal(lemu_select(e, "3F00300030010440"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00B0000004"), 0x9000);
	assert_memory_equal(lemu_data(e), "\0\0\0\0", 4);
	assert_int_equal(lemu_cmd(e, "00D6000004 DEADBEEF"), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030010440"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6012A02 0102"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6012B02 0102"), 0x6700); /* nothing grows */
	assert_int_equal(lemu_cmd(e, "00B0012A02"), 0x9000);
	assert_memory_equal(lemu_data(e), "\x01\x02", 2);
	/* LIST FILES sees it; DELETE takes the selected file (P1 00). */
	assert_int_equal(lemu_select(e, "3F0030003001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "8030010000"), 0x9000);
	assert_int_equal(lemu_data(e)[3], 2);
	assert_int_equal(lemu_select(e, "3F00300030010440"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00E40100"), 0x6A86); /* not a DF */
	assert_int_equal(lemu_cmd(e, "00E40000"), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030010440"), 0x6A82);
	/* DELETE of the MF: never. */
	assert_int_equal(lemu_select(e, "3F00"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00E40100"), 0x6985);
}

static void test_create_rules(void **state)
{
	static const uint8_t df_acl[12] = {0};
	(void)state;
	e = lemu_new(NULL);
	/* 3002's CREATE needs the user PIN. */
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create(0x01, 0x0201, 40, open_ef, 8, NULL, 0, NULL, 0), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create(0x01, 0x0201, 40, open_ef, 8, NULL, 0, NULL, 0), 0x9000);
	/* The ACL must fit the kind: 8 bytes for an EF, 12 for a DF. */
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create(0x01, 0x0202, 40, df_acl, 12, NULL, 0, NULL, 0), 0x6A80);
	assert_int_equal(create(0x38, 0x3010, 0, df_acl, 12, NULL, 0, NULL, 0), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030023010"), 0x9000);
	assert_int_equal(create(0x02, 0x0202, 40, open_ef, 8, NULL, 0, NULL, 0), 0x6A86);
	/* More than the memory holds: 6A84. */
	assert_int_equal(create(0x01, 0x0203, 0xFFFF, open_ef, 8, NULL, 0, NULL, 0), 0x9000);
	assert_int_equal(lemu_select(e, "3F00300030023010"), 0x9000);
	assert_int_equal(create(0x01, 0x0205, 0xFFFF, open_ef, 8, NULL, 0, NULL, 0), 0x6A84);
	/* An EF with content: refused, its bytes come by UPDATE BINARY. */
	static const uint8_t some[] = {0x81, 0x01, 0x00};
	assert_int_equal(create(0x01, 0x0204, 40, open_ef, 8, NULL, 0, some, sizeof(some)), 0x6A80);
}

static void test_pin_ko_create(void **state)
{
	/* The driver's 14-byte PIN attributes: tries 3/3, min 4, max 8. */
	static const uint8_t prop14[14] = {0xC0, 0x01, 0x00, 0x00, 0x33, 0x04, 0x08, 0, 0, 0, 0, 0, 8, 8};
	static const uint8_t ko_acl[14] = {0, 0xFF, 0, 0x10, 0, 0xFF, 0, 0xFF, 0, 0xFF, 0, 0x10, 0, 0};
	static const uint8_t pin[] = {0x81, 0x04, '4', '3', '2', '1'};
	(void)state;
	e = lemu_new(NULL);
	/* The MF's CREATE is free (ACL all zero). */
	assert_int_equal(lemu_select(e, "3F00"), 0x9000);
	assert_int_equal(create(0x08, 0x0021, 8, ko_acl, 14, prop14, 14, pin, sizeof(pin)), 0x9000);
	assert_int_equal(lemu_select(e, "3F000021"), 0x9000);
	struct tm_laser_fcp f;
	assert_int_equal(tm_laser_fcp_decode(lemu_data(e), lemu_data_len(e), false, &f), TM_OK);
	/* Kept and answered in the reading layout (docs/emulator.md). */
	assert_int_equal(f.prop_len, TM_LASER_PIN_PROP_LEN);
	assert_int_equal(f.prop[TM_LASER_PIN_PROP_TRIES], 0x33);
	assert_int_equal(f.prop[TM_LASER_PIN_PROP_MIN], 4);
	assert_int_equal(f.prop[TM_LASER_PIN_PROP_MAX], 8);
	assert_int_equal(lemu_verify(e, 0x21, "4321"), 0x9000);
	assert_int_equal(lemu_verify(e, 0x21, "1111"), 0x63C2);
	/* A key KO of a size the model has no key for: 6A80. */
	static const uint8_t rsa_prop[] = {0x05, 0x0C, 0x20, 0x00, 0xA3};
	static const uint8_t rsa_content[] = {0x71, 0x00};
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create(0x08, 0x0041, 100, ko_acl, 14, rsa_prop, 5, rsa_content, 2), 0x6A80);
	assert_int_equal(create(0x08, 0x0041, 256, ko_acl, 14, rsa_prop, 5, rsa_content, 2), 0x9000);
}

static void test_image_round_trip(void **state)
{
	char path[] = "/tmp/tumar-laser-XXXXXX";
	int fd = mkstemp(path);
	struct tm_buf a, b;
	char why[256];

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	e = lemu_new(path);
	assert_non_null(e);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003001"), 0x9000);
	assert_int_equal(create(0x01, 0x0601, 20, open_ef, 8, NULL, 0, NULL, 0), 0x9000);
	assert_int_equal(lemu_cmd(e, "00D6000003 414243"), 0x9000);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_SO, "0000"), 0x63C9);
	tm_buf_init_dynamic(&a, TM_IMAGE_MAX_SIZE);
	tm_laser_image_encode(e->applet.card, &a);
	lemu_free(e);
	/* What was saved comes back: the file, its bytes, the SO try spent. */
	struct tm_laser_card *c;
	assert_int_equal(tm_laser_load(path, lemu_model(), &c, why, sizeof(why)), TM_OK);
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_laser_image_encode(c, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_int_equal(tm_laser_pin_tries(tm_laser_pin_ko(c, TM_LASER_PIN_SO)), 9);
	/* Damage and other models are refused with a sentence. */
	a.data[a.len - 3] ^= 0x40;
	struct tm_laser_card *bad;
	assert_int_equal(tm_laser_image_decode(a.data, a.len, lemu_model(), &bad, why, sizeof(why)),
			 TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "checksum"));
	assert_int_not_equal(tm_laser_image_decode(b.data, b.len, tm_model_find("kaztoken"), &bad,
						   why, sizeof(why)), TM_OK);
	assert_non_null(strstr(why, "model"));
	tm_laser_card_free(c);
	tm_buf_free(&a);
	tm_buf_free(&b);
	e = NULL;
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ef_life, lemu_teardown),
		cmocka_unit_test_teardown(test_create_rules, lemu_teardown),
		cmocka_unit_test_teardown(test_pin_ko_create, lemu_teardown),
		cmocka_unit_test_teardown(test_image_round_trip, lemu_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
