/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Only a card that is gone looks like a removed card.  Not what other
 * applications send between our operations (OpenSC probing for its
 * applications, another application selected, another process binding
 * the applet) -- the login goes only when the card dropped it -- and not
 * an object the module cannot decode. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

#define TUMAR_SELECT "00A4040007F054554D41520100"
#define CARD_MANAGER_SELECT "00A4040008A00000015100000000"

static CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, NULL, 0};

static CK_RV sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = f->C_SignInit(s, &sha256_rsa, key);

	return rv == CKR_OK ? f->C_Sign(s, U("document"), 8, sig, &len) : rv;
}

static CK_ULONG count_objects(CK_SESSION_HANDLE s)
{
	return find_count(s, NULL, 0);
}

/* OpenSC's probe: SELECTs of applications the card does not have, and
 * GET DATA the applet does not know.  The card keeps our applet selected
 * (7816-4 §7.1.1): every operation goes on, logged in. */
static void test_probe_by_other_software(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(sign(s, priv), CKR_OK);
	assert_int_equal(tm_test_reader_foreign_apdu(0, "00A4040009A0000003080000100000"), 0x6A82);
	assert_int_equal(tm_test_reader_foreign_apdu(0, "00A4040006D2760001240100"), 0x6A82);
	assert_int_equal(tm_test_reader_foreign_apdu(0, "00CADF3005"), 0x6A88);
	assert_int_equal(sign(s, priv), CKR_OK);
	/* Another process binding the applet selects it again: our login
	 * stays (the card kept it). */
	assert_int_equal(tm_test_reader_foreign_apdu(0, TUMAR_SELECT), 0x9000);
	assert_int_equal(sign(s, priv), CKR_OK);
}

/* Another application selected: our next command gets 6D00.  The driver
 * selects the applet again and carries on: the session stays, the card
 * dropped the login so the module does too, and a new login signs.  An
 * operation without login just works. */
static void test_other_application_selected(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_SESSION_INFO si;

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(sign(s, priv), CKR_OK);
	assert_int_equal(tm_test_reader_foreign_apdu(0, CARD_MANAGER_SELECT), 0x9000);
	assert_int_equal(sign(s, priv), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(sign(s, priv), CKR_OK);

	/* Logged out, the directory is read through the reselection. */
	assert_int_equal(f->C_Logout(s), CKR_OK);
	CK_ULONG before = count_objects(s);
	assert_int_equal(tm_test_reader_foreign_apdu(0, CARD_MANAGER_SELECT), 0x9000);
	CK_TOKEN_INFO ti;
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_TOKEN_INITIALIZED);
	assert_int_equal(count_objects(s), before);
	/* A PIN change: the first command after the selection is VERIFY. */
	assert_int_equal(tm_test_reader_foreign_apdu(0, CARD_MANAGER_SELECT), 0x9000);
	assert_int_equal(f->C_SetPIN(s, U("12345678"), 8, U("87654321"), 8), CKR_OK);
	assert_int_equal(login(s, "87654321"), CKR_OK);
	assert_int_equal(sign(s, priv), CKR_OK);
}

/* A card that answers 6D00 even after the applet is selected again is
 * not ours any more: that, and only that, is a removal. */
static void test_card_without_applet(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	/* Another card, put in too fast for the reader to see: same model,
	 * another serial. */
	tm_test_reader_swap_card(0, "kaztoken", "UNIT0002");
	assert_int_equal(sign(s, priv), CKR_DEVICE_REMOVED);
	CK_SESSION_INFO si;
	assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
}

/* Every answer "file not found": a card in the reader that is none of
 * the tokens (a bank card, another applet). */
static void not_ours(const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t n)
{
	(void)cmd;
	(void)cmd_len;
	if (n >= 2) {
		resp[n - 2] = 0x6A;
		resp[n - 1] = 0x82;
	}
}

static CK_ULONG tokens_now(void)
{
	CK_SLOT_ID ids[TM_TEST_READERS];
	CK_ULONG n = TM_TEST_READERS;

	assert_int_equal(f->C_GetSlotList(CK_TRUE, ids, &n), CKR_OK);
	return n;
}

/* A card no driver knows is asked once per insertion, not at every
 * C_GetSlotList: its own application (another process, through pcscd)
 * would find our SELECTs in the middle of its work.  A new card in the
 * reader is asked again. */
static void test_foreign_card_asked_once(void **state)
{
	(void)state;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;

	tm_test_reader_insert(0, "kaztoken");
	tm_test_reader_insert(1, NULL);
	tm_test_reader_filter(0, not_ours);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(tokens_now(), 0);
	unsigned long asked = tm_test_reader_apdus(0);
	assert_true(asked > 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(tokens_now(), 0);
	assert_int_equal(f->C_GetSlotInfo(0, &si), CKR_OK);
	assert_false(si.flags & CKF_TOKEN_PRESENT);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(tm_test_reader_apdus(0), asked);

	tm_test_reader_replug(0); /* taken out and put back: asked again */
	assert_int_equal(tokens_now(), 0);
	unsigned long again = tm_test_reader_apdus(0);
	assert_true(again > asked);
	assert_int_equal(tokens_now(), 0);
	assert_int_equal(tm_test_reader_apdus(0), again);

	tm_test_reader_filter(0, NULL); /* a token goes in instead */
	tm_test_reader_replug(0);
	assert_int_equal(tokens_now(), 1);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
}

/* The directory's EC point with its last byte changed: off the curve. */
static void spoil_ec_point(const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t n)
{
	static const uint8_t get_directory[] = {0x00, 0xCA, 0x00, 0xE1};

	if (cmd_len < 4 || memcmp(cmd, get_directory, 4) != 0)
		return;
	for (size_t i = 0; i + 3 + 64 < n; i++)
		if (resp[i] == 0x86 && resp[i + 1] == 0x41 && resp[i + 2] == 0x04)
			resp[i + 2 + 64] ^= 0x01;
}

/* An object whose public key does not decode is left out; the token and
 * its other keys stay. */
static void test_undecodable_object_left_out(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv, ec_pub, ec_priv;
	CK_BYTE params[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, params, sizeof(params)}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, sizeof(yes)}, {CKA_ID, U("\x02"), 1}};
	CK_MECHANISM ec_gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_GenerateKeyPair(s, &ec_gen, pt, 1, kt, 2, &ec_pub, &ec_priv), CKR_OK);
	assert_int_equal(count_objects(s), 4);
	/* Another process's module reads the directory afresh. */
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	tm_test_reader_filter(0, spoil_ec_point);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	s = open_rw();
	assert_int_equal(count_objects(s), 1); /* the RSA public key; the EC key left out */
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(count_objects(s), 2);
	assert_int_equal(sign(s, priv), CKR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_probe_by_other_software, teardown),
		cmocka_unit_test_teardown(test_other_application_selected, teardown),
		cmocka_unit_test_teardown(test_card_without_applet, teardown),
		cmocka_unit_test_teardown(test_foreign_card_asked_once, teardown),
		cmocka_unit_test_teardown(test_undecodable_object_left_out, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
