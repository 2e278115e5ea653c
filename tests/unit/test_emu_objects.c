/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Objects: create, read, update, attributes, delete, private objects,
 * memory exhaustion, INITIALIZE TOKEN. */
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
#include "apdu/tlv.h"
#include "tests/support/emu.h"

EMU_FIXTURE

/* CREATE FILE of class cls, flags, size, with a label; returns the
 * reference or -1 with the SW in e->sw. */
static int create(uint8_t cls, uint8_t flags, uint16_t size, const char *label)
{
	char hex[300];
	size_t ll = strlen(label);
	size_t a5 = 3 + 3 + 2 + ll;          /* C1, C2, C4 */
	size_t fcp = 4 + 2 + a5;             /* 80 size(2), A5 */
	int k = snprintf(hex, sizeof(hex), "00E00000%02zX 62%02zX 8002%04X A5%02zX C101%02X C201%02X C4%02zX",
			 fcp + 2, fcp, size, a5, cls, flags, ll);
	for (size_t i = 0; i < ll; i++)
		k += snprintf(hex + k, sizeof(hex) - (size_t)k, "%02X", (unsigned char)label[i]);
	snprintf(hex + k, sizeof(hex) - (size_t)k, "00");
	if (emu_cmd(e, hex) != 0x9000 || emu_data_len(e) != 4)
		return -1;
	return emu_data(e)[2] << 8 | emu_data(e)[3];
}

static uint16_t update(int ref, uint16_t offset, const char *bytes_hex)
{
	char hex[600];
	size_t n = strlen(bytes_hex) / 2;
	snprintf(hex, sizeof(hex), "00D7%04X%02zX 5402%04X 53%02zX %s", ref, n + 6, offset, n, bytes_hex);
	return emu_cmd(e, hex);
}

static uint16_t read_at(int ref, uint16_t offset, uint8_t le)
{
	char hex[64];
	snprintf(hex, sizeof(hex), "00B1%04X04 5402%04X %02X", ref, offset, le);
	return emu_cmd(e, hex);
}

static uint32_t free_memory(void)
{
	struct tm_tlv a5, mem;

	assert_int_equal(emu_cmd(e, "00CA00A500"), 0x9000);
	assert_int_equal(tm_tlv_find(emu_data(e), emu_data_len(e), 0xA5, &a5), TM_OK);
	assert_int_equal(tm_tlv_find(a5.value, a5.len, TM_TAG_CI_MEMORY, &mem), TM_OK);
	assert_int_equal(mem.len, 8);
	return (uint32_t)mem.value[4] << 24 | (uint32_t)mem.value[5] << 16 |
	       (uint32_t)mem.value[6] << 8 | mem.value[7];
}

static int directory_count(void)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;
	int n = 0;

	assert_int_equal(emu_cmd(e, "00CA00E100"), 0x9000);
	tm_tlv_iter_init(&it, emu_data(e), emu_data_len(e));
	while (tm_tlv_next(&it, &t) == TM_OK)
		n += t.tag == TM_TAG_OBJECT;
	return n;
}

static void test_create_write_read(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	/* Writing needs the user PIN. */
	assert_int_equal(create(TM_OBJ_DATA, 0, 4, "x"), -1);
	assert_int_equal(e->sw, 0x6982);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	uint32_t before = free_memory();
	int ref = create(TM_OBJ_DATA, 0, 4, "note");
	assert_true(ref > 0);
	/* Charged: value + label + 32 bytes of bookkeeping. */
	assert_int_equal(before - free_memory(), 4 + 4 + 32);
	assert_int_equal(directory_count(), 1);
	assert_int_equal(update(ref, 0, "CAFE"), 0x9000);
	assert_int_equal(update(ref, 2, "BABE"), 0x9000);
	assert_int_equal(update(ref, 3, "0102"), 0x6B00); /* past the end */
	assert_int_equal(read_at(ref, 0, 0), 0x9000);     /* Le 00: up to 256 */
	assert_int_equal(emu_data_len(e), 4);
	assert_memory_equal(emu_data(e), "\xCA\xFE\xBA\xBE", 4);
	assert_int_equal(read_at(ref, 1, 2), 0x9000);     /* at most Ne */
	assert_memory_equal(emu_data(e), "\xFE\xBA", 2);
	assert_int_equal(read_at(ref, 5, 0), 0x6B00);
	/* Written once and not modifiable: no more writes. */
	assert_int_equal(update(ref, 0, "00"), 0x6985);
	assert_int_equal(read_at(0x7777, 0, 0), 0x6A82);
}

static void test_private_objects(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	int pub = create(TM_OBJ_CERTIFICATE, 0, 2, "cert");
	int priv = create(TM_OBJ_DATA, TM_OBJF_PRIVATE | TM_OBJF_MODIFIABLE, 2, "secret");
	assert_true(pub > 0 && priv > 0);
	assert_int_equal(directory_count(), 2);
	assert_int_equal(emu_cmd(e, "0020FF81"), 0x9000);
	/* Logged out: the private object is neither listed nor readable. */
	assert_int_equal(directory_count(), 1);
	assert_int_equal(read_at(priv, 0, 0), 0x6982);
	assert_int_equal(read_at(pub, 0, 0), 0x9000);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	/* Modifiable: may be written again. */
	assert_int_equal(update(priv, 0, "0102"), 0x9000);
	assert_int_equal(update(priv, 0, "0304"), 0x9000);
}

