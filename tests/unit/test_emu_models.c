/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model table: every shipped model is consistent data. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/protocol.h"
#include "emulator/card.h"
#include "emulator/models.h"

static void test_each_model_is_consistent(void **state)
{
	(void)state;
	size_t n;
	const struct tm_model *m = tm_models(&n);

	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		if (!tm_model_atr_check(m[i].atr, m[i].atr_len))
			fail_msg("%s: ATR fails ISO 7816-3 structure or TCK", m[i].key);
		assert_ptr_equal(tm_model_find(m[i].key), &m[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m[i].key, m[j].key);
		assert_true(m[i].user.min_len <= m[i].user.max_len);
		assert_true(m[i].user.max_len <= TM_MAX_PIN_LEN);
		assert_true(m[i].user.tries >= 1 && m[i].user.tries <= 15);
		assert_true(m[i].max_resp >= 256);
		assert_true(m[i].n_algs >= 1);
		/* Every shipped model makes RSA-2048: the NCA's key. */
		assert_true(tm_model_has_alg(&m[i], TM_KEY_RSA, 2048));
		/* A factory PIN obeys its own model's rules. */
		const struct tm_pin_policy *pols[] = {&m[i].user, &m[i].so};
		for (int p = 0; p < 2; p++) {
			const char *f = pols[p]->factory;
			if (f[0] && !tm_pin_acceptable(pols[p], (const uint8_t *)f, strlen(f), NULL))
				fail_msg("%s: factory PIN breaks the model's rules", m[i].key);
		}
	}
	assert_null(tm_model_find("no-such-token"));
}

static void test_facts_from_the_design(void **state)
{
	(void)state;
	const struct tm_model *k = tm_model_find("kaztoken");
	const struct tm_model *e = tm_model_find("etoken-pro-72k");
	const struct tm_model *j = tm_model_find("jacarta-pki");
	const struct tm_model *id = tm_model_find("kz-idcard");

	assert_string_equal(k->user.factory, "12345678");
	assert_memory_equal(k->atr, "\x3B\x88\x01KAZTOKEN\x82", 12);
	assert_string_equal(e->user.factory, "1234567890");
	assert_int_equal(e->user.tries, 15);
	assert_false(e->caps & TM_CAP_EXTENDED_LENGTH);
	assert_true(e->caps & TM_CAP_CHANGE_AT_FIRST_LOGON);
	assert_int_equal(j->user.min_len, 4);
	assert_true(tm_model_has_alg(j, TM_KEY_RSA, 4096));
	/* JaCarta PKI speaks its own protocol, and its EC keys are not
	 * emulated (LASER's GENERATE makes RSA, jacarta-laser.md §6). */
	assert_int_equal(j->applet, TM_APPLET_LASER);
	assert_int_equal(k->applet, TM_APPLET_TUMAR);
	assert_false(tm_model_has_alg(j, TM_KEY_EC_P256, 256));
	assert_false(j->caps & TM_CAP_INIT_TOKEN);
	assert_false(tm_model_has_alg(k, TM_KEY_EC_P256, 256));
	assert_false(tm_model_has_alg(k, TM_KEY_RSA, 4096));
	assert_false(tm_model_has_alg(j, TM_KEY_RSA, 1536));
	assert_string_equal(id->user.factory, "");
}

static void test_atr_check_rejects(void **state)
{
	(void)state;
	const uint8_t bad_tck[] = {0x3B, 0x88, 0x01, 'K', 'A', 'Z', 'T', 'O', 'K', 'E', 'N', 0x83};
	const uint8_t short_hist[] = {0x3B, 0x88, 0x01, 'K', 'A', 'Z'};
	const uint8_t t0_only[] = {0x3B, 0x02, 0x14, 0x50}; /* T=0: no TCK */

	assert_false(tm_model_atr_check(bad_tck, sizeof(bad_tck)));
	assert_false(tm_model_atr_check(short_hist, sizeof(short_hist)));
	assert_true(tm_model_atr_check(t0_only, sizeof(t0_only)));
	assert_false(tm_model_atr_check(t0_only, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_model_is_consistent),
		cmocka_unit_test(test_facts_from_the_design),
		cmocka_unit_test(test_atr_check_rejects),
	};
	return cmocka_run_group_tests_name("emu_models", tests, NULL, NULL);
}
