/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER card driver (driver/card_laser.c) against the LASER applet
 * in this process: bind, login and tries, the factory PIN, keys made on
 * the card, a steady-state signature in one APDU that stays right when
 * another application selects another file or key, decryption, PIN
 * change and unblock under secure messaging, certificates and private
 * data objects as attribute files. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

static CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, NULL, 0};

/* The module starts over with the same card in the reader. */
static void restart(void)
{
	CK_ULONG n = 0;
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
}

static CK_RV sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, const char *msg, CK_BYTE *sig,
		  CK_ULONG *len)
{
	CK_RV rv = f->C_SignInit(s, &sha256_rsa, k);
	return rv == CKR_OK ? f->C_Sign(s, U(msg), strlen(msg), sig, len) : rv;
}

static CK_RV verify(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, const char *msg, CK_BYTE *sig,
		    CK_ULONG len)
{
	CK_RV rv = f->C_VerifyInit(s, &sha256_rsa, pub);
	return rv == CKR_OK ? f->C_Verify(s, U(msg), strlen(msg), sig, len) : rv;
}

static void test_bind_and_login(void **state)
{
	CK_TOKEN_INFO ti;
	(void)state;
	start("jacarta-pki");
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_memory_equal(ti.label, "JaCarta PKI ", 12);
	assert_memory_equal(ti.model, "JaCarta PKI ", 12);
	assert_memory_equal(ti.serialNumber, "UNIT0001", 8);
	assert_true(ti.flags & CKF_LOGIN_REQUIRED);
	assert_int_equal(ti.ulMinPinLen, 4);
	assert_int_equal(ti.ulMaxPinLen, 16);
	/* LASER says nothing of its memory: unknown, not a full card. */
	assert_true(ti.ulTotalPublicMemory == CK_UNAVAILABLE_INFORMATION);
	assert_true(ti.ulFreePublicMemory == CK_UNAVAILABLE_INFORMATION);
	assert_true(ti.ulFreePrivateMemory == CK_UNAVAILABLE_INFORMATION);
	/* The factory PIN is known before anyone logs in (EEEF's 02C4). */
	assert_true(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "0000"), CKR_PIN_INCORRECT);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_USER_PIN_COUNT_LOW);
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	/* The NCA's factory PIN: the token says it must be changed. */
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	assert_false(ti.flags & CKF_USER_PIN_COUNT_LOW);
}

/* A JaCarta in reader 0, logged in, with an RSA key pair made on it. */
static CK_SESSION_HANDLE with_key(CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, pub, priv);
	return s;
}

static void test_keys_and_one_apdu_signatures(void **state)
{
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);
	(void)state;
	CK_SESSION_HANDLE s = with_key(&pub, &priv);
	assert_int_equal(sign(s, priv, "first", sig, &len), CKR_OK);
	assert_int_equal(len, 128);
	assert_int_equal(verify(s, pub, "first", sig, len), CKR_OK);
	/* The steady state: one PSO, no SELECT. */
	unsigned long before = tm_test_reader_apdus(0);
	len = sizeof(sig);
	assert_int_equal(sign(s, priv, "second", sig, &len), CKR_OK);
	assert_int_equal(tm_test_reader_apdus(0) - before, 1);
	assert_int_equal(verify(s, pub, "second", sig, len), CKR_OK);
	/* Another application selects a file: PSO finds no key, the driver
	 * selects ours and signs again. */
	assert_int_equal(tm_test_reader_foreign_apdu(0, "80A4080C063F003000C00000"), 0x9000);
	len = sizeof(sig);
	assert_int_equal(sign(s, priv, "third", sig, &len), CKR_OK);
	assert_int_equal(verify(s, pub, "third", sig, len), CKR_OK);
	/* The key is found again after the module starts over. */
	restart();
	s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, U("\x01"), 1}};
	assert_int_equal(find_count(s, t, 2), 1);
}

