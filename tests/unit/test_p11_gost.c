/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GOST through the module.  Streebog (CKM_GOSTR3411_12_256/_512, the
 * TC26 names): listed and described as digests, and C_Digest whole and in
 * parts gives GOST R 34.11-2012's own example 1 and KalkanCrypt's digest
 * of its test message (tests/data/kz-gost).  GOST R 34.10-2012 keys made
 * on the card, their attributes, and signatures gost-engine verifies. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "driver/gost_attr.h"
#include "driver/p11_gost.h"
#include "tests/support/kz_vectors.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

/* GOST R 34.11-2012, appendix A, example 1 (the bytes as OpenSSL gives
 * them), and KalkanCrypt's Streebog-512 of "ncalayer-rs test message". */
static const char m1[] = "012345678901234567890123456789012345678901234567890123456789012";
static const char m1_256[] = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500";
static const char m1_512[] = "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
			     "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48";
static const char kalkan_msg[] = "ncalayer-rs test message";
static const char kalkan_512[] = "7d2b8e1c32c116aba0e4c14a021d459206b6174d201cddfed0b256da91729cf1"
				 "69199a9ff12d6026c29e6acabe19c4d191954823f54fb7b2661b3b4b5cfe2179";

static void check_digest(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE type, const char *msg,
			 const char *hex)
{
	CK_MECHANISM m = {type, NULL, 0};
	CK_BYTE got[64];
	CK_ULONG len = 0;
	char text[129];
	size_t n = strlen(msg);

	assert_int_equal(f->C_DigestInit(s, &m), CKR_OK);
	assert_int_equal(f->C_Digest(s, U(msg), n, NULL, &len), CKR_OK);
	assert_int_equal(len, strlen(hex) / 2);
	assert_int_equal(f->C_Digest(s, U(msg), n, got, &len), CKR_OK);
	for (CK_ULONG i = 0; i < len; i++)
		snprintf(text + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(text, hex);
	/* In parts. */
	memset(got, 0, sizeof(got));
	assert_int_equal(f->C_DigestInit(s, &m), CKR_OK);
	assert_int_equal(f->C_DigestUpdate(s, U(msg), 7), CKR_OK);
	assert_int_equal(f->C_DigestUpdate(s, U(msg + 7), n - 7), CKR_OK);
	len = sizeof(got);
	assert_int_equal(f->C_DigestFinal(s, got, &len), CKR_OK);
	for (CK_ULONG i = 0; i < len; i++)
		snprintf(text + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(text, hex);
}

static void test_streebog_digests(void **state)
{
	(void)state;
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = 64;
	CK_MECHANISM_INFO info;
	int seen = 0;

	start("kaztoken");
	assert_int_equal(f->C_GetMechanismList(0, list, &n), CKR_OK);
	for (CK_ULONG i = 0; i < n; i++)
		seen += list[i] == CKM_GOSTR3411_12_256 || list[i] == CKM_GOSTR3411_12_512;
	assert_int_equal(seen, 2);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_GOSTR3411_12_512, &info), CKR_OK);
	assert_int_equal(info.flags, CKF_DIGEST); /* on the host, not the card */
	CK_SESSION_HANDLE s = open_rw();
	check_digest(s, CKM_GOSTR3411_12_256, m1, m1_256);
	check_digest(s, CKM_GOSTR3411_12_512, m1, m1_512);
	check_digest(s, CKM_GOSTR3411_12_512, kalkan_msg, kalkan_512);
}

/* The public key PKCS#11 gives (CKA_VALUE, x || y little-endian), as a
 * gost-engine key. */
static EVP_PKEY *value_key(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, unsigned bits)
{
	CK_BYTE v[128], x[64], y[64];
	CK_ATTRIBUTE a = {CKA_VALUE, v, sizeof(v)};
	size_t half = bits / 8;
	EVP_PKEY *k;

	assert_int_equal(f->C_GetAttributeValue(s, pub, &a, 1), CKR_OK);
	assert_int_equal(a.ulValueLen, 2 * half);
	for (size_t i = 0; i < half; i++) {
		x[i] = v[half - 1 - i];
		y[i] = v[2 * half - 1 - i];
	}
	assert_int_equal(tm_gost_pubkey(bits, x, y, &k), TM_OK);
	return k;
}

