/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PKCS#11 2.40 base specification: the return codes every entry point
 * owes before it does anything -- CKR_CRYPTOKI_NOT_INITIALIZED before
 * C_Initialize (§5.4: "any call other than C_Initialize and
 * C_GetFunctionList"), CKR_SESSION_HANDLE_INVALID for a handle that is no
 * session (§5.1, §5.6), CKR_ARGUMENTS_BAD for NULL where a pointer is
 * required (§5.1) -- whether or not the module offers the function: the
 * state and the handle are checked first, "not supported" comes after. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "driver/module.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

/* Every session function, called with plausible arguments on handle h. */
static CK_BYTE buf[512];
static CK_ULONG len;
static CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, NULL, 0};
static CK_MECHANISM sha256 = {CKM_SHA256, NULL, 0};
#define OBJ ((CK_OBJECT_HANDLE)1)
#define IN buf, 16
#define OUT buf, (len = sizeof(buf), &len)

static CK_RV close_session(CK_SESSION_HANDLE h) { return f->C_CloseSession(h); }
static CK_RV session_info(CK_SESSION_HANDLE h) { CK_SESSION_INFO i; return f->C_GetSessionInfo(h, &i); }
static CK_RV get_op_state(CK_SESSION_HANDLE h) { return f->C_GetOperationState(h, OUT); }
static CK_RV set_op_state(CK_SESSION_HANDLE h) { return f->C_SetOperationState(h, IN, 0, 0); }
static CK_RV login_(CK_SESSION_HANDLE h) { return f->C_Login(h, CKU_USER, U("12345678"), 8); }
static CK_RV logout(CK_SESSION_HANDLE h) { return f->C_Logout(h); }
static CK_RV init_pin(CK_SESSION_HANDLE h) { return f->C_InitPIN(h, U("12345678"), 8); }
static CK_RV set_pin(CK_SESSION_HANDLE h) { return f->C_SetPIN(h, U("12345678"), 8, U("87654321"), 8); }
static CK_OBJECT_CLASS data_class = CKO_DATA;
static CK_ATTRIBUTE data_tmpl[] = {{CKA_CLASS, &data_class, sizeof(data_class)}};
static CK_RV create(CK_SESSION_HANDLE h) { CK_OBJECT_HANDLE o; return f->C_CreateObject(h, data_tmpl, 1, &o); }
static CK_RV copy(CK_SESSION_HANDLE h) { CK_OBJECT_HANDLE o; return f->C_CopyObject(h, OBJ, data_tmpl, 1, &o); }
static CK_RV destroy(CK_SESSION_HANDLE h) { return f->C_DestroyObject(h, OBJ); }
static CK_RV object_size(CK_SESSION_HANDLE h) { return f->C_GetObjectSize(h, OBJ, &len); }
static CK_RV get_attr(CK_SESSION_HANDLE h) { return f->C_GetAttributeValue(h, OBJ, data_tmpl, 1); }
static CK_RV set_attr(CK_SESSION_HANDLE h) { return f->C_SetAttributeValue(h, OBJ, data_tmpl, 1); }
static CK_RV find_init(CK_SESSION_HANDLE h) { return f->C_FindObjectsInit(h, NULL, 0); }
static CK_RV find(CK_SESSION_HANDLE h) { CK_OBJECT_HANDLE o[2]; return f->C_FindObjects(h, o, 2, &len); }
static CK_RV find_final(CK_SESSION_HANDLE h) { return f->C_FindObjectsFinal(h); }
static CK_RV encrypt_init(CK_SESSION_HANDLE h) { return f->C_EncryptInit(h, &sha256_rsa, OBJ); }
static CK_RV encrypt(CK_SESSION_HANDLE h) { return f->C_Encrypt(h, IN, OUT); }
static CK_RV encrypt_update(CK_SESSION_HANDLE h) { return f->C_EncryptUpdate(h, IN, OUT); }
static CK_RV encrypt_final(CK_SESSION_HANDLE h) { return f->C_EncryptFinal(h, OUT); }
static CK_RV decrypt_init(CK_SESSION_HANDLE h) { return f->C_DecryptInit(h, &sha256_rsa, OBJ); }
static CK_RV decrypt(CK_SESSION_HANDLE h) { return f->C_Decrypt(h, IN, OUT); }
static CK_RV decrypt_update(CK_SESSION_HANDLE h) { return f->C_DecryptUpdate(h, IN, OUT); }
static CK_RV decrypt_final(CK_SESSION_HANDLE h) { return f->C_DecryptFinal(h, OUT); }
static CK_RV digest_init(CK_SESSION_HANDLE h) { return f->C_DigestInit(h, &sha256); }
static CK_RV digest(CK_SESSION_HANDLE h) { return f->C_Digest(h, IN, OUT); }
static CK_RV digest_update(CK_SESSION_HANDLE h) { return f->C_DigestUpdate(h, IN); }
static CK_RV digest_key(CK_SESSION_HANDLE h) { return f->C_DigestKey(h, OBJ); }
static CK_RV digest_final(CK_SESSION_HANDLE h) { return f->C_DigestFinal(h, OUT); }
static CK_RV sign_init(CK_SESSION_HANDLE h) { return f->C_SignInit(h, &sha256_rsa, OBJ); }
static CK_RV sign(CK_SESSION_HANDLE h) { return f->C_Sign(h, IN, OUT); }
static CK_RV sign_update(CK_SESSION_HANDLE h) { return f->C_SignUpdate(h, IN); }
static CK_RV sign_final(CK_SESSION_HANDLE h) { return f->C_SignFinal(h, OUT); }
static CK_RV sign_recover_init(CK_SESSION_HANDLE h) { return f->C_SignRecoverInit(h, &sha256_rsa, OBJ); }
static CK_RV sign_recover(CK_SESSION_HANDLE h) { return f->C_SignRecover(h, IN, OUT); }
static CK_RV verify_init(CK_SESSION_HANDLE h) { return f->C_VerifyInit(h, &sha256_rsa, OBJ); }
static CK_RV verify(CK_SESSION_HANDLE h) { return f->C_Verify(h, IN, IN); }
static CK_RV verify_update(CK_SESSION_HANDLE h) { return f->C_VerifyUpdate(h, IN); }
static CK_RV verify_final(CK_SESSION_HANDLE h) { return f->C_VerifyFinal(h, IN); }
static CK_RV verify_recover_init(CK_SESSION_HANDLE h) { return f->C_VerifyRecoverInit(h, &sha256_rsa, OBJ); }
static CK_RV verify_recover(CK_SESSION_HANDLE h) { return f->C_VerifyRecover(h, IN, OUT); }
static CK_RV digest_encrypt(CK_SESSION_HANDLE h) { return f->C_DigestEncryptUpdate(h, IN, OUT); }
static CK_RV decrypt_digest(CK_SESSION_HANDLE h) { return f->C_DecryptDigestUpdate(h, IN, OUT); }
static CK_RV sign_encrypt(CK_SESSION_HANDLE h) { return f->C_SignEncryptUpdate(h, IN, OUT); }
static CK_RV decrypt_verify(CK_SESSION_HANDLE h) { return f->C_DecryptVerifyUpdate(h, IN, OUT); }
static CK_MECHANISM rsa_gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
static CK_RV generate_key(CK_SESSION_HANDLE h) { CK_OBJECT_HANDLE o; return f->C_GenerateKey(h, &rsa_gen, NULL, 0, &o); }
static CK_RV generate_pair(CK_SESSION_HANDLE h)
{
	CK_OBJECT_HANDLE a, b;
	return f->C_GenerateKeyPair(h, &rsa_gen, NULL, 0, NULL, 0, &a, &b);
}
static CK_RV wrap(CK_SESSION_HANDLE h) { return f->C_WrapKey(h, &sha256_rsa, OBJ, OBJ, OUT); }
static CK_RV unwrap(CK_SESSION_HANDLE h) { CK_OBJECT_HANDLE o; return f->C_UnwrapKey(h, &sha256_rsa, OBJ, IN, NULL, 0, &o); }
static CK_RV derive(CK_SESSION_HANDLE h) { CK_OBJECT_HANDLE o; return f->C_DeriveKey(h, &sha256_rsa, OBJ, NULL, 0, &o); }
static CK_RV seed(CK_SESSION_HANDLE h) { return f->C_SeedRandom(h, IN); }
static CK_RV random_(CK_SESSION_HANDLE h) { return f->C_GenerateRandom(h, buf, 16); }
static CK_RV function_status(CK_SESSION_HANDLE h) { return f->C_GetFunctionStatus(h); }
static CK_RV cancel(CK_SESSION_HANDLE h) { return f->C_CancelFunction(h); }

