/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The card image: round trip, refusals that leave the file alone, atomic
 * writes, a failed write rolled back, and a torn VERIFY. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/image.h"
#include "emulator/image_file.h"
#include "emulator/models.h"
#include "emulator/profile.h"
#include "tests/support/emu.h"

static char dir[] = "/tmp/tumar-image-XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/card.img", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static size_t slurp(const char *p, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(p, "rb");
	size_t n = f ? fread(buf, 1, cap, f) : 0;
	if (f)
		fclose(f);
	return n;
}

/* Writes a file as a token's owner keeps it: mode 0600. */
static void spit(const char *p, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	assert_int_equal(chmod(p, 0600), 0);
}

/* A card saved to `path`, with one key and one object. */
static struct emu *saved_card(const char *model)
{
	struct emu *e = emu_new(model);
	assert_non_null(e);
	e->applet.card->path = OPENSSL_strdup(path);
	assert_int_equal(tm_card_save(e->applet.card), TM_OK);
	return e;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct emu *e = saved_card("tumar-full");
	char why[256];
	struct tm_card *c;
	struct stat st;

	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(emu_cmd(e, "004600000F E20D C70102 C8020100 C50101 C40145 00"), 0x9000);
	assert_int_equal(emu_cmd(e, "00E0000011620F80020003A509C10102C20100C4014400"), 0x9000);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "0000"), 0x63C9);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tm_image_load(path, e->applet.card->model, &c, why, sizeof(why)), TM_OK);
	assert_string_equal(c->serial, "TEST0001");
	assert_string_equal(c->label, "Tumar Full");
	assert_int_equal(c->n_objects, 3); /* private key, public key, data */
	assert_int_equal(c->objects[1].cls, TM_OBJ_PUBLIC_KEY);
	assert_int_equal(EVP_PKEY_eq(c->objects[1].pkey, e->applet.card->objects[0].pkey), 1);
	assert_int_equal(c->pins[TM_PIN_IDX_USER].tries_left, 9);
	assert_int_equal(c->change_counter, e->applet.card->change_counter);
	/* The loaded key is the same key: a loaded card signs and the PIN
	 * still matches. */
	assert_true(tm_pin_matches(&c->pins[TM_PIN_IDX_USER], (const uint8_t *)"1234567890", 10));
	assert_int_equal(EVP_PKEY_eq(c->objects[0].pkey, e->applet.card->objects[0].pkey), 1);
	tm_card_free(c);
	emu_free(e);
}

/* A GOST key survives the image: gost-engine's DER, read back as the
 * same key, signing as before (format version 3). */
static void test_gost_round_trip(void **state)
{
	(void)state;
	struct emu *e = saved_card("kaztoken");
	uint8_t digest[64] = {7}, sig[128];
	size_t sig_len = sizeof(sig);
	char why[256];
	struct tm_card *c;

	assert_true(tm_gost_available());
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	assert_int_equal(emu_cmd(e, "004600000F E20D C70103 C8020200 C50101 C40147 00"), 0x9000);
	assert_int_equal(emu_cmd(e, "004600000F E20D C70104 C8020100 C50101 C40148 00"), 0x9000);
	assert_int_equal(tm_image_load(path, e->applet.card->model, &c, why, sizeof(why)), TM_OK);
	assert_int_equal(c->n_objects, 4);
	for (size_t i = 0; i < 4; i++) {
		unsigned bits;
		assert_true(tm_gost_is_gost(c->objects[i].pkey, &bits));
		assert_int_equal(bits, i < 2 ? 512 : 256);
		assert_int_equal(EVP_PKEY_eq(c->objects[i].pkey, e->applet.card->objects[i].pkey), 1);
	}
	assert_int_equal(c->objects[0].key_alg, TM_KEY_GOST2012_512);
	assert_int_equal(tm_gost_sign(c->objects[0].pkey, digest, 64, TM_GOST_NCA, sig, &sig_len),
			 TM_OK);
	assert_int_equal(tm_gost_verify(e->applet.card->objects[1].pkey, digest, 64, TM_GOST_NCA,
					sig, sig_len), TM_OK);
	tm_card_free(c);
	/* A key record whose algorithm says RSA over a GOST key is damage. */
	e->applet.card->objects[0].key_alg = TM_KEY_RSA;
	struct tm_buf b;
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_image_encode(e->applet.card, &b);
	assert_false(b.failed);
	assert_int_equal(b.data[9], 3);
	assert_int_equal(tm_image_decode(b.data, b.len, e->applet.card->model, &c, why, sizeof(why)),
			 TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "private key"));
	e->applet.card->objects[0].key_alg = TM_KEY_GOST2012_512;
	tm_buf_free(&b);
	emu_free(e);
}