static CK_ULONG ulong_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = 0;
	CK_ATTRIBUTE a = {type, &v, sizeof(v)};
	assert_int_equal(f->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	return v;
}

/* The DER OID attribute of o, as dotted text. */
static void oid_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, char *text,
		     size_t cap)
{
	CK_BYTE v[32];
	CK_ATTRIBUTE a = {type, v, sizeof(v)};
	assert_int_equal(f->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	const unsigned char *p = v;
	ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)a.ulValueLen);
	assert_non_null(obj);
	assert_true(p == v + a.ulValueLen);
	OBJ_obj2txt(text, (int)cap, obj, 1);
	ASN1_OBJECT_free(obj);
}

/* Key pair generation on the card, the attributes, and signatures that
 * gost-engine verifies: the raw mechanism over a digest, the hashing one
 * whole and in parts, and C_Verify of both. */
static void gost_key_checked(CK_SESSION_HANDLE s, unsigned bits)
{
	CK_MECHANISM gen = {bits == 512 ? CKM_GOSTR3410_512_KEY_PAIR_GEN : CKM_GOSTR3410_KEY_PAIR_GEN,
			    NULL, 0};
	CK_MECHANISM raw = {bits == 512 ? CKM_GOSTR3410_512 : CKM_GOSTR3410, NULL, 0};
	CK_MECHANISM hashed = {bits == 512 ? CKM_GOSTR3410_WITH_GOSTR3411_12_512
					   : CKM_GOSTR3410_WITH_GOSTR3411_12_256, NULL, 0};
	uint8_t params[16], hash_oid[16];
	size_t pl = tm_gost_attr_oid(bits, false, params, sizeof(params));
	size_t hl = tm_gost_attr_oid(bits, true, hash_oid, sizeof(hash_oid));
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {{CKA_GOSTR3410_PARAMS, params, pl}, {CKA_GOSTR3411_PARAMS, hash_oid, hl},
			     {CKA_TOKEN, &yes, sizeof(yes)}, {CKA_VERIFY, &yes, sizeof(yes)}};
	CK_ATTRIBUTE kt[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_SIGN, &yes, sizeof(yes)},
			     {CKA_LABEL, U("GOST"), 4}};
	CK_OBJECT_HANDLE pub, priv;
	size_t half = bits / 8;
	uint8_t digest[64], sig[128];
	CK_ULONG sig_len;
	char text[64];

	assert_int_equal(f->C_GenerateKeyPair(s, &gen, pt, 4, kt, 3, &pub, &priv), CKR_OK);
	CK_KEY_TYPE want = bits == 512 ? CKK_GOSTR3410_512 : CKK_GOSTR3410;
	assert_int_equal(ulong_attr(s, pub, CKA_KEY_TYPE), want);
	assert_int_equal(ulong_attr(s, priv, CKA_KEY_TYPE), want);
	assert_int_equal(ulong_attr(s, priv, CKA_KEY_GEN_MECHANISM), gen.mechanism);
	oid_attr(s, priv, CKA_GOSTR3410_PARAMS, text, sizeof(text));
	assert_string_equal(text, bits == 512 ? "1.2.643.7.1.2.1.2.1" : "1.2.643.7.1.2.1.1.1");
	oid_attr(s, pub, CKA_GOSTR3411_PARAMS, text, sizeof(text));
	assert_string_equal(text, bits == 512 ? "1.2.643.7.1.1.2.3" : "1.2.643.7.1.1.2.2");
	/* The private value stays on the card. */
	CK_BYTE v[128];
	CK_ATTRIBUTE secret = {CKA_VALUE, v, sizeof(v)};
	assert_int_equal(f->C_GetAttributeValue(s, priv, &secret, 1), CKR_ATTRIBUTE_SENSITIVE);
	EVP_PKEY *host = value_key(s, pub, bits);

	/* Raw: a Streebog digest made here. */
	assert_int_equal(tm_gost_digest(bits, U("message"), 7, digest), TM_OK);
	assert_int_equal(f->C_SignInit(s, &raw, priv), CKR_OK);
	sig_len = 0;
	assert_int_equal(f->C_Sign(s, digest, half, NULL, &sig_len), CKR_OK);
	assert_int_equal(sig_len, 2 * half);
	assert_int_equal(f->C_Sign(s, digest, half, sig, &sig_len), CKR_OK);
	assert_int_equal(tm_gost_verify(host, digest, half, TM_GOST_RFC4491, sig, sig_len), TM_OK);
	assert_int_equal(f->C_VerifyInit(s, &raw, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, digest, half, sig, sig_len), CKR_OK);
	/* A digest of another length is not one. */
	assert_int_equal(f->C_SignInit(s, &raw, priv), CKR_OK);
	sig_len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, digest, half - 1, sig, &sig_len), CKR_DATA_LEN_RANGE);

	/* Hashing on the host, whole and in parts: one digest, so both
	 * signatures verify against it. */
	assert_int_equal(f->C_SignInit(s, &hashed, priv), CKR_OK);
	sig_len = sizeof(sig);
	assert_int_equal(f->C_Sign(s, U("message"), 7, sig, &sig_len), CKR_OK);
	assert_int_equal(tm_gost_verify(host, digest, half, TM_GOST_RFC4491, sig, sig_len), TM_OK);
	assert_int_equal(f->C_SignInit(s, &hashed, priv), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, U("mess"), 4), CKR_OK);
	assert_int_equal(f->C_SignUpdate(s, U("age"), 3), CKR_OK);
	sig_len = sizeof(sig);
	assert_int_equal(f->C_SignFinal(s, sig, &sig_len), CKR_OK);
	assert_int_equal(tm_gost_verify(host, digest, half, TM_GOST_RFC4491, sig, sig_len), TM_OK);
	assert_int_equal(f->C_VerifyInit(s, &hashed, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, U("message"), 7, sig, sig_len), CKR_OK);
	sig[3] ^= 1;
	assert_int_equal(f->C_VerifyInit(s, &hashed, pub), CKR_OK);
	assert_int_equal(f->C_Verify(s, U("message"), 7, sig, sig_len), CKR_SIGNATURE_INVALID);
	/* The other size's mechanism does not take this key. */
	CK_MECHANISM other = {bits == 512 ? CKM_GOSTR3410 : CKM_GOSTR3410_512, NULL, 0};
	assert_int_equal(f->C_SignInit(s, &other, priv), CKR_KEY_TYPE_INCONSISTENT);
	EVP_PKEY_free(host);
}

