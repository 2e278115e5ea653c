/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* On-card keys: generation, every signature and decryption algorithm,
 * checked with OpenSSL against the public key the card returned. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "tests/support/emu.h"
#include "tests/support/script.h"

EMU_FIXTURE

/* The public key in a 7F49 template, as an OpenSSL key. */
static EVP_PKEY *public_key(const uint8_t *d, size_t n)
{
	EVP_PKEY *key;
	assert_int_equal(tm_pubkey_decode(d, n, &key), TM_OK);
	return key;
}

/* GENERATE; returns the key reference and the public key. */
static int generate(uint8_t alg, uint16_t bits, uint8_t usage, EVP_PKEY **pub)
{
	static uint8_t d[2048];
	const uint8_t tmpl[] = {0xE2, 0x0D, 0xC7, 0x01, alg, 0xC8, 0x02, (uint8_t)(bits >> 8),
				(uint8_t)bits, 0xC5, 0x01, usage, 0xC4, 0x01, 'K'};
	struct tm_apdu c = {.ins = TM_INS_GENERATE_KEY_PAIR, .data = tmpl,
			    .nc = sizeof(tmpl), .ne = 65536};
	size_t n;

	/* Through the engine: an RSA-2048 public key is longer than 256. */
	e->sw = emu_transceive(e, &c, d, sizeof(d), &n);
	if (e->sw != 0x9000)
		return -1;
	assert_int_equal(d[0], TM_TAG_FILE_ID);
	*pub = public_key(d + 4, n - 4);
	return d[2] << 8 | d[3];
}

/* PSO in the one-APDU form: DOs 84, 80, extra, then the input. */
static uint16_t pso(uint16_t p1p2, int ref, uint8_t alg, const char *extra_hex,
		    uint8_t in_tag, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	uint8_t data[1024];
	uint8_t extra[64];
	long xl = tm_hex_decode(extra_hex, extra, sizeof(extra));
	size_t k = 0;

	data[k++] = 0x84; data[k++] = 2; data[k++] = (uint8_t)(ref >> 8); data[k++] = (uint8_t)ref;
	data[k++] = 0x80; data[k++] = 1; data[k++] = alg;
	memcpy(data + k, extra, (size_t)xl);
	k += (size_t)xl;
	data[k++] = in_tag;
	if (n > 255) { data[k++] = 0x82; data[k++] = (uint8_t)(n >> 8); }
	else if (n > 127) data[k++] = 0x81;
	data[k++] = (uint8_t)n;
	memcpy(data + k, in, n);
	k += n;
	struct tm_apdu c = {.ins = TM_INS_PSO, .p1 = (uint8_t)(p1p2 >> 8),
			    .p2 = (uint8_t)p1p2, .data = data, .nc = k, .ne = 65536};
	return emu_transceive(e, &c, out, 4096, out_len);
}

