/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PKCS#11 layer over virtual readers with in-process cards: CKR codes
 * for bad arguments and states, login and default-PIN policy, size
 * queries, attribute rules, the object cache, and APDUs per operation. */
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
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "driver/p11.h"
#include "driver/readers.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

static void test_library(void **state)
{
	(void)state;
	CK_INFO info;
	CK_C_INITIALIZE_ARGS args = {0};

	assert_int_equal(C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* Some but not all mutex functions: bad arguments (§5.4). */
	args.CreateMutex = (CK_CREATEMUTEX)1;
	assert_int_equal(f->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args = (CK_C_INITIALIZE_ARGS){.pReserved = &args};
	assert_int_equal(f->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args = (CK_C_INITIALIZE_ARGS){.flags = CKF_OS_LOCKING_OK};
	tm_test_reader_insert(0, "kaztoken");
	assert_int_equal(f->C_Initialize(&args), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 2);
	assert_int_equal(info.cryptokiVersion.minor, 40);
	assert_int_equal(f->C_Finalize((void *)1), CKR_ARGUMENTS_BAD);
}

static void test_slots_and_token_info(void **state)
{
	(void)state;
	CK_SLOT_ID list[4];
	CK_ULONG n = 0;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;

	start("kaztoken");
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	n = 1;
	assert_int_equal(f->C_GetSlotList(CK_FALSE, list, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 2);
	assert_int_equal(f->C_GetSlotList(CK_TRUE, list, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0], 0);
	assert_int_equal(f->C_GetSlotInfo(1, &si), CKR_OK);
	assert_false(si.flags & CKF_TOKEN_PRESENT);
	assert_int_equal(f->C_GetTokenInfo(1, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(f->C_GetSlotInfo(7, &si), CKR_SLOT_ID_INVALID);
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_equal(tm_test_reader_apdus(0), before); /* from the cache */
	assert_memory_equal(ti.model, "Kaztoken        ", 16);
	assert_memory_equal(ti.serialNumber, "UNIT0001        ", 16);
	assert_true(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	assert_true(ti.flags & CKF_TOKEN_INITIALIZED);
	assert_true(ti.flags & CKF_USER_PIN_INITIALIZED);
	assert_int_equal(ti.ulMinPinLen, 6);
	assert_int_equal(ti.ulMaxPinLen, 16);
	assert_int_equal(ti.ulTotalPublicMemory, 65536);
}

static void test_mechanisms(void **state)
{
	(void)state;
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = 64;
	CK_MECHANISM_INFO mi;

	start("kaztoken");
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(f->C_GetMechanismList(0, list, &n), CKR_OK);
	for (CK_ULONG i = 0; i < n; i++)
		assert_int_not_equal(list[i], CKM_ECDSA); /* no EC on a Kaztoken */
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_RSA_PKCS_KEY_PAIR_GEN, &mi), CKR_OK);
	assert_int_equal(mi.ulMinKeySize, 1024);
	assert_int_equal(mi.ulMaxKeySize, 2048);
	assert_true(mi.flags & CKF_HW);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_ECDSA, &mi), CKR_MECHANISM_INVALID);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS, &mi), CKR_OK);
	/* Java asks ~70 times at start: never the card. */
	assert_int_equal(tm_test_reader_apdus(0), before);
}

static void test_sessions_and_login(void **state)
{
	(void)state;
	CK_SESSION_HANDLE ro, rw;
	CK_SESSION_INFO info;
	CK_TOKEN_INFO ti;

	start("kaztoken");
	assert_int_equal(f->C_OpenSession(0, 0, NULL, NULL, &ro), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	rw = open_rw();
	assert_int_equal(f->C_GetSessionInfo(ro, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RO_PUBLIC_SESSION);
	assert_int_equal(f->C_GetSessionInfo(4242, &info), CKR_SESSION_HANDLE_INVALID);
	/* A PIN of the wrong length spends no try. */
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(login(ro, "123"), CKR_PIN_LEN_RANGE);
	assert_int_equal(tm_test_reader_apdus(0), before);
	assert_int_equal(login(ro, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_USER_PIN_COUNT_LOW);
	/* The SO may not log in while a R/O session is open (§5.6). */
	assert_int_equal(f->C_Login(rw, CKU_SO, U("87654321"), 8),
			 CKR_SESSION_READ_ONLY_EXISTS);
	assert_int_equal(f->C_Login(rw, 99, U("87654321"), 8), CKR_USER_TYPE_INVALID);
	assert_int_equal(f->C_Login(rw, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(login(ro, "12345678"), CKR_OK);
	assert_int_equal(login(rw, "12345678"), CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(f->C_GetSessionInfo(ro, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RO_USER_FUNCTIONS);
	assert_int_equal(f->C_GetSessionInfo(rw, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_USER_FUNCTIONS);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_false(ti.flags & CKF_USER_PIN_COUNT_LOW); /* restored by the right PIN */
	assert_int_equal(f->C_Logout(rw), CKR_OK);
	assert_int_equal(f->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_CloseSession(ro), CKR_OK);
	assert_int_equal(f->C_CloseSession(ro), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_CloseAllSessions(0), CKR_OK);
	assert_int_equal(f->C_GetSessionInfo(rw, &info), CKR_SESSION_HANDLE_INVALID);
}

static void test_default_pin_enforced(void **state)
{
	(void)state;
	char conf[] = "/tmp/tumar-conf-XXXXXX";
	int fd = mkstemp(conf);
	CK_TOKEN_INFO ti;

	assert_true(fd >= 0);
	assert_true(write(fd, "default_pin_policy = enforce\n", 29) == 29);
	close(fd);
	setenv("TUMAR_CONF", conf, 1);
	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_PIN_EXPIRED);
	/* Not logged in; C_SetPIN works without a login (§5.7). */
	CK_SESSION_INFO info;
	assert_int_equal(f->C_GetSessionInfo(s, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(f->C_SetPIN(s, U("12345678"), 8, U("Secret99"), 8), CKR_OK);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_false(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
	assert_int_equal(login(s, "Secret99"), CKR_OK);
	/* Setting the factory value again is still detected at login. */
	assert_int_equal(f->C_SetPIN(s, U("Secret99"), 8, U("12345678"), 8), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(login(s, "12345678"), CKR_PIN_EXPIRED);
	/* A new PIN the card refuses (too short for its rules). */
	assert_int_equal(f->C_SetPIN(s, U("12345678"), 8, U("123"), 3), CKR_PIN_LEN_RANGE);
	unlink(conf);
	setenv("TUMAR_CONF", "/nonexistent/tumar.conf", 1);
}

static void test_default_pin_warned(void **state)
{
	(void)state;
	CK_TOKEN_INFO ti;

	start("jacarta-pki");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK); /* policy warn */
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(ti.flags & CKF_USER_PIN_TO_BE_CHANGED);
}

static void test_keys_sign_verify(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[512], data[] = "EDS";
	CK_ULONG len;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	CK_OBJECT_HANDLE dummy;
	CK_MECHANISM g = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	/* The template is checked before the login (§5.1's order). */
	assert_int_equal(f->C_GenerateKeyPair(s, &g, NULL, 0, NULL, 0, &dummy, &dummy),
			 CKR_TEMPLATE_INCOMPLETE);
	CK_ULONG bits = 1024;
	CK_ATTRIBUTE bt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	assert_int_equal(f->C_GenerateKeyPair(s, &g, bt, 1, NULL, 0, &dummy, &dummy),
			 CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_SignInit(s, &m, pub), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OPERATION_ACTIVE);
	/* Size query and a small buffer: answered without the card. */
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(f->C_Sign(s, data, 3, NULL, &len), CKR_OK);
	assert_int_equal(len, 128);
	len = 10;
	assert_int_equal(f->C_Sign(s, data, 3, sig, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 128);
	assert_int_equal(tm_test_reader_apdus(0), before);
	unsigned long txns = tm_test_reader_transactions(0);
	assert_int_equal(f->C_Sign(s, data, 3, sig, &len), CKR_OK);
	/* A steady-state signature is one APDU, with no PC/SC transaction
	 * around it (nor around C_SignInit of a cached key). */
	assert_int_equal(tm_test_reader_apdus(0), before + 1);
	assert_int_equal(tm_test_reader_transactions(0), txns);
	assert_int_equal(f->C_Sign(s, data, 3, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_VerifyInit(s, &m, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, data, 3, sig, len), CKR_OK);
	sig[5] ^= 1;
	assert_int_equal(f->C_VerifyInit(s, &m, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, data, 3, sig, len), CKR_SIGNATURE_INVALID);
	/* Multi-part, as Java signs. */
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, data, 1), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, data + 1, 2), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->C_SignFinal(s, sig, &len), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &m, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, data, 3, sig, len), CKR_OK);
	/* Decryption: a size query, then the plaintext. */
	CK_MECHANISM rsa = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE ct[256], pt[256];
	CK_ULONG ct_len = sizeof(ct), pt_len;
	assert_int_equal(f->C_EncryptInit(s, &rsa, pub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, data, 3, ct, &ct_len), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &rsa, priv), CKR_OK);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, NULL, &pt_len), CKR_OK);
	assert_int_equal(pt_len, 128);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_int_equal(pt_len, 3);
	assert_memory_equal(pt, data, 3);
}

static void test_attributes(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE mod[256], big[8];
	CK_BBOOL sens = 0;
	CK_KEY_TYPE kt;

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	CK_ATTRIBUTE a[] = {
		{CKA_MODULUS, NULL, 0},
		{CKA_PRIVATE_EXPONENT, big, sizeof(big)},
		{CKA_SENSITIVE, &sens, sizeof(sens)},
		{CKA_KEY_TYPE, &kt, sizeof(kt)},
		{CKA_VENDOR_DEFINED, big, sizeof(big)},
	};
	assert_int_equal(f->C_GetAttributeValue(s, priv, a, 5), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(a[0].ulValueLen, 128);          /* a length query */
	assert_int_equal(a[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(sens, CK_TRUE);
	assert_int_equal(kt, CKK_RSA);
	assert_int_equal(a[4].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	CK_ATTRIBUTE b[] = {{CKA_PRIVATE_EXPONENT, big, sizeof(big)}};
	assert_int_equal(f->C_GetAttributeValue(s, priv, b, 1), CKR_ATTRIBUTE_SENSITIVE);
	CK_ATTRIBUTE c[] = {{CKA_MODULUS, big, sizeof(big)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, c, 1), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(c[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	CK_ATTRIBUTE d[] = {{CKA_MODULUS, mod, sizeof(mod)}};
	assert_int_equal(f->C_GetAttributeValue(s, pub, d, 1), CKR_OK);
	assert_int_equal(d[0].ulValueLen, 128);
	assert_int_equal(f->C_GetAttributeValue(s, 0x77777777, d, 1), CKR_OBJECT_HANDLE_INVALID);
	/* Labels change, and a read-only attribute does not.  The halves
	 * are objects of their own: the public key keeps its label. */
	CK_ATTRIBUTE lab[] = {{CKA_LABEL, U("AUTH_RSA"), 8}};
	assert_int_equal(f->C_SetAttributeValue(s, priv, lab, 1), CKR_OK);
	CK_ULONG bits = 1;
	CK_ATTRIBUTE ro[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	assert_int_equal(f->C_SetAttributeValue(s, pub, ro, 1), CKR_ATTRIBUTE_READ_ONLY);
	char got[16];
	CK_ATTRIBUTE gl[] = {{CKA_LABEL, got, sizeof(got)}};
	assert_int_equal(f->C_GetAttributeValue(s, priv, gl, 1), CKR_OK);
	assert_int_equal(gl[0].ulValueLen, 8);
	assert_memory_equal(got, "AUTH_RSA", 8);
	gl[0].ulValueLen = sizeof(got);
	assert_int_equal(f->C_GetAttributeValue(s, pub, gl, 1), CKR_OK);
	assert_int_equal(gl[0].ulValueLen, 3);
	assert_memory_equal(got, "RSA", 3);
}

static void test_find_uses_cache(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv, found[8];
	CK_ULONG n;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	unsigned long before = tm_test_reader_apdus(0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(f->C_FindObjectsInit(s, t, 1), CKR_OK);
		assert_int_equal(f->C_FindObjectsInit(s, t, 1), CKR_OPERATION_ACTIVE);
		assert_int_equal(f->C_FindObjects(s, found, 8, &n), CKR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(found[0], priv);
		assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	}
	assert_int_equal(tm_test_reader_apdus(0), before);
	assert_int_equal(f->C_FindObjects(s, found, 8, &n), CKR_OPERATION_NOT_INITIALIZED);
	/* After logout the private key is not found. */
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(s, t, 1), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, found, 8, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
}

static void test_cold_start_apdus(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv, found;
	CK_ULONG n, len;
	CK_BYTE sig[256];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	/* Cold: C_Initialize to the first signature. */
	tm_test_reader_apdus(0);
	unsigned long before = tm_test_reader_apdus(0);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	n = 0;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(s, t, 1), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, &found, 1, &n), CKR_OK);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &m, found), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, U("x"), 1, sig, &len), CKR_OK);
	unsigned long cold = tm_test_reader_apdus(0) - before;
	print_message("cold start to first signature: %lu APDUs\n", cold);
	assert_true(cold <= 8);
}

/* Another application resets the card between our signatures: the
 * signature sent without a transaction sees the reset, the card is taken
 * back (selected again, our login gone), the session stays, and a new
 * login signs.  The same for a decryption. */
static void test_foreign_reset(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[256], pt[256];
	CK_ULONG len = sizeof(sig), pt_len = sizeof(pt);
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0}, rsa = {CKM_RSA_PKCS, NULL, 0};
	CK_SESSION_INFO si;

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, U("a"), 1, sig, &len), CKR_OK);
	tm_test_reader_foreign_reset(0);
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK); /* a cached key: no card */
	len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, U("a"), 1, sig, &len), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, U("a"), 1, sig, &len), CKR_OK);
	/* A decryption the same way. */
	CK_BYTE ct[128];
	CK_ULONG ct_len = sizeof(ct);
	assert_int_equal(f->C_EncryptInit(s, &rsa, pub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, U("EDS"), 3, ct, &ct_len), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &rsa, priv), CKR_OK);
	tm_test_reader_foreign_reset(0);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &rsa, priv), CKR_OK);
	pt_len = sizeof(pt);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_memory_equal(pt, "EDS", 3);
}