/* A version 1 image kept a key pair as one object: loaded, the private
 * key gets its public key object beside it (same ID and label, a fresh
 * reference), and both halves are modifiable as v1 key pairs were. */
static void test_version1_upgrade(void **state)
{
	(void)state;
	struct emu *e = saved_card("tumar-full");
	char why[256];
	struct tm_card *c;
	struct tm_buf b;

	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(emu_cmd(e, "004600000F E20D C70102 C8020100 C50101 C40145 00"), 0x9000);
	struct tm_card *card = e->applet.card;
	assert_int_equal(card->n_objects, 2);
	/* What a version 1 card held: the key pair alone, no flags. */
	card->objects[0].flags = 0;
	tm_card_remove(card, card->objects[1].ref);
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_image_encode(card, &b);
	assert_true(tm_buf_ok(&b));
	b.data[9] = 1; /* the version; the checksum covers the body only */
	assert_int_equal(tm_image_decode(b.data, b.len, card->model, &c, why, sizeof(why)), TM_OK);
	assert_int_equal(c->n_objects, 2);
	const struct tm_object *k = &c->objects[0], *p = &c->objects[1];
	assert_int_equal(k->cls, TM_OBJ_KEY_PAIR);
	assert_int_equal(p->cls, TM_OBJ_PUBLIC_KEY);
	assert_int_not_equal(p->ref, k->ref);
	assert_true(p->ref >= card->next_ref);
	assert_int_equal(p->label_len, 1);
	assert_int_equal(p->label[0], 'E');
	assert_int_equal(k->flags, TM_OBJF_MODIFIABLE);
	assert_int_equal(p->flags, TM_OBJF_MODIFIABLE);
	assert_int_equal(EVP_PKEY_eq(p->pkey, k->pkey), 1);
	BIGNUM *d = NULL; /* the public key object has no private part */
	assert_int_equal(EVP_PKEY_get_bn_param(p->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d), 0);
	BN_free(d);
	/* Saved again, it is a version 2 image that reads back alike. */
	struct tm_buf b2;
	tm_buf_init_dynamic(&b2, TM_IMAGE_MAX_SIZE);
	tm_image_encode(c, &b2);
	assert_int_equal(b2.data[9], TM_IMAGE_VERSION);
	struct tm_card *c2;
	assert_int_equal(tm_image_decode(b2.data, b2.len, card->model, &c2, why, sizeof(why)), TM_OK);
	assert_int_equal(c2->n_objects, 2);
	tm_card_free(c2);
	tm_buf_free(&b2);
	tm_card_free(c);
	tm_buf_free(&b);
	emu_free(e);
}

/* What is not plainly the user's own image file is refused with a
 * sentence, and left as it is: FIFOs (which would block), links
 * (dangling or not: a save would replace the link), files others may
 * read, unknown reserved header bytes. */