static void test_rsa_sign_and_decrypt(void **state)
{
	(void)state;
	EVP_PKEY *pub;
	uint8_t sig[4096], hash[32], msg[] = "Tumar signs this";
	size_t sig_len;
	/* DigestInfo for SHA-256 (RFC 8017 §9.2 note 1). */
	uint8_t di[19 + 32] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
			       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

	e = emu_new("kaztoken");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	int ref = generate(TM_KEY_RSA, 2048, TM_USAGE_SIGN | TM_USAGE_DECRYPT, &pub);
	assert_true(ref > 0);
	assert_int_equal(EVP_PKEY_get_bits(pub), 2048);
	assert_int_equal(e->applet.last_op, TM_OP_KEYGEN);

	EVP_Digest(msg, sizeof(msg) - 1, hash, NULL, EVP_sha256(), NULL);
	memcpy(di + 19, hash, 32);
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PKCS1, "", 0x9A, di,
			     sizeof(di), sig, &sig_len), 0x9000);
	assert_int_equal(sig_len, 256);
	/* OpenSSL's SHA256withRSA verification of the card's signature. */
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, sig_len, msg, sizeof(msg) - 1), 1);
	EVP_MD_CTX_free(md);

	/* PSS with SHA-256, salt = hash length. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PSS, "C10103", 0x9A, hash,
			     32, sig, &sig_len), 0x9000);
	EVP_PKEY_CTX *vc = EVP_PKEY_CTX_new(pub, NULL);
	assert_true(EVP_PKEY_verify_init(vc) > 0);
	EVP_PKEY_CTX_set_rsa_padding(vc, RSA_PKCS1_PSS_PADDING);
	EVP_PKEY_CTX_set_signature_md(vc, EVP_sha256());
	EVP_PKEY_CTX_set_rsa_pss_saltlen(vc, RSA_PSS_SALTLEN_DIGEST);
	assert_int_equal(EVP_PKEY_verify(vc, sig, sig_len, hash, 32), 1);
	EVP_PKEY_CTX_free(vc);
	/* PSS input must be exactly the hash. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PSS, "C10103", 0x9A, hash,
			     31, sig, &sig_len), 0x6A80);

	/* Decryption: OpenSSL encrypts to the card's public key. */
	uint8_t ct[256], pt[4096], secret[] = "session key 123";
	size_t ct_len = sizeof(ct), pt_len;
	EVP_PKEY_CTX *ec = EVP_PKEY_CTX_new(pub, NULL);
	assert_true(EVP_PKEY_encrypt_init(ec) > 0);
	EVP_PKEY_CTX_set_rsa_padding(ec, RSA_PKCS1_PADDING);
	assert_true(EVP_PKEY_encrypt(ec, ct, &ct_len, secret, sizeof(secret)) > 0);
	/* 256 bytes of cryptogram plus DOs: a chain on short APDUs, or one
	 * extended APDU here. */
	assert_int_equal(pso(TM_P1P2_PSO_DECIPHER_DOS, ref, TM_ALG_RSA_DECRYPT_PKCS1, "",
			     0x86, ct, ct_len, pt, &pt_len), 0x9000);
	assert_int_equal(pt_len, sizeof(secret));
	assert_memory_equal(pt, secret, sizeof(secret));
	/* OAEP with SHA-256 and a label. */
	ct_len = sizeof(ct);
	EVP_PKEY_CTX_set_rsa_padding(ec, RSA_PKCS1_OAEP_PADDING);
	EVP_PKEY_CTX_set_rsa_oaep_md(ec, EVP_sha256());
	EVP_PKEY_CTX_set0_rsa_oaep_label(ec, OPENSSL_memdup("L", 1), 1);
	assert_true(EVP_PKEY_encrypt(ec, ct, &ct_len, secret, sizeof(secret)) > 0);
	assert_int_equal(pso(TM_P1P2_PSO_DECIPHER_DOS, ref, TM_ALG_RSA_DECRYPT_OAEP,
			     "C10103 C4014C", 0x86, ct, ct_len, pt, &pt_len), 0x9000);
	assert_memory_equal(pt, secret, sizeof(secret));
	/* The wrong label: the padding check fails, 6A80. */
	assert_int_equal(pso(TM_P1P2_PSO_DECIPHER_DOS, ref, TM_ALG_RSA_DECRYPT_OAEP,
			     "C10103 C4014D", 0x86, ct, ct_len, pt, &pt_len), 0x6A80);
	EVP_PKEY_CTX_free(ec);
	EVP_PKEY_free(pub);
}