static void test_gost_keys(void **state)
{
	(void)state;
	CK_MECHANISM_INFO info;

	start("kaztoken");
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_GOSTR3410_512_KEY_PAIR_GEN, &info), CKR_OK);
	assert_int_equal(info.ulMinKeySize, 512);
	assert_int_equal(info.ulMaxKeySize, 512);
	assert_true(info.flags & CKF_GENERATE_KEY_PAIR);
	assert_true(info.flags & CKF_HW);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_GOSTR3410_WITH_GOSTR3411_12_256, &info), CKR_OK);
	assert_int_equal(info.ulMinKeySize, 256);
	assert_int_equal(info.flags, CKF_SIGN | CKF_VERIFY | CKF_HW);
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	gost_key_checked(s, 512);
	gost_key_checked(s, 256);
}

/* Templates the card cannot honour are refused before anything is made;
 * the models without GOST do not list it. */
static void test_gost_refusals(void **state)
{
	(void)state;
	CK_MECHANISM gen = {CKM_GOSTR3410_512_KEY_PAIR_GEN, NULL, 0};
	uint8_t params256[16];
	size_t pl = tm_gost_attr_oid(256, false, params256, sizeof(params256));
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE wrong_set[] = {{CKA_GOSTR3410_PARAMS, params256, pl}};
	CK_ATTRIBUTE decrypt[] = {{CKA_DECRYPT, &yes, sizeof(yes)}};
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM_INFO info;

	start("kaztoken");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "12345678"), CKR_OK);
	assert_int_equal(f->C_GenerateKeyPair(s, &gen, wrong_set, 1, NULL, 0, &pub, &priv),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(f->C_GenerateKeyPair(s, &gen, NULL, 0, decrypt, 1, &pub, &priv),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE any_key[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	assert_int_equal(find_count(s, any_key, 1), 0);
	teardown(NULL);
	start("etoken-pro-72k");
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_GOSTR3410_512, &info), CKR_MECHANISM_INVALID);
}