/* C_WaitForSlotEvent: without blocking, and blocking until a card goes
 * in; C_Finalize from another thread ends a blocked wait (§5.4). */
struct waiter {
	CK_SLOT_ID slot;
	CK_RV rv;
	atomic_bool done;
};

static void *wait_for_event(void *arg)
{
	struct waiter *w = arg;
	w->rv = f->C_WaitForSlotEvent(0, &w->slot, NULL);
	atomic_store(&w->done, true);
	return NULL;
}

static void drain_events(void)
{
	CK_SLOT_ID s;
	while (f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &s, NULL) == CKR_OK)
		;
}

static void test_wait_for_slot_event(void **state)
{
	(void)state;
	struct waiter w = {.slot = 99};
	pthread_t th;
	CK_SLOT_ID s;

	start("kaztoken");
	drain_events();
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &s, NULL), CKR_NO_EVENT);
	assert_int_equal(f->C_WaitForSlotEvent(0, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(pthread_create(&th, NULL, wait_for_event, &w), 0);
	usleep(100000);
	assert_false(atomic_load(&w.done)); /* it blocks: nothing happened */
	tm_test_reader_insert(1, "jacarta-pki");
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.rv, CKR_OK);
	assert_int_equal(w.slot, 1);
}

static void test_finalize_ends_wait(void **state)
{
	(void)state;
	struct waiter w = {.slot = 99};
	pthread_t th;

	start("kaztoken");
	drain_events();
	assert_int_equal(pthread_create(&th, NULL, wait_for_event, &w), 0);
	usleep(50000);
	assert_false(atomic_load(&w.done));
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.rv, CKR_CRYPTOKI_NOT_INITIALIZED);
	/* And the module starts again. */
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
}

