/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The conformance table's other columns (test_p11_conformance.c has "not
 * initialised" and "bad session handle" for every function): wrong
 * session state, NULL arguments, bad template and buffer too small, each
 * row the CKR PKCS#11 2.40 requires and the section that says so.  Every
 * row runs on a fresh module: a Kaztoken, a R/W session logged in as the
 * user with a token RSA key pair, and a R/O session beside it. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

struct fx {
	CK_SESSION_HANDLE rw, ro;
	CK_OBJECT_HANDLE pub, priv;
};

static CK_BYTE in[32] = "a document to sign or encrypt", out[512], tiny[1];
static CK_ULONG out_len, tiny_len;
static CK_MECHANISM sha256_rsa = {CKM_SHA256_RSA_PKCS, NULL, 0}, rsa = {CKM_RSA_PKCS, NULL, 0};
static CK_MECHANISM sha256 = {CKM_SHA256, NULL, 0}, rsa_gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS data_class = CKO_DATA, secret_class = CKO_SECRET_KEY;
static CK_ULONG bits = 1024;
#define OUT out, (out_len = sizeof(out), &out_len)
#define TINY tiny, (tiny_len = sizeof(tiny), &tiny_len)

static char v_byte[] = "v";
static CK_ATTRIBUTE token_data[] = {{CKA_CLASS, &data_class, sizeof(data_class)},
				    {CKA_TOKEN, &yes, 1}, {CKA_VALUE, v_byte, 1}};
static CK_ATTRIBUTE token_pub[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_TOKEN, &yes, 1}};
static CK_ATTRIBUTE token_priv[] = {{CKA_TOKEN, &yes, 1}};

static CK_RV gen_pair(CK_SESSION_HANDLE s, CK_ATTRIBUTE *pt, CK_ULONG np, CK_ATTRIBUTE *kt, CK_ULONG nk)
{
	CK_OBJECT_HANDLE a, b;
	return f->C_GenerateKeyPair(s, &rsa_gen, pt, np, kt, nk, &a, &b);
}