static void test_ecdsa(void **state)
{
	(void)state;
	EVP_PKEY *pub;
	uint8_t sig[128], hash[32] = {1, 2, 3};
	size_t sig_len;

	e = emu_new("tumar-full");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	/* EC keys do not decrypt. */
	assert_int_equal(generate(TM_KEY_EC_P256, 256, TM_USAGE_DECRYPT, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	int ref = generate(TM_KEY_EC_P256, 256, TM_USAGE_SIGN, &pub);
	assert_true(ref > 0);
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_ECDSA, "", 0x9A, hash, 32,
			     sig, &sig_len), 0x9000);
	assert_int_equal(sig_len, 64);
	/* r || s back to DER for OpenSSL. */
	ECDSA_SIG *s = ECDSA_SIG_new();
	ECDSA_SIG_set0(s, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
	unsigned char *der = NULL;
	int der_len = i2d_ECDSA_SIG(s, &der);
	EVP_PKEY_CTX *vc = EVP_PKEY_CTX_new(pub, NULL);
	assert_true(EVP_PKEY_verify_init(vc) > 0);
	assert_int_equal(EVP_PKEY_verify(vc, der, (size_t)der_len, hash, 32), 1);
	hash[0] ^= 1;
	assert_int_equal(EVP_PKEY_verify(vc, der, (size_t)der_len, hash, 32), 0);
	EVP_PKEY_CTX_free(vc);
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	/* An RSA algorithm for an EC key. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PKCS1, "", 0x9A, hash, 32,
			     sig, &sig_len), 0x6A80);
	EVP_PKEY_free(pub);
}

/* GOST R 34.10-2015 on the card: a digest in, the signature in the
 * layout C5 names, checked with gost-engine against the key the card
 * returned. */
static void gost_sign_checked(unsigned bits, uint8_t alg)
{
	EVP_PKEY *pub;
	uint8_t digest[64], sig[4096];
	size_t sig_len, half = bits / 8;

	int ref = generate(alg, (uint16_t)bits, TM_USAGE_SIGN, &pub);
	assert_true(ref > 0);
	unsigned pub_bits;
	assert_true(tm_gost_is_gost(pub, &pub_bits));
	assert_int_equal(pub_bits, bits);
	assert_int_equal(tm_gost_digest(bits, (const uint8_t *)"abc", 3, digest), TM_OK);
	/* No C5: RFC 4491's layout. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_GOST, "", 0x9A, digest, half, sig,
			     &sig_len), 0x9000);
	assert_int_equal(sig_len, 2 * half);
	assert_int_equal(tm_gost_verify(pub, digest, half, TM_GOST_RFC4491, sig, sig_len), TM_OK);
	assert_int_equal(tm_gost_verify(pub, digest, half, TM_GOST_NCA, sig, sig_len),
			 TM_ERR_WRONG_DATA);
	/* C5 01: the NCA's. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_GOST, "C50101", 0x9A, digest, half,
			     sig, &sig_len), 0x9000);
	assert_int_equal(tm_gost_verify(pub, digest, half, TM_GOST_NCA, sig, sig_len), TM_OK);
	digest[0] ^= 1;
	assert_int_equal(tm_gost_verify(pub, digest, half, TM_GOST_NCA, sig, sig_len),
			 TM_ERR_WRONG_DATA);
	/* A layout the protocol does not have; a digest of the other size;
	 * an algorithm for another kind of key. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_GOST, "C50102", 0x9A, digest, half,
			     sig, &sig_len), 0x6A80);
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_GOST, "", 0x9A, digest,
			     bits == 512 ? 32 : 64, sig, &sig_len), 0x6A80);
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_ECDSA, "", 0x9A, digest, half, sig,
			     &sig_len), 0x6A80);
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PKCS1, "", 0x9A, digest, 32, sig,
			     &sig_len), 0x6A80);
	/* GENERATE P1=81 gives the same public key again. */
	char hex[32];
	snprintf(hex, sizeof(hex), "0046810004 8302%04X 00", ref);
	assert_int_equal(emu_cmd(e, hex), 0x9000);
	EVP_PKEY *again = public_key(emu_data(e), emu_data_len(e));
	assert_int_equal(EVP_PKEY_eq(pub, again), 1);
	EVP_PKEY_free(again);
	EVP_PKEY_free(pub);
}

static void test_gost(void **state)
{
	(void)state;
	EVP_PKEY *pub = NULL;
	uint8_t sig[4096], digest[32] = {1};
	size_t sig_len;

	if (!tm_gost_available())
		fail_msg("gost-engine (libengine-gost-openssl) is not installed");
	e = emu_new("kaztoken");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	gost_sign_checked(512, TM_KEY_GOST2012_512);
	gost_sign_checked(256, TM_KEY_GOST2012_256);
	/* GOST keys sign only; the sizes are the algorithm's. */
	assert_int_equal(generate(TM_KEY_GOST2012_512, 512, TM_USAGE_DECRYPT, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	assert_int_equal(generate(TM_KEY_GOST2012_512, 256, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	assert_int_equal(generate(TM_KEY_GOST2012_256, 512, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	/* An RSA key does not sign GOST. */
	int ref = generate(TM_KEY_RSA, 1024, TM_USAGE_SIGN, &pub);
	assert_true(ref > 0);
	EVP_PKEY_free(pub);
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_GOST, "", 0x9A, digest, 32, sig,
			     &sig_len), 0x6A80);
}

/* IMPORT KEY of a GOST scalar: the card works out the point, signs with
 * the key; a scalar out of range is refused. */
static uint16_t import_gost(const uint8_t *d, size_t len, struct tm_buf *out)
{
	uint8_t data[128];
	size_t k = 0;
	data[k++] = 0xE2; data[k++] = (uint8_t)(15 + len);
	memcpy(data + k, "\xC7\x01\x03\xC8\x02\x02\x00\xC5\x01\x01\x7F\x48", 12);
	k += 12;
	data[k++] = (uint8_t)(2 + len);
	data[k++] = 0x87; data[k++] = (uint8_t)len;
	memcpy(data + k, d, len);
	k += len;
	struct tm_apdu c = {.cla = 0x80, .ins = TM_INS_IMPORT_KEY, .data = data, .nc = k,
			    .ne = 65536};
	size_t n;
	uint16_t sw = emu_transceive(e, &c, out->data, out->cap, &n);
	out->len = n;
	return sw;
}

static void test_gost_import(void **state)
{
	(void)state;
	uint8_t d[64], resp[1024], digest[64] = {9}, sig[256];
	struct tm_buf out = {.data = resp, .cap = sizeof(resp)};
	EVP_PKEY *host, *card;
	size_t sig_len;

	e = emu_new("tumar-full");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(0x11 + i);
	assert_int_equal(tm_gost_from_scalar(512, d, sizeof(d), &host), TM_OK);
	assert_int_equal(import_gost(d, sizeof(d), &out), 0x9000);
	card = public_key(resp + 4, out.len - 4);
	assert_int_equal(EVP_PKEY_eq(host, card), 1);
	int ref = resp[2] << 8 | resp[3];
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_GOST, "", 0x9A, digest, 64, sig,
			     &sig_len), 0x9000);
	assert_int_equal(tm_gost_verify(host, digest, 64, TM_GOST_RFC4491, sig, sig_len), TM_OK);
	EVP_PKEY_free(card);
	EVP_PKEY_free(host);
	memset(d, 0, sizeof(d));
	assert_int_equal(import_gost(d, sizeof(d), &out), 0x6A80);
	memset(d, 0xFF, sizeof(d)); /* above the group order */
	assert_int_equal(import_gost(d, sizeof(d), &out), 0x6A80);
}

/* The models that have no GOST keys refuse them. */
static void test_gost_is_model_data(void **state)
{
	(void)state;
	EVP_PKEY *pub = NULL;

	e = emu_new("etoken-pro-72k");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(generate(TM_KEY_GOST2012_512, 512, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
}

static void test_iso_security_environment(void **state)
{
	(void)state;
	EVP_PKEY *pub;
	uint8_t out[512];
	size_t n;

	e = emu_new("kaztoken");
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	int ref = generate(TM_KEY_RSA, 1024, TM_USAGE_SIGN, &pub);
	assert_true(ref > 0);
	/* PSO without an environment. */
	assert_int_equal(emu_cmd(e, "002A9E9A03 010203 00"), 0x6985);
	char hex[64];
	snprintf(hex, sizeof(hex), "002241B607 8402%04X 800101", ref);
	assert_int_equal(emu_cmd(e, hex), 0x9000);
	struct tm_apdu c = {.ins = TM_INS_PSO, .p1 = 0x9E, .p2 = 0x9A,
			    .data = (const uint8_t *)"\x01\x02\x03", .nc = 3, .ne = 256};
	assert_int_equal(emu_transceive(e, &c, out, sizeof(out), &n), 0x9000);
	assert_int_equal(n, 128);
	/* The key may only sign: an environment for decryption is refused. */
	snprintf(hex, sizeof(hex), "002241B807 8402%04X 800121", ref);
	assert_int_equal(emu_cmd(e, hex), 0x6985);
	/* SELECT clears the environment. */
	assert_int_equal(emu_cmd(e, "00A4040007F054554D41520100"), 0x9000);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	assert_int_equal(emu_cmd(e, "002A9E9A03 010203 00"), 0x6985);
	EVP_PKEY_free(pub);
}

static void test_key_rules(void **state)
{
	(void)state;
	EVP_PKEY *pub;
	uint8_t out[512], in[20] = {0};
	size_t n;

	e = emu_new("kaztoken");
	/* Not logged in. */
	assert_int_equal(generate(TM_KEY_RSA, 2048, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6982);
	assert_int_equal(emu_verify(e, TM_PIN_USER, "12345678"), 0x9000);
	/* Sizes and algorithms the model lacks. */
	assert_int_equal(generate(TM_KEY_RSA, 4096, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	assert_int_equal(generate(TM_KEY_EC_P256, 256, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	assert_int_equal(generate(0x09, 512, TM_USAGE_SIGN, &pub), -1);
	assert_int_equal(e->sw, 0x6A80);
	int ref = generate(TM_KEY_RSA, 1024, TM_USAGE_DECRYPT, &pub);
	assert_true(ref > 0);
	/* Usage: a decryption key does not sign. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PKCS1, "", 0x9A, in, 20,
			     out, &n), 0x6985);
	/* No such key. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, 0x4242, TM_ALG_RSA_PKCS1, "", 0x9A, in,
			     20, out, &n), 0x6A88);
	/* Unknown DO in the list. */
	assert_int_equal(pso(TM_P1P2_PSO_CDS_DOS, ref, TM_ALG_RSA_PKCS1, "C90100", 0x9A, in,
			     20, out, &n), 0x6A80);
	/* The public key is readable later, without a PIN. */
	assert_int_equal(emu_cmd(e, "0020FF81"), 0x9000);
	char hex[32];
	snprintf(hex, sizeof(hex), "0046810004 8302%04X 00", ref);
	assert_int_equal(emu_cmd(e, hex), 0x9000);
	EVP_PKEY *again = public_key(emu_data(e), emu_data_len(e));
	assert_int_equal(EVP_PKEY_eq(pub, again), 1);
	EVP_PKEY_free(again);
	EVP_PKEY_free(pub);
	assert_int_equal(emu_cmd(e, "0046810004 83024242 00"), 0x6A88);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rsa_sign_and_decrypt, emu_teardown),
		cmocka_unit_test_teardown(test_ecdsa, emu_teardown),
		cmocka_unit_test_teardown(test_gost, emu_teardown),
		cmocka_unit_test_teardown(test_gost_is_model_data, emu_teardown),
		cmocka_unit_test_teardown(test_gost_import, emu_teardown),
		cmocka_unit_test_teardown(test_iso_security_environment, emu_teardown),
		cmocka_unit_test_teardown(test_key_rules, emu_teardown),
	};
	return cmocka_run_group_tests_name("emu_crypto", tests, NULL, NULL);
}