/* A child of fork() must call C_Initialize before anything else (PKCS#11
 * 2.40 §5.4: the parent's state is not the child's); the parent carries
 * on. */
static void test_fork(void **state)
{
	(void)state;
	CK_INFO info;
	int status;

	start("kaztoken");
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		bool ok = f->C_GetInfo(&info) == CKR_CRYPTOKI_NOT_INITIALIZED &&
			  f->C_Initialize(NULL) == CKR_OK && f->C_GetInfo(&info) == CKR_OK &&
			  f->C_Finalize(NULL) == CKR_OK;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(p, &status, 0), p);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);
}

/* CKU_CONTEXT_SPECIFIC: the PIN again for an operation in progress. */
static void test_context_specific_login(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[256];
	CK_ULONG len = sizeof(sig);

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC, U("12345678"), 8),
			 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC, U("11111111"), 8), CKR_PIN_INCORRECT);
	assert_int_equal(f->C_Login(s, CKU_CONTEXT_SPECIFIC, U("12345678"), 8), CKR_OK);
	assert_int_equal(f->C_Sign(s, U("EDS"), 3, sig, &len), CKR_OK);
	assert_int_equal(f->C_Login(s, 7, U("12345678"), 8), CKR_USER_TYPE_INVALID);
}

static void test_card_removed(void **state)
{
	(void)state;
	CK_SESSION_INFO info;
	CK_ULONG n = 0;

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	tm_test_reader_remove(0);
	CK_BYTE r[8];
	/* The first call that meets the empty reader says so ... */
	assert_int_equal(f->C_GenerateRandom(s, r, 8), CKR_DEVICE_REMOVED);
	/* ... and the session is gone with the token. */
	assert_int_equal(f->C_GetSessionInfo(s, &info), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 0);
	tm_test_reader_insert(0, "kaztoken");
	assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	s = open_rw();
	assert_int_equal(f->C_GenerateRandom(s, r, 8), CKR_OK);
	CK_SLOT_ID ev;
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	assert_int_equal(ev, 0);
	/* An application that fills its buffer without a size query sees
	 * the card go and come back all the same. */
	CK_SLOT_ID list[4];
	tm_test_reader_remove(0);
	n = 4;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, list, &n), CKR_OK);
	assert_int_equal(n, 0);
	tm_test_reader_insert(0, "jacarta-pki");
	n = 4;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, list, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0], 0);
}