/* KalkanCrypt's private key imported (C_CreateObject, CKA_VALUE
 * little-endian as PKCS#11 has it) on the test token that takes imports:
 * its signatures verify with KalkanCrypt's public key, so the scalar
 * reached the card the right way round. */
static void test_gost_import_kalkan_key(void **state)
{
	(void)state;
	uint8_t d[64], d_le[64], spki[512], digest[64], params[16], sig[128];
	size_t n = kz_vector("d", d, sizeof(d)), sn = kz_vector("spki", spki, sizeof(spki));
	size_t pl = tm_gost_attr_oid(512, false, params, sizeof(params));
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_GOSTR3410_512;
	CK_BBOOL yes = CK_TRUE;
	CK_MECHANISM raw = {CKM_GOSTR3410_512, NULL, 0};
	CK_OBJECT_HANDLE key;
	CK_ULONG sig_len = sizeof(sig);
	EVP_PKEY *kalkan;

	assert_int_equal(n, 64);
	tm_gost_sig_convert(d, n, d_le);
	assert_int_equal(tm_gost_pubkey_from_spki(spki, sn, &kalkan, NULL), TM_OK);
	assert_int_equal(kz_vector("digest", digest, sizeof(digest)), 64);
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_KEY_TYPE, &kt, sizeof(kt)},
			    {CKA_TOKEN, &yes, sizeof(yes)}, {CKA_SIGN, &yes, sizeof(yes)},
			    {CKA_GOSTR3410_PARAMS, params, pl}, {CKA_VALUE, d_le, 64},
			    {CKA_ID, U("K"), 1}};
	start("tumar-full");
	CK_SESSION_HANDLE s = open_rw();
	assert_int_equal(login(s, "1234567890"), CKR_OK);
	/* Without its parameter set the template is incomplete. */
	assert_int_equal(f->C_CreateObject(s, t, 4, &key), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(f->C_CreateObject(s, t, 7, &key), CKR_OK);
	assert_int_equal(ulong_attr(s, key, CKA_KEY_TYPE), CKK_GOSTR3410_512);
	CK_BBOOL local = CK_TRUE;
	CK_ATTRIBUTE la = {CKA_LOCAL, &local, sizeof(local)};
	assert_int_equal(f->C_GetAttributeValue(s, key, &la, 1), CKR_OK);
	assert_false(local);
	assert_int_equal(f->C_SignInit(s, &raw, key), CKR_OK);
	assert_int_equal(f->C_Sign(s, digest, 64, sig, &sig_len), CKR_OK);
	assert_int_equal(tm_gost_verify(kalkan, digest, 64, TM_GOST_RFC4491, sig, sig_len), TM_OK);
	/* A scalar above the group order is refused, nothing stored. */
	memset(d_le, 0xFF, sizeof(d_le));
	assert_int_equal(f->C_CreateObject(s, t, 7, &key), CKR_ATTRIBUTE_VALUE_INVALID);
	CK_ATTRIBUTE any_key[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	assert_int_equal(find_count(s, any_key, 1), 1);
	EVP_PKEY_free(kalkan);
	OPENSSL_cleanse(d, sizeof(d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_streebog_digests, teardown),
		cmocka_unit_test_teardown(test_gost_keys, teardown),
		cmocka_unit_test_teardown(test_gost_refusals, teardown),
		cmocka_unit_test_teardown(test_gost_import_kalkan_key, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