static void test_foreign_key_selected(void **state)
{
	CK_OBJECT_HANDLE pub1, priv1, pub2, priv2;
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);
	(void)state;
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub1, &priv1);
	CK_ULONG bits = 1024;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_TOKEN, &yes, 1}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, 1}, {CKA_ID, U("\x02"), 1}, {CKA_TOKEN, &yes, 1}};
	CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	assert_int_equal(f->C_GenerateKeyPair(s, &gen, pt, 2, kt, 3, &pub2, &priv2), CKR_OK);
	assert_int_equal(sign(s, priv1, "one", sig, &len), CKR_OK);
	/* Another application selects the other key's KO: PSO would sign
	 * with it; the driver sees the signature is not its key's. */
	assert_int_equal(tm_test_reader_foreign_apdu(0, "80A4080C083F0030003002004200"), 0x9000);
	len = sizeof(sig);
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(sign(s, priv1, "two", sig, &len), CKR_OK);
	assert_int_equal(tm_test_reader_apdus(0) - before, 3); /* PSO, SELECT, PSO */
	assert_int_equal(verify(s, pub1, "two", sig, len), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(sign(s, priv2, "three", sig, &len), CKR_OK);
	assert_int_equal(verify(s, pub2, "three", sig, len), CKR_OK);
}

/* Another application is selected (the card manager): the card forgot
 * our login, not the card; the session stays, a new login signs.  And a
 * process that binds the LASER application again keeps our login. */
static void test_other_application_selected(void **state)
{
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);
	(void)state;
	CK_SESSION_HANDLE s = with_key(&pub, &priv);
	assert_int_equal(sign(s, priv, "one", sig, &len), CKR_OK);
	assert_int_equal(tm_test_reader_foreign_apdu(0, "00A4040C0CA0000001644C41534552000100"),
			 0x9000);
	len = sizeof(sig);
	assert_int_equal(sign(s, priv, "two", sig, &len), CKR_OK);
	assert_int_equal(tm_test_reader_foreign_apdu(0, "00A4040008A00000015100000000"), 0x9000);
	len = sizeof(sig);
	assert_int_equal(sign(s, priv, "three", sig, &len), CKR_USER_NOT_LOGGED_IN);
	CK_SESSION_INFO info;
	assert_int_equal(f->C_GetSessionInfo(s, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(sign(s, priv, "four", sig, &len), CKR_OK);
	assert_int_equal(verify(s, pub, "four", sig, len), CKR_OK);
}

static void test_decrypt(void **state)
{
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE ct[128], pt[128];
	CK_ULONG ct_len = sizeof(ct), pt_len = sizeof(pt);
	(void)state;
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_EncryptInit(s, &m, pub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, U("session key"), 11, ct, &ct_len), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &m, priv), CKR_OK);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_int_equal(pt_len, 11);
	assert_memory_equal(pt, "session key", 11);
}

/* PSS and OAEP: padded on the host around the card's raw RSA. */
static void test_pss_and_oaep(void **state)
{
	CK_OBJECT_HANDLE pub, priv;
	CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof(pss)};
	CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
	CK_MECHANISM om = {CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
	CK_BYTE sig[128], ct[128], pt[128];
	CK_ULONG len = sizeof(sig), ct_len = sizeof(ct), pt_len = sizeof(pt);
	(void)state;
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub, &priv);
	for (int i = 0; i < 2; i++) { /* the second in the steady state */
		len = sizeof(sig);
		assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
		assert_int_equal(f->C_Sign(s, U("pss"), 3, sig, &len), CKR_OK);
		assert_int_equal(f->C_VerifyInit(s, &m, pub), CKR_OK);
		assert_int_equal(f->C_Verify(s, U("pss"), 3, sig, len), CKR_OK);
	}
	assert_int_equal(f->C_EncryptInit(s, &om, pub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, U("oaep secret"), 11, ct, &ct_len), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &om, priv), CKR_OK);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_int_equal(pt_len, 11);
	assert_memory_equal(pt, "oaep secret", 11);
	/* A cryptogram that is not OAEP: the padding check fails. */
	ct[5] ^= 1;
	pt_len = sizeof(pt);
	assert_int_equal(f->C_DecryptInit(s, &om, priv), CKR_OK);
	assert_int_not_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
}