/* --- Wrong session state ------------------------------------------- */
static CK_RV logout_twice(struct fx *x) { f->C_Logout(x->rw); return f->C_Logout(x->rw); }
static CK_RV login_twice(struct fx *x) { return login(x->rw, "12345678"); }
static CK_RV so_with_ro(struct fx *x)
{
	f->C_Logout(x->rw);
	return f->C_Login(x->rw, CKU_SO, U("87654321"), 8);
}
static CK_RV set_pin_ro(struct fx *x) { return f->C_SetPIN(x->ro, U("12345678"), 8, U("87654321"), 8); }
static CK_RV init_pin_user(struct fx *x) { return f->C_InitPIN(x->rw, U("12345678"), 8); }
static CK_RV create_ro(struct fx *x) { CK_OBJECT_HANDLE h; return f->C_CreateObject(x->ro, token_data, 3, &h); }
static CK_RV destroy_ro(struct fx *x) { return f->C_DestroyObject(x->ro, x->pub); }
static CK_RV set_attr_ro(struct fx *x)
{
	CK_ATTRIBUTE lab[] = {{CKA_LABEL, U("x"), 1}};
	return f->C_SetAttributeValue(x->ro, x->pub, lab, 1);
}
static CK_RV keygen_ro(struct fx *x) { return gen_pair(x->ro, token_pub, 2, token_priv, 1); }
static CK_RV keygen_logged_out(struct fx *x) { f->C_Logout(x->rw); return gen_pair(x->rw, token_pub, 2, token_priv, 1); }
static CK_RV create_logged_out(struct fx *x)
{
	CK_OBJECT_HANDLE h;
	f->C_Logout(x->rw);
	return f->C_CreateObject(x->rw, token_data, 3, &h);
}
static CK_RV sign_logged_out(struct fx *x) { f->C_Logout(x->rw); return f->C_SignInit(x->rw, &sha256_rsa, x->priv); }
static CK_RV find_no_init(struct fx *x) { CK_OBJECT_HANDLE h; return f->C_FindObjects(x->rw, &h, 1, &out_len); }
static CK_RV find_final_no_init(struct fx *x) { return f->C_FindObjectsFinal(x->rw); }
static CK_RV find_init_twice(struct fx *x) { f->C_FindObjectsInit(x->rw, NULL, 0); return f->C_FindObjectsInit(x->rw, NULL, 0); }
static CK_RV encrypt_no_init(struct fx *x) { return f->C_Encrypt(x->rw, in, 8, OUT); }
static CK_RV encrypt_update_no_init(struct fx *x) { return f->C_EncryptUpdate(x->rw, in, 8, OUT); }
static CK_RV encrypt_final_no_init(struct fx *x) { return f->C_EncryptFinal(x->rw, OUT); }
static CK_RV encrypt_init_twice(struct fx *x) { f->C_EncryptInit(x->rw, &rsa, x->pub); return f->C_EncryptInit(x->rw, &rsa, x->pub); }
static CK_RV decrypt_no_init(struct fx *x) { return f->C_Decrypt(x->rw, in, 8, OUT); }
static CK_RV decrypt_final_no_init(struct fx *x) { return f->C_DecryptFinal(x->rw, OUT); }
static CK_RV decrypt_init_twice(struct fx *x) { f->C_DecryptInit(x->rw, &rsa, x->priv); return f->C_DecryptInit(x->rw, &rsa, x->priv); }
static CK_RV digest_no_init(struct fx *x) { return f->C_Digest(x->rw, in, 8, OUT); }
static CK_RV digest_update_no_init(struct fx *x) { return f->C_DigestUpdate(x->rw, in, 8); }
static CK_RV digest_final_no_init(struct fx *x) { return f->C_DigestFinal(x->rw, OUT); }
static CK_RV digest_init_twice(struct fx *x) { f->C_DigestInit(x->rw, &sha256); return f->C_DigestInit(x->rw, &sha256); }
static CK_RV sign_no_init(struct fx *x) { return f->C_Sign(x->rw, in, 8, OUT); }
static CK_RV sign_update_no_init(struct fx *x) { return f->C_SignUpdate(x->rw, in, 8); }
static CK_RV sign_final_no_init(struct fx *x) { return f->C_SignFinal(x->rw, OUT); }
static CK_RV sign_init_twice(struct fx *x) { f->C_SignInit(x->rw, &sha256_rsa, x->priv); return f->C_SignInit(x->rw, &sha256_rsa, x->priv); }
static CK_RV verify_no_init(struct fx *x) { return f->C_Verify(x->rw, in, 8, out, 128); }
static CK_RV verify_update_no_init(struct fx *x) { return f->C_VerifyUpdate(x->rw, in, 8); }
static CK_RV verify_final_no_init(struct fx *x) { return f->C_VerifyFinal(x->rw, out, 128); }
static CK_RV verify_init_twice(struct fx *x) { f->C_VerifyInit(x->rw, &sha256_rsa, x->pub); return f->C_VerifyInit(x->rw, &sha256_rsa, x->pub); }
static CK_RV sign_with_public(struct fx *x) { return f->C_SignInit(x->rw, &sha256_rsa, x->pub); }