static void test_objects(void **state)
{
	(void)state;
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_TOKEN, &yes, sizeof(yes)},
			    {CKA_VALUE, U("hello"), 5}, {CKA_LABEL, U("note"), 4}, {CKA_APPLICATION, U("app"), 3}};
	CK_ATTRIBUTE session_obj[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_TOKEN, &no, sizeof(no)},
				      {CKA_VALUE, U("x"), 1}};
	CK_ULONG size;
	char v[8];

	start("etoken-pro-72k");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(f->C_CreateObject(s, t, 5, &h), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	assert_int_equal(f->C_CreateObject(s, session_obj, 3, &h), CKR_OK); /* test_p11_objects.c */
	assert_int_equal(f->C_CreateObject(s, t, 3 - 1, &h), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->C_CreateObject(s, t, 5, &h), CKR_OK);
	assert_int_equal(f->C_GetObjectSize(s, h, &size), CKR_OK);
	assert_int_equal(size, 5);
	CK_ATTRIBUTE get[] = {{CKA_VALUE, v, sizeof(v)}};
	assert_int_equal(f->C_GetAttributeValue(s, h, get, 1), CKR_OK);
	assert_int_equal(get[0].ulValueLen, 5);
	assert_memory_equal(v, "hello", 5);
	/* Not a certificate: refused. */
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE;
	CK_ATTRIBUTE bad[] = {{CKA_CLASS, &cert, sizeof(cert)}, {CKA_VALUE, U("nope"), 4},
			      {CKA_TOKEN, &yes, sizeof(yes)}};
	assert_int_equal(f->C_CreateObject(s, bad, 3, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	CK_OBJECT_HANDLE h2;
	assert_int_equal(f->C_CreateObject(s, t, 5, &h2), CKR_OK);
	assert_int_equal(f->C_DestroyObject(s, h2), CKR_OK);
	assert_int_equal(f->C_DestroyObject(s, h2), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(f->C_CopyObject(s, h, NULL, 0, &h2), CKR_ACTION_PROHIBITED);
}

static int mutexes_made, locks_taken;
static CK_RV my_create(CK_VOID_PTR_PTR m) { *m = calloc(1, 1); mutexes_made++; return CKR_OK; }
static CK_RV my_destroy(CK_VOID_PTR m) { free(m); return CKR_OK; }
static CK_RV my_lock(CK_VOID_PTR m) { (void)m; locks_taken++; return CKR_OK; }
static CK_RV my_unlock(CK_VOID_PTR m) { (void)m; return CKR_OK; }

/* Case 3 of §5.4: the application's mutex functions, no OS flag. */
static void test_application_mutexes(void **state)
{
	(void)state;
	CK_C_INITIALIZE_ARGS args = {.CreateMutex = my_create, .DestroyMutex = my_destroy,
				     .LockMutex = my_lock, .UnlockMutex = my_unlock};
	CK_TOKEN_INFO ti;

	tm_test_reader_insert(0, "kaztoken");
	assert_int_equal(f->C_Initialize(&args), CKR_OK);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_true(mutexes_made >= 2); /* the tables' and the slots' */
	assert_true(locks_taken > 0);
}

static void test_pss_and_ecdsa(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[512], data[] = "PSS";
	CK_ULONG len = sizeof(sig);
	CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof(pss)};
	CK_MECHANISM bad = {CKM_SHA256_RSA_PKCS_PSS, &pss, 3};

	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_SignInit(s, &bad, priv), CKR_MECHANISM_PARAM_INVALID);
	pss.hashAlg = CKM_SHA_1; /* disagrees with the mechanism's hash */
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	pss.hashAlg = CKM_SHA256;
	assert_int_equal(f->C_SignInit(s, &m, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, data, 3, sig, &len), CKR_OK);
	assert_int_equal(f->C_VerifyInit(s, &m, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, data, 3, sig, len), CKR_OK);

	/* ECDSA on P-256: r || s, 64 bytes. */
	CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	CK_BYTE p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, p384, sizeof(p384)}};
	CK_MECHANISM g = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_OBJECT_HANDLE epub, epriv;
	assert_int_equal(f->C_GenerateKeyPair(s, &g, pt, 1, NULL, 0, &epub, &epriv), CKR_CURVE_NOT_SUPPORTED);
	pt[0] = (CK_ATTRIBUTE){CKA_EC_PARAMS, p256, sizeof(p256)};
	assert_int_equal(f->C_GenerateKeyPair(s, &g, pt, 1, NULL, 0, &epub, &epriv), CKR_OK);
	CK_MECHANISM e = {CKM_ECDSA_SHA256, NULL, 0};
	len = sizeof(sig);
	assert_int_equal(f->C_SignInit(s, &e, epriv), CKR_OK);
	assert_int_equal(f->C_Sign(s, data, 3, sig, &len), CKR_OK);
	assert_int_equal(len, 64);
	assert_int_equal(f->C_VerifyInit(s, &e, epub), CKR_OK);
	assert_int_equal(f->C_Verify(s, data, 3, sig, len), CKR_OK);
	/* An RSA mechanism with the EC key. */
	assert_int_equal(f->C_SignInit(s, &m, epriv), CKR_KEY_TYPE_INCONSISTENT);
}