/* The section of PKCS#11 2.40 that defines each function. */
static const struct row {
	const char *name, *section;
	CK_RV (*call)(CK_SESSION_HANDLE h);
} session_functions[] = {
	{"C_CloseSession", "5.6", close_session},
	{"C_GetSessionInfo", "5.6", session_info},
	{"C_GetOperationState", "5.6", get_op_state},
	{"C_SetOperationState", "5.6", set_op_state},
	{"C_Login", "5.6", login_},
	{"C_Logout", "5.6", logout},
	{"C_InitPIN", "5.5", init_pin},
	{"C_SetPIN", "5.5", set_pin},
	{"C_CreateObject", "5.7", create},
	{"C_CopyObject", "5.7", copy},
	{"C_DestroyObject", "5.7", destroy},
	{"C_GetObjectSize", "5.7", object_size},
	{"C_GetAttributeValue", "5.7", get_attr},
	{"C_SetAttributeValue", "5.7", set_attr},
	{"C_FindObjectsInit", "5.7", find_init},
	{"C_FindObjects", "5.7", find},
	{"C_FindObjectsFinal", "5.7", find_final},
	{"C_EncryptInit", "5.8", encrypt_init},
	{"C_Encrypt", "5.8", encrypt},
	{"C_EncryptUpdate", "5.8", encrypt_update},
	{"C_EncryptFinal", "5.8", encrypt_final},
	{"C_DecryptInit", "5.9", decrypt_init},
	{"C_Decrypt", "5.9", decrypt},
	{"C_DecryptUpdate", "5.9", decrypt_update},
	{"C_DecryptFinal", "5.9", decrypt_final},
	{"C_DigestInit", "5.10", digest_init},
	{"C_Digest", "5.10", digest},
	{"C_DigestUpdate", "5.10", digest_update},
	{"C_DigestKey", "5.10", digest_key},
	{"C_DigestFinal", "5.10", digest_final},
	{"C_SignInit", "5.11", sign_init},
	{"C_Sign", "5.11", sign},
	{"C_SignUpdate", "5.11", sign_update},
	{"C_SignFinal", "5.11", sign_final},
	{"C_SignRecoverInit", "5.11", sign_recover_init},
	{"C_SignRecover", "5.11", sign_recover},
	{"C_VerifyInit", "5.12", verify_init},
	{"C_Verify", "5.12", verify},
	{"C_VerifyUpdate", "5.12", verify_update},
	{"C_VerifyFinal", "5.12", verify_final},
	{"C_VerifyRecoverInit", "5.12", verify_recover_init},
	{"C_VerifyRecover", "5.12", verify_recover},
	{"C_DigestEncryptUpdate", "5.13", digest_encrypt},
	{"C_DecryptDigestUpdate", "5.13", decrypt_digest},
	{"C_SignEncryptUpdate", "5.13", sign_encrypt},
	{"C_DecryptVerifyUpdate", "5.13", decrypt_verify},
	{"C_GenerateKey", "5.14", generate_key},
	{"C_GenerateKeyPair", "5.14", generate_pair},
	{"C_WrapKey", "5.14", wrap},
	{"C_UnwrapKey", "5.14", unwrap},
	{"C_DeriveKey", "5.14", derive},
	{"C_SeedRandom", "5.15", seed},
	{"C_GenerateRandom", "5.15", random_},
	{"C_GetFunctionStatus", "5.16", function_status},
	{"C_CancelFunction", "5.16", cancel},
};
#define N_ROWS (sizeof(session_functions) / sizeof(session_functions[0]))