static void test_change_and_unblock(void **state)
{
	CK_TOKEN_INFO ti;
	(void)state;
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	/* C_SetPIN: the driver verifies, opens SM, sends 80 24 wrapped. */
	assert_int_equal(f->C_SetPIN(s, U("1234567890"), 10, U("24681357"), 8), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(login(s, "1234567890"), CKR_PIN_INCORRECT);
	assert_int_equal(login(s, "24681357"), CKR_OK);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_false(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	/* Blocked, then unblocked by the SO with C_InitPIN. */
	CK_RV rv;
	for (int i = 0; i < 20 && (rv = login(s, "1111")) == CKR_PIN_INCORRECT; i++)
		;
	assert_int_equal(rv, CKR_PIN_LOCKED);
	assert_int_equal(login(s, "24681357"), CKR_PIN_LOCKED);
	assert_int_equal(f->C_Login(s, CKU_SO, U("00000000"), 8), CKR_OK);
	assert_int_equal(f->C_InitPIN(s, U("13572468"), 8), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(login(s, "13572468"), CKR_OK);
}

static void test_certificates_and_data(void **state)
{
	CK_OBJECT_HANDLE pub, priv, cert, data;
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE, dc = CKO_DATA;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	unsigned char *der = NULL;
	int der_len = make_cert(&der);
	(void)state;
	assert_true(der_len > 0);
	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub, &priv);
	CK_ATTRIBUTE ct[] = {{CKA_CLASS, &cc, sizeof(cc)}, {CKA_CERTIFICATE_TYPE, &x509, sizeof(x509)},
			     {CKA_TOKEN, &yes, 1}, {CKA_ID, U("\x01"), 1}, {CKA_LABEL, U("cert"), 4},
			     {CKA_VALUE, der, (CK_ULONG)der_len}};
	assert_int_equal(f->C_CreateObject(s, ct, 6, &cert), CKR_OK);
	CK_ATTRIBUTE dt[] = {{CKA_CLASS, &dc, sizeof(dc)}, {CKA_TOKEN, &yes, 1},
			     {CKA_PRIVATE, &yes, 1}, {CKA_LABEL, U("secret"), 6},
			     {CKA_VALUE, U("sixteen bytes!!!"), 16}};
	assert_int_equal(f->C_CreateObject(s, dt, 5, &data), CKR_OK);
	/* Read back after the module starts over: the files hold them. */
	restart();
	s = open_rw();
	CK_ATTRIBUTE q[] = {{CKA_CLASS, &cc, sizeof(cc)}};
	assert_int_equal(find_count(s, q, 1), 1);
	CK_ATTRIBUTE qd[] = {{CKA_CLASS, &dc, sizeof(dc)}};
	assert_int_equal(find_count(s, qd, 1), 0); /* private: not before login */
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(find_count(s, qd, 1), 1);
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;
	assert_int_equal(f->C_FindObjectsInit(s, q, 1), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, h, 2, &n), CKR_OK);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	unsigned char value[4096];
	CK_ATTRIBUTE v = {CKA_VALUE, value, sizeof(value)};
	assert_int_equal(f->C_GetAttributeValue(s, h[0], &v, 1), CKR_OK);
	assert_int_equal(v.ulValueLen, (CK_ULONG)der_len);
	assert_memory_equal(value, der, (size_t)der_len);
	assert_int_equal(f->C_DestroyObject(s, h[0]), CKR_OK);
	assert_int_equal(find_count(s, q, 1), 0);
	OPENSSL_free(der);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bind_and_login, teardown),
		cmocka_unit_test_teardown(test_keys_and_one_apdu_signatures, teardown),
		cmocka_unit_test_teardown(test_foreign_key_selected, teardown),
		cmocka_unit_test_teardown(test_other_application_selected, teardown),
		cmocka_unit_test_teardown(test_decrypt, teardown),
		cmocka_unit_test_teardown(test_pss_and_oaep, teardown),
		cmocka_unit_test_teardown(test_change_and_unblock, teardown),
		cmocka_unit_test_teardown(test_certificates_and_data, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