/* --- NULL arguments (§5.1: CKR_ARGUMENTS_BAD) ------------------------ */
static CK_RV null_session_info(struct fx *x) { return f->C_GetSessionInfo(x->rw, NULL); }
static CK_RV null_pin(struct fx *x) { f->C_Logout(x->rw); return f->C_Login(x->rw, CKU_USER, NULL, 8); }
static CK_RV null_set_pin(struct fx *x) { return f->C_SetPIN(x->rw, NULL, 8, U("87654321"), 8); }
static CK_RV null_create_handle(struct fx *x) { return f->C_CreateObject(x->rw, token_data, 3, NULL); }
static CK_RV null_create_template(struct fx *x) { CK_OBJECT_HANDLE h; return f->C_CreateObject(x->rw, NULL, 3, &h); }
static CK_RV null_object_size(struct fx *x) { return f->C_GetObjectSize(x->rw, x->pub, NULL); }
static CK_RV null_get_attr(struct fx *x) { return f->C_GetAttributeValue(x->rw, x->pub, NULL, 1); }
static CK_RV null_set_attr(struct fx *x) { return f->C_SetAttributeValue(x->rw, x->pub, NULL, 1); }
static CK_RV null_find_init(struct fx *x) { return f->C_FindObjectsInit(x->rw, NULL, 1); }
static CK_RV null_find(struct fx *x) { f->C_FindObjectsInit(x->rw, NULL, 0); return f->C_FindObjects(x->rw, NULL, 1, &out_len); }
static CK_RV null_encrypt_mech(struct fx *x) { return f->C_EncryptInit(x->rw, NULL, x->pub); }
static CK_RV null_encrypt_len(struct fx *x) { f->C_EncryptInit(x->rw, &rsa, x->pub); return f->C_Encrypt(x->rw, in, 8, out, NULL); }
static CK_RV null_decrypt_mech(struct fx *x) { return f->C_DecryptInit(x->rw, NULL, x->priv); }
static CK_RV null_digest_mech(struct fx *x) { return f->C_DigestInit(x->rw, NULL); }
static CK_RV null_digest_data(struct fx *x) { f->C_DigestInit(x->rw, &sha256); return f->C_Digest(x->rw, NULL, 8, OUT); }
static CK_RV null_sign_mech(struct fx *x) { return f->C_SignInit(x->rw, NULL, x->priv); }
static CK_RV null_sign_len(struct fx *x) { f->C_SignInit(x->rw, &sha256_rsa, x->priv); return f->C_Sign(x->rw, in, 8, out, NULL); }
static CK_RV null_verify_mech(struct fx *x) { return f->C_VerifyInit(x->rw, NULL, x->pub); }
static CK_RV null_keygen_mech(struct fx *x)
{
	CK_OBJECT_HANDLE a, b;
	return f->C_GenerateKeyPair(x->rw, NULL, token_pub, 2, token_priv, 1, &a, &b);
}
static CK_RV null_keygen_handle(struct fx *x)
{
	CK_OBJECT_HANDLE a;
	return f->C_GenerateKeyPair(x->rw, &rsa_gen, token_pub, 2, token_priv, 1, &a, NULL);
}
static CK_RV null_random(struct fx *x) { return f->C_GenerateRandom(x->rw, NULL, 8); }
static CK_RV null_seed(struct fx *x) { return f->C_SeedRandom(x->rw, NULL, 8); }

/* --- Bad templates (§5.7, §5.14; §4 for the attributes) -------------- */
static CK_RV create_no_class(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_TOKEN, &yes, 1}, {CKA_VALUE, U("v"), 1}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 2, &h);
}
static CK_RV create_bad_class_len(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, 1}, {CKA_TOKEN, &yes, 1}, {CKA_VALUE, U("v"), 1}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 3, &h);
}
static CK_RV create_unknown_type(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, &yes, 1},
			    {CKA_VALUE, U("v"), 1}, {0x7FFF0001UL, U("?"), 1}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 4, &h);
}
static CK_RV create_token_3_bytes(struct fx *x)
{
	CK_BYTE three[3] = {1, 1, 1};
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, three, 3},
			    {CKA_VALUE, U("v"), 1}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 3, &h);
}
static CK_RV create_long_label(struct fx *x)
{
	char label[65];
	memset(label, 'L', sizeof(label));
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, &yes, 1},
			    {CKA_VALUE, U("v"), 1}, {CKA_LABEL, label, sizeof(label)}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 4, &h);
}
static CK_RV create_two_classes(struct fx *x)
{
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &data_class, sizeof(data_class)}, {CKA_TOKEN, &yes, 1},
			    {CKA_VALUE, U("v"), 1}, {CKA_CLASS, &cert, sizeof(cert)}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 4, &h);
}
static CK_RV create_cert_no_value(struct fx *x)
{
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cert, sizeof(cert)}, {CKA_TOKEN, &yes, 1}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 2, &h);
}
static CK_RV create_secret(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &secret_class, sizeof(secret_class)}, {CKA_TOKEN, &yes, 1},
			    {CKA_VALUE, U("0123456789abcdef"), 16}};
	CK_OBJECT_HANDLE h;
	return f->C_CreateObject(x->rw, t, 3, &h);
}
static CK_RV keygen_no_bits(struct fx *x) { return gen_pair(x->rw, token_pub + 1, 1, token_priv, 1); }
static CK_RV keygen_mixed_token(struct fx *x)
{
	CK_ATTRIBUTE k[] = {{CKA_TOKEN, &no, 1}};
	return gen_pair(x->rw, token_pub, 2, k, 1);
}
static CK_RV keygen_bad_bool(struct fx *x)
{
	CK_ATTRIBUTE k[] = {{CKA_SIGN, &bits, sizeof(bits)}};
	return gen_pair(x->rw, token_pub, 2, k, 1);
}
static CK_RV keygen_unknown_type(struct fx *x)
{
	CK_ATTRIBUTE k[] = {{0x7FFF0002UL, U("?"), 1}};
	return gen_pair(x->rw, token_pub, 2, k, 1);
}
static CK_RV set_read_only(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_MODULUS, U("\x01"), 1}};
	return f->C_SetAttributeValue(x->rw, x->pub, t, 1);
}
static CK_RV set_absent(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_APPLICATION, U("x"), 1}};
	return f->C_SetAttributeValue(x->rw, x->pub, t, 1);
}
static CK_RV get_absent(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, out, sizeof(out)}};
	return f->C_GetAttributeValue(x->rw, x->pub, t, 1);
}
static CK_RV get_sensitive(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_PRIVATE_EXPONENT, out, sizeof(out)}};
	return f->C_GetAttributeValue(x->rw, x->priv, t, 1);
}