static void test_file_checks(void **state)
{
	(void)state;
	struct emu *e = saved_card("kaztoken");
	const struct tm_model *m = tm_model_find("kaztoken");
	static uint8_t good[1 << 16];
	size_t n = slurp(path, good, sizeof(good));
	char why[256], other[300];
	struct tm_card *c;
	struct stat st;

	emu_free(e);
	snprintf(other, sizeof(other), "%s/fifo", dir);
	assert_int_equal(mkfifo(other, 0600), 0);
	assert_int_equal(tm_image_load(other, m, &c, why, sizeof(why)), TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "not a regular file"));
	snprintf(other, sizeof(other), "%s/link", dir);
	assert_int_equal(symlink(path, other), 0);
	assert_int_equal(tm_image_load(other, m, &c, why, sizeof(why)), TM_ERR_CARD);
	assert_non_null(strstr(why, "symbolic link"));
	assert_int_equal(lstat(other, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(other, sizeof(other), "%s/dangling", dir);
	assert_int_equal(symlink("/nonexistent/card.img", other), 0);
	assert_int_equal(tm_image_load(other, m, &c, why, sizeof(why)), TM_ERR_CARD);
	assert_non_null(strstr(why, "symbolic link"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(tm_image_load(path, m, &c, why, sizeof(why)), TM_ERR_CARD);
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(chmod(path, 0600), 0);
	if (geteuid() == 0) { /* as root (CI), the file can be given away */
		assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
		assert_int_equal(tm_image_load(path, m, &c, why, sizeof(why)), TM_ERR_CARD);
		assert_non_null(strstr(why, "another user"));
		assert_int_equal(chown(path, 0, (gid_t)-1), 0);
	}
	assert_int_equal(tm_image_load(path, m, &c, why, sizeof(why)), TM_OK);
	tm_card_free(c);
	good[11] = 1; /* reserved: 0000 */
	spit(path, good, n);
	assert_int_equal(tm_image_load(path, m, &c, why, sizeof(why)), TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "reserved header"));
}

static void test_refusals_leave_the_file(void **state)
{
	(void)state;
	struct emu *e = saved_card("kaztoken");
	static uint8_t good[1 << 16], now[1 << 16];
	size_t n = slurp(path, good, sizeof(good));
	char why[256];
	struct tm_card *c;

	emu_free(e);
	/* Another model's name. */
	assert_int_equal(tm_image_load(path, tm_model_find("jacarta-pki"), &c, why, sizeof(why)),
			 TM_ERR_WRONG_DATA);
	assert_non_null(strstr(why, "--model kaztoken"));
	/* One flipped byte in the body. */
	good[n - 5] ^= 0x40;
	spit(path, good, n);
	assert_int_equal(tm_image_load(path, tm_model_find("kaztoken"), &c, why, sizeof(why)),
			 TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "damaged"));
	assert_int_equal(slurp(path, now, sizeof(now)), n);
	assert_memory_equal(now, good, n);
	/* Someone else's file. */
	spit(path, (const uint8_t *)"#!/bin/sh\necho hello\n", 21);
	assert_int_equal(tm_image_load(path, tm_model_find("kaztoken"), &c, why, sizeof(why)),
			 TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "not a Tumar card image"));
	/* A newer format. */
	good[n - 5] ^= 0x40;
	good[9] = 9;
	spit(path, good, n);
	assert_int_equal(tm_image_load(path, tm_model_find("kaztoken"), &c, why, sizeof(why)),
			 TM_ERR_MALFORMED);
	assert_non_null(strstr(why, "version 9"));
	/* Truncated. */
	good[9] = 1;
	spit(path, good, n / 2);
	assert_int_equal(tm_image_load(path, tm_model_find("kaztoken"), &c, why, sizeof(why)),
			 TM_ERR_MALFORMED);
	/* No file at all: the caller personalises a new card. */
	unlink(path);
	assert_int_equal(tm_image_load(path, tm_model_find("kaztoken"), &c, why, sizeof(why)),
			 TM_ERR_NOT_FOUND);
}