/* Runs every row; reports each deviation, then fails if there was one. */
static void expect_all(CK_SESSION_HANDLE h, CK_RV want, const CK_RV *legacy, const char *state)
{
	int bad = 0;

	for (size_t i = 0; i < N_ROWS; i++) {
		CK_RV rv = session_functions[i].call(h);
		CK_RV w = legacy && legacy[i] ? legacy[i] : want;
		if (rv != w) {
			print_error("%s (PKCS#11 2.40 §%s), %s: CKR 0x%lX, the spec says 0x%lX\n",
				    session_functions[i].name, session_functions[i].section, state, rv, w);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* §5.4: before C_Initialize, every function but C_GetFunctionList. */
static void test_not_initialized(void **state)
{
	(void)state;
	CK_INFO info;
	CK_SLOT_ID slot;
	CK_ULONG n = 1;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_TYPE mt;
	CK_MECHANISM_INFO mi;
	CK_SESSION_HANDLE s;

	tm_test_reader_insert(0, "kaztoken");
	expect_all(1, CKR_CRYPTOKI_NOT_INITIALIZED, NULL, "not initialised");
	assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, &slot, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetSlotInfo(0, &si), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetTokenInfo(0, &ti), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetMechanismList(0, &mt, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_SHA256, &mi), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_InitToken(0, U("87654321"), 8, U("label")), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s),
			 CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_CloseAllSessions(0), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL),
			 CKR_CRYPTOKI_NOT_INITIALIZED);
}