/* --- Buffer too small (§5.2's convention; the operation stays) -------- */
static CK_RV small_sign(struct fx *x)
{
	f->C_SignInit(x->rw, &sha256_rsa, x->priv);
	CK_RV rv = f->C_Sign(x->rw, in, 8, TINY);
	/* Kept: the full buffer then gets the signature. */
	return rv == CKR_BUFFER_TOO_SMALL && f->C_Sign(x->rw, in, 8, OUT) == CKR_OK ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_sign_final(struct fx *x)
{
	f->C_SignInit(x->rw, &sha256_rsa, x->priv);
	f->C_SignUpdate(x->rw, in, 8);
	CK_RV rv = f->C_SignFinal(x->rw, TINY);
	return rv == CKR_BUFFER_TOO_SMALL && f->C_SignFinal(x->rw, OUT) == CKR_OK ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_encrypt(struct fx *x)
{
	f->C_EncryptInit(x->rw, &rsa, x->pub);
	CK_RV rv = f->C_Encrypt(x->rw, in, 8, TINY);
	return rv == CKR_BUFFER_TOO_SMALL && f->C_Encrypt(x->rw, in, 8, OUT) == CKR_OK ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_decrypt(struct fx *x)
{
	CK_BYTE ct[128];
	CK_ULONG ct_len = sizeof(ct);
	f->C_EncryptInit(x->rw, &rsa, x->pub);
	f->C_Encrypt(x->rw, in, 8, ct, &ct_len);
	f->C_DecryptInit(x->rw, &rsa, x->priv);
	CK_RV rv = f->C_Decrypt(x->rw, ct, ct_len, TINY);
	return rv == CKR_BUFFER_TOO_SMALL && f->C_Decrypt(x->rw, ct, ct_len, OUT) == CKR_OK &&
			       out_len == 8 ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_digest(struct fx *x)
{
	f->C_DigestInit(x->rw, &sha256);
	CK_RV rv = f->C_Digest(x->rw, in, 8, TINY);
	return rv == CKR_BUFFER_TOO_SMALL && f->C_Digest(x->rw, in, 8, OUT) == CKR_OK ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_digest_final(struct fx *x)
{
	f->C_DigestInit(x->rw, &sha256);
	f->C_DigestUpdate(x->rw, in, 8);
	CK_RV rv = f->C_DigestFinal(x->rw, TINY);
	return rv == CKR_BUFFER_TOO_SMALL && f->C_DigestFinal(x->rw, OUT) == CKR_OK ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_attribute(struct fx *x)
{
	CK_ATTRIBUTE t[] = {{CKA_MODULUS, tiny, 1}};
	CK_RV rv = f->C_GetAttributeValue(x->rw, x->pub, t, 1);
	return t[0].ulValueLen == CK_UNAVAILABLE_INFORMATION ? rv : CKR_GENERAL_ERROR;
}
static CK_RV small_slot_list(struct fx *x)
{
	(void)x;
	CK_SLOT_ID none[1];
	CK_ULONG n = 0;
	return f->C_GetSlotList(CK_FALSE, none, &n);
}
static CK_RV small_mechanism_list(struct fx *x)
{
	(void)x;
	CK_MECHANISM_TYPE m[1];
	CK_ULONG n = 1;
	return f->C_GetMechanismList(0, m, &n);
}
static CK_RV small_operation_state(struct fx *x) { return f->C_GetOperationState(x->rw, TINY); }

static const struct row {
	const char *column, *what, *section;
	CK_RV (*run)(struct fx *x);
	CK_RV want;
} rows[] = {
	{"state", "C_Logout, nobody logged in", "5.6", logout_twice, CKR_USER_NOT_LOGGED_IN},
	{"state", "C_Login, the user already is", "5.6", login_twice, CKR_USER_ALREADY_LOGGED_IN},
	{"state", "C_Login as SO with a R/O session open", "5.6", so_with_ro, CKR_SESSION_READ_ONLY_EXISTS},
	{"state", "C_SetPIN in a R/O session", "5.5", set_pin_ro, CKR_SESSION_READ_ONLY},
	{"state", "C_InitPIN as the user, not the SO", "5.5", init_pin_user, CKR_USER_NOT_LOGGED_IN},
	{"state", "C_CreateObject of a token object, R/O", "5.7", create_ro, CKR_SESSION_READ_ONLY},
	{"state", "C_CreateObject of a token object, logged out", "5.7", create_logged_out, CKR_USER_NOT_LOGGED_IN},
	{"state", "C_DestroyObject of a token object, R/O", "5.7", destroy_ro, CKR_SESSION_READ_ONLY},
	{"state", "C_SetAttributeValue of a token object, R/O", "5.7", set_attr_ro, CKR_SESSION_READ_ONLY},
	{"state", "C_GenerateKeyPair of token keys, R/O", "5.14", keygen_ro, CKR_SESSION_READ_ONLY},
	{"state", "C_GenerateKeyPair, logged out", "5.14", keygen_logged_out, CKR_USER_NOT_LOGGED_IN},
	{"state", "C_SignInit with a private key, logged out", "5.11", sign_logged_out, CKR_USER_NOT_LOGGED_IN},
	{"state", "C_SignInit with a public key", "5.11", sign_with_public, CKR_KEY_TYPE_INCONSISTENT},
	{"state", "C_FindObjects without Init", "5.7", find_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_FindObjectsFinal without Init", "5.7", find_final_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_FindObjectsInit twice", "5.7", find_init_twice, CKR_OPERATION_ACTIVE},
	{"state", "C_Encrypt without Init", "5.8", encrypt_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_EncryptUpdate without Init", "5.8", encrypt_update_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_EncryptFinal without Init", "5.8", encrypt_final_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_EncryptInit twice", "5.8", encrypt_init_twice, CKR_OPERATION_ACTIVE},
	{"state", "C_Decrypt without Init", "5.9", decrypt_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_DecryptFinal without Init", "5.9", decrypt_final_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_DecryptInit twice", "5.9", decrypt_init_twice, CKR_OPERATION_ACTIVE},
	{"state", "C_Digest without Init", "5.10", digest_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_DigestUpdate without Init", "5.10", digest_update_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_DigestFinal without Init", "5.10", digest_final_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_DigestInit twice", "5.10", digest_init_twice, CKR_OPERATION_ACTIVE},
	{"state", "C_Sign without Init", "5.11", sign_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_SignUpdate without Init", "5.11", sign_update_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_SignFinal without Init", "5.11", sign_final_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_SignInit twice", "5.11", sign_init_twice, CKR_OPERATION_ACTIVE},
	{"state", "C_Verify without Init", "5.12", verify_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_VerifyUpdate without Init", "5.12", verify_update_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_VerifyFinal without Init", "5.12", verify_final_no_init, CKR_OPERATION_NOT_INITIALIZED},
	{"state", "C_VerifyInit twice", "5.12", verify_init_twice, CKR_OPERATION_ACTIVE},

	{"NULL", "C_GetSessionInfo(NULL info)", "5.6", null_session_info, CKR_ARGUMENTS_BAD},
	{"NULL", "C_Login(NULL PIN, length 8)", "5.6", null_pin, CKR_ARGUMENTS_BAD},
	{"NULL", "C_SetPIN(NULL old PIN)", "5.5", null_set_pin, CKR_ARGUMENTS_BAD},
	{"NULL", "C_CreateObject(NULL handle)", "5.7", null_create_handle, CKR_ARGUMENTS_BAD},
	{"NULL", "C_CreateObject(NULL template, 3)", "5.7", null_create_template, CKR_ARGUMENTS_BAD},
	{"NULL", "C_GetObjectSize(NULL size)", "5.7", null_object_size, CKR_ARGUMENTS_BAD},
	{"NULL", "C_GetAttributeValue(NULL template)", "5.7", null_get_attr, CKR_ARGUMENTS_BAD},
	{"NULL", "C_SetAttributeValue(NULL template)", "5.7", null_set_attr, CKR_ARGUMENTS_BAD},
	{"NULL", "C_FindObjectsInit(NULL template, 1)", "5.7", null_find_init, CKR_ARGUMENTS_BAD},
	{"NULL", "C_FindObjects(NULL handles)", "5.7", null_find, CKR_ARGUMENTS_BAD},
	{"NULL", "C_EncryptInit(NULL mechanism)", "5.8", null_encrypt_mech, CKR_ARGUMENTS_BAD},
	{"NULL", "C_Encrypt(NULL length)", "5.8", null_encrypt_len, CKR_ARGUMENTS_BAD},
	{"NULL", "C_DecryptInit(NULL mechanism)", "5.9", null_decrypt_mech, CKR_ARGUMENTS_BAD},
	{"NULL", "C_DigestInit(NULL mechanism)", "5.10", null_digest_mech, CKR_ARGUMENTS_BAD},
	{"NULL", "C_Digest(NULL data, length 8)", "5.10", null_digest_data, CKR_ARGUMENTS_BAD},
	{"NULL", "C_SignInit(NULL mechanism)", "5.11", null_sign_mech, CKR_ARGUMENTS_BAD},
	{"NULL", "C_Sign(NULL length)", "5.11", null_sign_len, CKR_ARGUMENTS_BAD},
	{"NULL", "C_VerifyInit(NULL mechanism)", "5.12", null_verify_mech, CKR_ARGUMENTS_BAD},
	{"NULL", "C_GenerateKeyPair(NULL mechanism)", "5.14", null_keygen_mech, CKR_ARGUMENTS_BAD},
	{"NULL", "C_GenerateKeyPair(NULL private handle)", "5.14", null_keygen_handle, CKR_ARGUMENTS_BAD},
	{"NULL", "C_GenerateRandom(NULL buffer, 8)", "5.15", null_random, CKR_ARGUMENTS_BAD},
	{"NULL", "C_SeedRandom(NULL seed, 8)", "5.15", null_seed, CKR_ARGUMENTS_BAD},

	{"template", "C_CreateObject without CKA_CLASS", "5.7", create_no_class, CKR_TEMPLATE_INCOMPLETE},
	{"template", "C_CreateObject, CKA_CLASS of 1 byte", "5.7", create_bad_class_len, CKR_ATTRIBUTE_VALUE_INVALID},
	{"template", "C_CreateObject, an unknown attribute", "5.7", create_unknown_type, CKR_ATTRIBUTE_TYPE_INVALID},
	{"template", "C_CreateObject, a certificate without CKA_VALUE", "5.7", create_cert_no_value, CKR_TEMPLATE_INCOMPLETE},
	{"template", "C_CreateObject, CKA_TOKEN of 3 bytes", "5.7", create_token_3_bytes, CKR_ATTRIBUTE_VALUE_INVALID},
	{"template", "C_CreateObject, CKA_LABEL over the card's 64 bytes", "5.7", create_long_label, CKR_ATTRIBUTE_VALUE_INVALID},
	{"template", "C_CreateObject, two different CKA_CLASS", "5.7", create_two_classes, CKR_TEMPLATE_INCONSISTENT},
	{"template", "C_CreateObject of a secret key", "5.7", create_secret, CKR_TEMPLATE_INCONSISTENT},
	{"template", "C_GenerateKeyPair without CKA_MODULUS_BITS", "5.14", keygen_no_bits, CKR_TEMPLATE_INCOMPLETE},
	{"template", "C_GenerateKeyPair, CKA_TOKEN differs", "5.14", keygen_mixed_token, CKR_TEMPLATE_INCONSISTENT},
	{"template", "C_GenerateKeyPair, CKA_SIGN not a CK_BBOOL", "5.14", keygen_bad_bool, CKR_ATTRIBUTE_VALUE_INVALID},
	{"template", "C_GenerateKeyPair, an unknown attribute", "5.14", keygen_unknown_type, CKR_ATTRIBUTE_TYPE_INVALID},
	{"template", "C_SetAttributeValue of CKA_MODULUS", "5.7", set_read_only, CKR_ATTRIBUTE_READ_ONLY},
	{"template", "C_SetAttributeValue of an attribute the key lacks", "5.7", set_absent, CKR_ATTRIBUTE_TYPE_INVALID},
	{"template", "C_GetAttributeValue of an attribute the key lacks", "5.7", get_absent, CKR_ATTRIBUTE_TYPE_INVALID},
	{"template", "C_GetAttributeValue of CKA_PRIVATE_EXPONENT", "5.7", get_sensitive, CKR_ATTRIBUTE_SENSITIVE},

	{"buffer", "C_Sign, 1-byte buffer (then signs)", "5.11", small_sign, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_SignFinal, 1-byte buffer (then signs)", "5.11", small_sign_final, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_Encrypt, 1-byte buffer (then encrypts)", "5.8", small_encrypt, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_Decrypt, 1-byte buffer (then decrypts)", "5.9", small_decrypt, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_Digest, 1-byte buffer (then digests)", "5.10", small_digest, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_DigestFinal, 1-byte buffer (then digests)", "5.10", small_digest_final, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_GetAttributeValue, 1-byte CKA_MODULUS", "5.7", small_attribute, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_GetSlotList, room for none", "5.5", small_slot_list, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_GetMechanismList, room for one", "5.5", small_mechanism_list, CKR_BUFFER_TOO_SMALL},
	{"buffer", "C_GetOperationState (not offered)", "5.6", small_operation_state, CKR_FUNCTION_NOT_SUPPORTED},
};

/* Each row on a fresh module; every deviation reported, then the count. */
static void run_column(const char *column)
{
	int bad = 0, ran = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (strcmp(rows[i].column, column) != 0)
			continue;
		struct fx x;
		start("kaztoken");
		x.rw = open_rw();
		assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &x.ro), CKR_OK);
		assert_int_equal(login(x.rw, "12345678"), CKR_OK);
		keygen(x.rw, &x.pub, &x.priv);
		CK_RV rv = rows[i].run(&x);
		if (rv != rows[i].want) {
			print_error("%s (PKCS#11 2.40 §%s): CKR 0x%lX, the spec says 0x%lX\n", rows[i].what,
				    rows[i].section, rv, rows[i].want);
			bad++;
		}
		ran++;
		teardown(NULL);
	}
	assert_true(ran > 0);
	assert_int_equal(bad, 0);
}

static void test_wrong_session_state(void **state) { (void)state; run_column("state"); }
static void test_null_arguments(void **state) { (void)state; run_column("NULL"); }
static void test_bad_templates(void **state) { (void)state; run_column("template"); }
static void test_buffer_too_small(void **state) { (void)state; run_column("buffer"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_session_state),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_bad_templates),
		cmocka_unit_test(test_buffer_too_small),
	};
	return cmocka_run_group_tests_name("p11_states", tests, setup, NULL);
}