static void test_failed_write_rolls_back(void **state)
{
	(void)state;
	struct emu *e = saved_card("kaztoken");
	char blocker[300];

	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	/* A directory where the temporary file would go: the write fails,
	 * the image stays readable, and the card goes back to it. */
	snprintf(blocker, sizeof(blocker), "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(mkdir(blocker, 0700), 0);
	uint16_t sw = emu_cmd(e, "00E0000011620F80020003A509C10102C20100C4014400");
	rmdir(blocker);
	assert_int_equal(sw, 0x6F00);
	assert_int_equal(e->applet.card->n_objects, 0);
	assert_false(e->applet.mute);
	assert_int_equal(emu_cmd(e, "00E0000011620F80020003A509C10102C20100C4014400"), 0x9000);
	emu_free(e);
}

static void test_torn_verify_spends_the_try(void **state)
{
	(void)state;
	struct emu *e = saved_card("kaztoken");
	char why[256];
	struct tm_card *c;

	/* Power goes right after the first write of a VERIFY with the right
	 * PIN: no answer, and the counter on disk is one lower. */
	e->applet.card->tear_on_save = true;
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0);
	assert_int_equal(e->len, 0);
	assert_true(e->applet.torn);
	assert_int_equal(tm_image_load(path, e->applet.card->model, &c, why, sizeof(why)), TM_OK);
	assert_int_equal(c->pins[TM_PIN_IDX_USER].tries_left, 9);
	tm_card_free(c);
	emu_free(e);
}

/* A card of the largest memory a profile may give, full to the last
 * byte of small objects (the most bookkeeping per byte): its image must
 * stay under the loader's cap and load again, or the save that fills
 * the card is refused and the card can never be filled.  Two shapes:
 * objects with every name at its longest, and one-byte objects until
 * the references run out. */
static void fill_and_reload(size_t size, size_t names)
{
	struct tm_model big = *tm_model_find("kaztoken");
	big.memory = TM_PROFILE_MAX_MEMORY;
	struct tm_card *c = tm_card_new(&big, "TMBIG", "big", NULL), *back = NULL;
	struct tm_object probe = {.cls = TM_OBJ_DATA, .size = size, .id_len = names,
				  .label_len = names};
	char why[256];
	struct tm_buf b;

	assert_non_null(c);
	/* Counted here: tm_card_free_bytes() walks every object each time. */
	size_t free_bytes = tm_card_free_bytes(c), cost = tm_object_cost(&probe);
	for (; free_bytes >= cost; free_bytes -= cost) {
		struct tm_object *o = tm_card_add(c);
		if (o == NULL)
			break; /* references used up first */
		uint16_t ref = o->ref;
		*o = probe;
		o->ref = ref;
		o->flags = TM_OBJF_MODIFIABLE;
		memset(o->id, 'i', o->id_len);
		memset(o->label, 'l', o->label_len);
		assert_non_null(o->value = OPENSSL_zalloc(o->size));
		o->written = o->size;
	}
	print_message("%zu objects, %zu bytes free of %lu\n", c->n_objects, tm_card_free_bytes(c),
		      (unsigned long)big.memory);
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_image_encode(c, &b);
	assert_false(b.failed);
	print_message("image: %zu bytes (cap %u)\n", b.len, TM_IMAGE_MAX_SIZE);
	assert_true(b.len <= TM_IMAGE_MAX_SIZE);
	assert_int_equal(tm_image_decode(b.data, b.len, &big, &back, why, sizeof(why)), TM_OK);
	assert_int_equal(back->n_objects, c->n_objects);
	tm_card_free(back);
	tm_buf_free(&b);
	tm_card_free(c);
}

static void test_full_card_at_the_largest_memory(void **state)
{
	(void)state;
	fill_and_reload(200, TM_MAX_OBJ_ID);
	fill_and_reload(1, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_gost_round_trip),
		cmocka_unit_test(test_version1_upgrade),
		cmocka_unit_test(test_file_checks),
		cmocka_unit_test(test_refusals_leave_the_file),
		cmocka_unit_test(test_failed_write_rolls_back),
		cmocka_unit_test(test_torn_verify_spends_the_try),
		cmocka_unit_test(test_full_card_at_the_largest_memory),
	};
	return cmocka_run_group_tests_name("emu_image", tests, setup, teardown);
}