static void test_attributes_and_delete(void **state)
{
	(void)state;
	struct tm_tlv obj, label;

	e = emu_new("tumar-full");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	int fixed = create(TM_OBJ_DATA, 0, 1, "a");
	int mod = create(TM_OBJ_DATA, TM_OBJF_MODIFIABLE, 1, "b");
	char hex[64];
	snprintf(hex, sizeof(hex), "00DB%04X09 A507 C3020102 C4015A", fixed);
	assert_int_equal(emu_cmd(e, hex), 0x6985);
	snprintf(hex, sizeof(hex), "00DB%04X09 A507 C3020102 C4015A", mod);
	assert_int_equal(emu_cmd(e, hex), 0x9000);
	assert_int_equal(emu_cmd(e, "00CA00E100"), 0x9000);
	/* The second entry now carries label "Z" and ID 0102. */
	struct tm_tlv_iter it;
	tm_tlv_iter_init(&it, emu_data(e), emu_data_len(e));
	assert_int_equal(tm_tlv_next(&it, &obj), TM_OK);
	assert_int_equal(tm_tlv_next(&it, &obj), TM_OK);
	assert_int_equal(tm_tlv_find(obj.value, obj.len, TM_TAG_OBJ_LABEL, &label), TM_OK);
	assert_memory_equal(label.value, "Z", 1);
	/* The same values again change nothing: the change counter stays. */
	uint32_t counter = e->applet.card->change_counter;
	snprintf(hex, sizeof(hex), "00DB%04X09 A507 C3020102 C4015A", mod);
	assert_int_equal(emu_cmd(e, hex), 0x9000);
	assert_int_equal(e->applet.card->change_counter, counter);
	/* An attribute over its limit is refused. */
	snprintf(hex, sizeof(hex), "00DB%04X46 A544 C442", mod);
	char big[300];
	snprintf(big, sizeof(big), "%s%0132d", hex, 0);
	assert_int_equal(emu_cmd(e, big), 0x6A80);

	uint32_t before = free_memory();
	snprintf(hex, sizeof(hex), "00E4000002%04X", fixed);
	assert_int_equal(emu_cmd(e, hex), 0x9000);
	assert_true(free_memory() > before);
	assert_int_equal(emu_cmd(e, hex), 0x6A82);
	assert_int_equal(directory_count(), 1);
	assert_int_equal(emu_cmd(e, "00E4000001 01"), 0x6A80);
}

static void test_memory_exhaustion(void **state)
{
	(void)state;
	e = emu_new("etoken-pro-72k");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	uint32_t total = free_memory();
	int made = 0;
	/* 4 KB objects until the card says it is full. */
	while (create(TM_OBJ_DATA, 0, 4096, "blob") > 0)
		made++;
	assert_int_equal(e->sw, 0x6A84);
	assert_int_equal(made, total / (4096 + 4 + 32));
	uint32_t left = free_memory();
	assert_true(left < 4096 + 4 + 32);
	/* What still fits, fits. */
	assert_true(create(TM_OBJ_DATA, 0, (uint16_t)(left - 32 - 4), "blob") > 0);
	assert_int_equal(free_memory(), 0);
	assert_int_equal(create(TM_OBJ_DATA, 0, 0, ""), -1);
	assert_int_equal(e->sw, 0x6A84);
}

static void test_create_rejects(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	/* Key pairs come only from generation. */
	assert_int_equal(create(TM_OBJ_KEY_PAIR, 0, 4, "k"), -1);
	assert_int_equal(e->sw, 0x6A80);
	/* Unknown flags. */
	assert_int_equal(create(TM_OBJ_DATA, 0x80, 4, "k"), -1);
	assert_int_equal(e->sw, 0x6A80);
	/* Larger than one object may be. */
	assert_int_equal(create(TM_OBJ_DATA, 0, 0x8000, "k"), -1);
	assert_int_equal(e->sw, 0x6A80);
	/* Trailing bytes after the FCP. */
	assert_int_equal(emu_cmd(e, "00E000000C 6209 800200 04A503C10102 FF"), 0x6A80);
	assert_int_equal(emu_cmd(e, "00E0010000"), 0x6A86);
}

static void test_initialize_token(void **state)
{
	(void)state;
	e = emu_new("kaztoken");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	assert_true(create(TM_OBJ_DATA, 0, 8, "gone") > 0);
	/* Needs the SO PIN. */
	assert_int_equal(emu_cmd(e, "8050000006 C4044E455731"), 0x6982);
	assert_int_equal(emu_verify(e, TM_PIN_SO, "87654321"), 0x9000);
	assert_int_equal(emu_cmd(e, "8050000006 C4044E455731"), 0x9000);
	assert_int_equal(emu_cmd(e, "00200081"), 0x6984);
	assert_int_equal(directory_count(), 0);
	/* Interindustry class for a proprietary command: 6E00. */
	assert_int_equal(emu_cmd(e, "0050000006 C4044E455731"), 0x6E00);
	emu_free(e);
	/* The ID card does not allow it. */
	e = emu_new("kz-idcard");
	assert_int_equal(emu_verify(e, TM_PIN_SO, "12345678"), 0x9000);
	assert_int_equal(emu_cmd(e, "8050000006 C4044E455731"), 0x6A81);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create_write_read, emu_teardown),
		cmocka_unit_test_teardown(test_private_objects, emu_teardown),
		cmocka_unit_test_teardown(test_attributes_and_delete, emu_teardown),
		cmocka_unit_test_teardown(test_memory_exhaustion, emu_teardown),
		cmocka_unit_test_teardown(test_create_rejects, emu_teardown),
		cmocka_unit_test_teardown(test_initialize_token, emu_teardown),
	};
	return cmocka_run_group_tests_name("emu_objects", tests, NULL, NULL);
}