static void test_init_token(void **state)
{
	(void)state;
	CK_UTF8CHAR label[32];
	CK_TOKEN_INFO ti;
	CK_SLOT_ID ev;

	start("kaztoken");
	memset(label, ' ', sizeof(label));
	memcpy(label, "Fresh", 5);
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(f->C_InitToken(0, U("87654321"), 8, label), CKR_SESSION_EXISTS);
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
	assert_int_equal(f->C_InitToken(0, U("00000000"), 8, label), CKR_PIN_INCORRECT);
	assert_int_equal(f->C_InitToken(0, U("87654321"), 8, label), CKR_OK);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_memory_equal(ti.label, "Fresh ", 6);
	assert_false(ti.flags & CKF_USER_PIN_INITIALIZED);
	/* The SO sets the user PIN. */
	s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_USER_PIN_NOT_INITIALIZED);
	assert_int_equal(f->C_InitPIN(s, U("24681357"), 8), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_Login(s, CKU_SO, U("87654321"), 8), CKR_OK);
	assert_int_equal(f->C_InitPIN(s, U("123"), 3), CKR_PIN_LEN_RANGE);
	assert_int_equal(f->C_InitPIN(s, U("24681357"), 8), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(login(s, "24681357"), CKR_OK);
	/* Nothing happened to any reader since: no event. */
	while (f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_library, teardown),
		cmocka_unit_test_teardown(test_slots_and_token_info, teardown),
		cmocka_unit_test_teardown(test_mechanisms, teardown),
		cmocka_unit_test_teardown(test_sessions_and_login, teardown),
		cmocka_unit_test_teardown(test_default_pin_enforced, teardown),
		cmocka_unit_test_teardown(test_default_pin_warned, teardown),
		cmocka_unit_test_teardown(test_keys_sign_verify, teardown),
		cmocka_unit_test_teardown(test_attributes, teardown),
		cmocka_unit_test_teardown(test_find_uses_cache, teardown),
		cmocka_unit_test_teardown(test_cold_start_apdus, teardown),
		cmocka_unit_test_teardown(test_foreign_reset, teardown),
		cmocka_unit_test_teardown(test_wait_for_slot_event, teardown),
		cmocka_unit_test_teardown(test_finalize_ends_wait, teardown),
		cmocka_unit_test_teardown(test_fork, teardown),
		cmocka_unit_test_teardown(test_context_specific_login, teardown),
		cmocka_unit_test_teardown(test_card_removed, teardown),
		cmocka_unit_test_teardown(test_objects, teardown),
		cmocka_unit_test_teardown(test_application_mutexes, teardown),
		cmocka_unit_test_teardown(test_pss_and_ecdsa, teardown),
		cmocka_unit_test_teardown(test_init_token, teardown),
	};
	return cmocka_run_group_tests_name("p11", tests, setup, NULL);
}