/* §5.1, §5.6: a handle that is no session, for every session function,
 * offered or not.  §5.16: C_GetFunctionStatus and C_CancelFunction are
 * legacy functions that "should simply return CKR_FUNCTION_NOT_PARALLEL". */
static void test_bad_session_handle(void **state)
{
	(void)state;
	CK_RV legacy[N_ROWS] = {0};

	for (size_t i = 0; i < N_ROWS; i++)
		if (session_functions[i].call == function_status || session_functions[i].call == cancel)
			legacy[i] = CKR_FUNCTION_NOT_PARALLEL;
	start("kaztoken");
	expect_all(0x7777, CKR_SESSION_HANDLE_INVALID, legacy, "bad session handle");
	/* A session closed is no session either. */
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
	expect_all(s, CKR_SESSION_HANDLE_INVALID, legacy, "closed session");
}

/* §5.1: the session handle is checked before the arguments: NULL where
 * a pointer is needed is CKR_ARGUMENTS_BAD only for a real session. */
static void test_handle_before_arguments(void **state)
{
	(void)state;
	start("kaztoken");
	assert_int_equal(f->C_GetSessionInfo(0x7777, NULL), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_Sign(0x7777, NULL, 8, buf, &len), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_Verify(0x7777, NULL, 8, buf, 8), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f->C_SeedRandom(0x7777, NULL, 8), CKR_SESSION_HANDLE_INVALID);
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(f->C_GetSessionInfo(s, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GenerateKey(s, &rsa_gen, NULL, 0, NULL), CKR_FUNCTION_NOT_SUPPORTED);
	/* An error other than CKR_BUFFER_TOO_SMALL ends the operation. */
	assert_int_equal(f->C_DigestInit(s, &sha256), CKR_OK);
	assert_int_equal(f->C_Digest(s, NULL, 8, OUT), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_DigestUpdate(s, IN), CKR_OPERATION_NOT_INITIALIZED);
}

/* §5.8-5.12: an operation is single-part or multi-part from its first
 * call on; the other kind answers CKR_OPERATION_ACTIVE, which like every
 * error but CKR_BUFFER_TOO_SMALL ends the operation (§5.11: C_Sign and
 * C_SignFinal "always terminate" it but for those).  A length query or
 * CKR_BUFFER_TOO_SMALL keeps it. */
static void test_single_and_multi_part(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[256], sig2[256], ct[128], pt[128], small[4];
	CK_ULONG sig_len = sizeof(sig), sig2_len = sizeof(sig2), ct_len = sizeof(ct);
	CK_ULONG pt_len = sizeof(pt), small_len = sizeof(small);
	CK_MECHANISM rsa = {CKM_RSA_PKCS, NULL, 0};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	/* Digest: a length query and a buffer too small keep it ... */
	assert_int_equal(f->C_DigestInit(s, &sha256), CKR_OK);
	len = 0;
	assert_int_equal(f->C_Digest(s, IN, NULL, &len), CKR_OK);
	assert_int_equal(len, 32);
	assert_int_equal(f->C_Digest(s, buf, 16, small, &small_len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(f->C_Digest(s, IN, OUT), CKR_OK);
	/* ... Update after the one-shot query is refused and ends it ... */
	assert_int_equal(f->C_DigestInit(s, &sha256), CKR_OK);
	assert_int_equal(f->C_Digest(s, IN, NULL, &len), CKR_OK);
	assert_int_equal(f->C_DigestUpdate(s, IN), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_DigestFinal(s, OUT), CKR_OPERATION_NOT_INITIALIZED);
	/* ... so is Final after it, and the one-shot call after Update ... */
	assert_int_equal(f->C_DigestInit(s, &sha256), CKR_OK);
	assert_int_equal(f->C_Digest(s, IN, NULL, &len), CKR_OK);
	assert_int_equal(f->C_DigestFinal(s, OUT), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_DigestInit(s, &sha256), CKR_OK); /* ended: a new one starts */
	assert_int_equal(f->C_DigestUpdate(s, IN), CKR_OK);
	assert_int_equal(f->C_Digest(s, IN, OUT), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_DigestFinal(s, OUT), CKR_OPERATION_NOT_INITIALIZED);
	/* ... and a Final length query makes it multi-part. */
	assert_int_equal(f->C_DigestInit(s, &sha256), CKR_OK);
	assert_int_equal(f->C_DigestFinal(s, NULL, &len), CKR_OK);
	assert_int_equal(f->C_DigestFinal(s, OUT), CKR_OK);

	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	/* Sign, as pkcs11-tool --test does: a length query, a buffer too
	 * small, C_SignFinal (refused, and the operation ends), SignInit. */
	assert_int_equal(f->C_SignInit(s, &sha256_rsa, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, IN, NULL, &sig_len), CKR_OK);
	assert_int_equal(f->C_Sign(s, IN, small, &small_len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(f->C_SignFinal(s, sig, &sig_len), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_SignInit(s, &sha256_rsa, priv), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, IN), CKR_OK);
	assert_int_equal(f->C_Sign(s, IN, sig2, &sig2_len), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_SignFinal(s, sig2, &sig2_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_SignInit(s, &sha256_rsa, priv), CKR_OK);
	assert_int_equal(f->C_Sign(s, IN, sig, &sig_len), CKR_OK);
	assert_int_equal(f->C_SignInit(s, &sha256_rsa, priv), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, IN), CKR_OK);
	sig2_len = sizeof(sig2);
	assert_int_equal(f->C_SignFinal(s, sig2, &sig2_len), CKR_OK);
	assert_memory_equal(sig, sig2, sig_len); /* PKCS#1 v1.5 is deterministic */
	/* Verify: C_Verify after C_VerifyUpdate. */
	assert_int_equal(f->C_VerifyInit(s, &sha256_rsa, pub), CKR_OK);
	assert_int_equal(f->C_VerifyUpdate(s, IN), CKR_OK);
	assert_int_equal(f->C_Verify(s, IN, sig, sig_len), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_VerifyFinal(s, sig, sig_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_VerifyInit(s, &sha256_rsa, pub), CKR_OK);
	assert_int_equal(f->C_VerifyUpdate(s, IN), CKR_OK);
	assert_int_equal(f->C_VerifyFinal(s, sig, sig_len), CKR_OK);
	/* Encrypt and decrypt (single-part mechanisms): Update after the
	 * one-shot call's length query. */
	assert_int_equal(f->C_EncryptInit(s, &rsa, pub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, U("EDS"), 3, NULL, &ct_len), CKR_OK);
	assert_int_equal(f->C_EncryptUpdate(s, IN, OUT), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_Encrypt(s, U("EDS"), 3, ct, &ct_len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(f->C_EncryptInit(s, &rsa, pub), CKR_OK);
	assert_int_equal(f->C_Encrypt(s, U("EDS"), 3, ct, &ct_len), CKR_OK);
	assert_int_equal(f->C_DecryptInit(s, &rsa, priv), CKR_OK);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, NULL, &pt_len), CKR_OK);
	assert_int_equal(f->C_DecryptFinal(s, OUT), CKR_OPERATION_ACTIVE);
	assert_int_equal(f->C_DecryptInit(s, &rsa, priv), CKR_OK);
	assert_int_equal(f->C_Decrypt(s, ct, ct_len, pt, &pt_len), CKR_OK);
	assert_int_equal(pt_len, 3);
	assert_memory_equal(pt, "EDS", 3);
}

/* A bad template is answered as such whatever the login state; the
 * login is asked for only of a good one. */
static void test_template_before_login(void **state)
{
	(void)state;
	CK_OBJECT_HANDLE a, b;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG bits = 1024;
	CK_ATTRIBUTE no_value[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, &yes, 1}};
	CK_ATTRIBUTE bad_type[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, &yes, 1},
				   {CKA_VALUE, U("v"), 1}, {0x7FFF0000UL, U("?"), 1}};
	CK_ATTRIBUTE good[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, &yes, 1},
			       {CKA_VALUE, U("v"), 1}};
	CK_ATTRIBUTE bits_t[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};
	CK_ATTRIBUTE bad_bits[] = {{CKA_MODULUS_BITS, &bits, 1}};

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(f->C_CreateObject(s, no_value, 2, &a), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->C_CreateObject(s, bad_type, 4, &a), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(f->C_CreateObject(s, good, 3, &a), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(f->C_GenerateKeyPair(s, &rsa_gen, NULL, 0, NULL, 0, &a, &b),
			 CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->C_GenerateKeyPair(s, &rsa_gen, bad_bits, 1, NULL, 0, &a, &b),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->C_GenerateKeyPair(s, &rsa_gen, bits_t, 1, NULL, 0, &a, &b),
			 CKR_USER_NOT_LOGGED_IN);
}

/* §5.4 C_WaitForSlotEvent: the slots' state at C_Initialize is not an
 * event; only later insertions and removals are. */
static void test_no_event_at_initialize(void **state)
{
	(void)state;
	CK_SLOT_ID slot = 99;

	start("kaztoken");
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
	tm_test_reader_insert(1, "jacarta-pki");
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_OK);
	assert_int_equal(slot, 1);
	assert_int_equal(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
}

/* §5.15 C_SeedRandom: NULL seed with a length is bad arguments. */
static void test_seed_random_arguments(void **state)
{
	(void)state;
	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(f->C_SeedRandom(s, NULL, 8), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_GenerateRandom(s, NULL, 8), CKR_ARGUMENTS_BAD);
}

/* The most sessions: one more is CKR_SESSION_COUNT (§5.6), nothing else
 * changes, and a closed one makes room again. */
static void test_most_sessions(void **state)
{
	(void)state;
	CK_SESSION_HANDLE s[TM_MAX_SESSIONS], extra;
	CK_SESSION_INFO info;

	start("kaztoken");
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++)
		assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s[i]), CKR_OK);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &extra),
			 CKR_SESSION_COUNT);
	assert_int_equal(f->C_GetSessionInfo(s[TM_MAX_SESSIONS - 1], &info), CKR_OK);
	assert_int_equal(f->C_CloseSession(s[7]), CKR_OK);
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &extra), CKR_OK);
	assert_int_equal(f->C_CloseAllSessions(0), CKR_OK);
	assert_int_equal(f->C_GetSessionInfo(extra, &info), CKR_SESSION_HANDLE_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_not_initialized, teardown),
		cmocka_unit_test_teardown(test_most_sessions, teardown),
		cmocka_unit_test_teardown(test_bad_session_handle, teardown),
		cmocka_unit_test_teardown(test_handle_before_arguments, teardown),
		cmocka_unit_test_teardown(test_single_and_multi_part, teardown),
		cmocka_unit_test_teardown(test_template_before_login, teardown),
		cmocka_unit_test_teardown(test_no_event_at_initialize, teardown),
		cmocka_unit_test_teardown(test_seed_random_arguments, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
