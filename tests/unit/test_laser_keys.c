/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER applet's keys (jacarta-laser.md §6, §7): GENERATE into a KO
 * (the public half through GET RESPONSE), PSO sign, raw and decipher
 * with the KO selected last, a public key KO, and private-key import by
 * 80 24 with its concatenated parts.  Every result is checked with
 * OpenSSL against the key's public half. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "apdu/laser.h"
#include "apdu/tlv.h"
#include "apdu/rc.h"
#include "tests/support/laser_emu.h"

LEMU_FIXTURE
static uint8_t buf[4096];
static size_t len;

/* The profile's template private key: READ free, the rest user PIN. */
static uint16_t create_ko(uint16_t fid, unsigned bytes, const char *content)
{
	char hex[256];
	snprintf(hex, sizeof(hex),
		 "00E00800%02zX 62%02zX 8A0104 8302%04X 8002%04X 8505050C2000A3 "
		 "860E 0000 0020 00FF 0000 0020 0020 0020 %s",
		 (size_t)(0x22 + strlen(content) / 2) + 2, (size_t)(0x22 + strlen(content) / 2),
		 fid, bytes, content);
	return lemu_cmd(e, hex);
}

static EVP_PKEY *public_from(const uint8_t *n, size_t n_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;
	OSSL_PARAM *p;

	BN_set_word(bn_e, 65537);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
	p = OSSL_PARAM_BLD_to_param(bld);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, p), 1);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
	return k;
}

static EVP_PKEY *generate(uint16_t fid, uint8_t alg, unsigned bytes)
{
	static const uint8_t body[] = {0xAC, 0x09, 0x80, 0x01, 0x00, 0x81, 0x81, 0x03, 0x01, 0x00, 0x01};
	uint8_t d[sizeof(body)];
	char path[32];

	memcpy(d, body, sizeof(d));
	d[4] = alg;
	assert_int_equal(create_ko(fid, bytes, "7100"), 0x9000);
	snprintf(path, sizeof(path), "3F0030003002%04X", fid);
	assert_int_equal(lemu_select(e, path), 0x9000);
	assert_int_equal(lemu_chain(e, "00470000", d, sizeof(d), buf, sizeof(buf), &len), 0x9000);
	struct tm_tlv pk, n, x;
	assert_int_equal(tm_tlv_find(buf, len, 0x7F49, &pk), TM_OK);
	assert_int_equal(tm_tlv_find(pk.value, pk.len, 0x81, &n), TM_OK);
	assert_int_equal(n.len, bytes); /* exactly the key's length (§6) */
	assert_int_equal(tm_tlv_find(pk.value, pk.len, 0x82, &x), TM_OK);
	assert_int_equal(x.len, 3);
	return public_from(n.value, n.len);
}

static void verify_sha256(EVP_PKEY *pub, const uint8_t *sig, size_t sig_len, const char *msg)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, sig_len, (const uint8_t *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(md);
}

/* PSO 9E8A over SHA-256's DigestInfo of msg. */
static uint16_t sign(const char *msg)
{
	static const uint8_t prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	uint8_t in[2 + sizeof(prefix) + 32];
	unsigned mdlen;
	in[0] = 0x80;
	in[1] = sizeof(prefix) + 32;
	memcpy(in + 2, prefix, sizeof(prefix));
	EVP_Digest(msg, strlen(msg), in + 2 + sizeof(prefix), &mdlen, EVP_sha256(), NULL);
	return lemu_chain(e, "002A9E8A", in, sizeof(in), buf, sizeof(buf), &len);
}

static void test_generate_and_sign(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	EVP_PKEY *pub = generate(0x0041, TM_LASER_GEN_RSA_2048, 256);
	/* The KO stays selected: PSO signs with it. */
	assert_int_equal(sign("hello"), 0x9000);
	assert_int_equal(len, 256);
	verify_sha256(pub, buf, len, "hello");
	/* Selecting another file does not change PSO's key... */
	assert_int_equal(lemu_select(e, "3F003000C000"), 0x9000);
	assert_int_equal(sign("again"), 0x9000);
	verify_sha256(pub, buf, len, "again");
	/* ...until the PIN is gone. */
	assert_int_equal(lemu_cmd(e, "8028000004 00000020"), 0x9000);
	assert_int_equal(sign("no"), 0x6982);
	EVP_PKEY_free(pub);
}

static void test_raw_and_decipher(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	EVP_PKEY *pub = generate(0x0042, TM_LASER_GEN_RSA_1024, 128);
	/* Decipher 800A: the card strips PKCS#1 v1.5. */
	uint8_t ct[128], in[2 + 128 + 1];
	size_t ct_len = sizeof(ct);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_encrypt(ctx, ct, &ct_len, (const uint8_t *)"secret", 6), 1);
	in[0] = 0x82;
	in[1] = 0x81;
	in[2] = 128;
	memcpy(in + 3, ct, 128);
	assert_int_equal(lemu_chain(e, "002A800A", in, 3 + 128, buf, sizeof(buf), &len), 0x9000);
	assert_int_equal(len, 2 + 6);
	assert_memory_equal(buf, "\x80\x06secret", 8);
	assert_true(e->applet.private_out);
	/* Raw 800C: out^e mod n is the input again. */
	assert_int_equal(lemu_chain(e, "002A800C", in, 3 + 128, buf, sizeof(buf), &len), 0x9000);
	assert_int_equal(buf[0], 0x80);
	uint8_t back[128];
	size_t back_len = sizeof(back);
	EVP_PKEY_CTX_free(ctx);
	ctx = EVP_PKEY_CTX_new(pub, NULL);
	assert_int_equal(EVP_PKEY_verify_recover_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	assert_int_equal(EVP_PKEY_verify_recover(ctx, back, &back_len, buf + 3, 128), 1);
	assert_memory_equal(back, ct, 128);
	/* Wrong tag, wrong P1P2, an input too long for PKCS#1. */
	in[0] = 0x80;
	assert_int_equal(lemu_chain(e, "002A800A", in, 3 + 128, buf, sizeof(buf), &len), 0x6A80);
	assert_int_equal(lemu_cmd(e, "002A9E9A03800101 00"), 0x6A86);
	uint8_t big[2 + 120] = {0x80, 120};
	assert_int_equal(lemu_chain(e, "002A9E8A", big, sizeof(big), buf, sizeof(buf), &len), 0x6A80);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
}

static void test_generate_rules(void **state)
{
	static const uint8_t body[] = {0xAC, 0x09, 0x80, 0x01, 0x07, 0x81, 0x81, 0x03, 0x01, 0x00, 0x03};
	(void)state;
	e = lemu_new(NULL);
	/* No PIN: no KO in 3002. */
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create_ko(0x0041, 256, "7100"), 0x6982);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create_ko(0x0041, 256, "7100"), 0x9000);
	/* e = 3, and a size that is not the KO's: 6A80. */
	assert_int_equal(lemu_chain(e, "00470000", body, sizeof(body), buf, sizeof(buf), &len), 0x6A80);
	uint8_t d[sizeof(body)];
	memcpy(d, body, sizeof(d));
	d[10] = 0x01;
	d[4] = TM_LASER_GEN_RSA_1024;
	assert_int_equal(lemu_chain(e, "00470000", d, sizeof(d), buf, sizeof(buf), &len), 0x6A80);
	/* Not a key KO: 6981; PSO with no key yet: 6985. */
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	d[4] = TM_LASER_GEN_RSA_2048;
	assert_int_equal(lemu_chain(e, "00470000", d, sizeof(d), buf, sizeof(buf), &len), 0x6981);
	assert_int_equal(lemu_select(e, "3F00300030020041"), 0x9000);
	assert_int_equal(sign("x"), 0x6985);
}

/* 62 { 90 e, 91 n, 92 d, 93 p||q, 94 dp||dq||qinv } of an OpenSSL key,
 * the halves with their leading zeros stripped as the driver's BIGNUM
 * encoding does. */
static size_t import_body(EVP_PKEY *k, uint8_t *out)
{
	static const char *names[] = {OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N,
				      OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
				      OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
				      OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	uint8_t part[8][512];
	int plen[8];
	for (int i = 0; i < 8; i++) {
		BIGNUM *b = NULL;
		assert_int_equal(EVP_PKEY_get_bn_param(k, names[i], &b), 1);
		plen[i] = BN_bn2bin(b, part[i]);
		BN_free(b);
	}
	struct tm_buf w;
	tm_buf_init_fixed(&w, out, 4096);
	size_t m = tm_tlv_begin(&w, 0x62);
	tm_tlv_put(&w, 0x90, part[0], (size_t)plen[0]);
	tm_tlv_put(&w, 0x91, part[1], (size_t)plen[1]);
	tm_tlv_put(&w, 0x92, part[2], (size_t)plen[2]);
	size_t pq = tm_tlv_begin(&w, 0x93);
	tm_buf_add(&w, part[3], (size_t)plen[3]);
	tm_buf_add(&w, part[4], (size_t)plen[4]);
	tm_tlv_end(&w, pq);
	size_t crt = tm_tlv_begin(&w, 0x94);
	for (int i = 5; i < 8; i++)
		tm_buf_add(&w, part[i], (size_t)plen[i]);
	tm_tlv_end(&w, crt);
	tm_tlv_end(&w, m);
	assert_true(tm_buf_ok(&w));
	return w.len;
}

static void test_import_and_public_ko(void **state)
{
	uint8_t body[4096];
	(void)state;
	e = lemu_new(NULL);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(k);
	size_t n = import_body(k, body);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F0030003002"), 0x9000);
	assert_int_equal(create_ko(0x0043, 256, "7100"), 0x9000);
	assert_int_equal(lemu_chain(e, "80240000", body, n, buf, sizeof(buf), &len), 0x9000);
	assert_int_equal(sign("imported"), 0x9000);
	verify_sha256(k, buf, len, "imported");
	/* Parts that do not make a key: refused, the key stays. */
	body[n - 5] ^= 0x01;
	assert_int_equal(lemu_chain(e, "80240000", body, n, buf, sizeof(buf), &len), 0x6A80);
	assert_int_equal(sign("still"), 0x9000);
	verify_sha256(k, buf, len, "still");
	/* The public KO in 3001: 71 { 90 e, 91 n }. */
	BIGNUM *bn_n = NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &bn_n), 1);
	char content[1100];
	int off = snprintf(content, sizeof(content), "71820109 9003010001 9182 0100");
	uint8_t nb[256];
	BN_bn2binpad(bn_n, nb, 256);
	for (int i = 0; i < 256; i++)
		off += snprintf(content + off, sizeof(content) - (size_t)off, "%02X", nb[i]);
	BN_free(bn_n);
	assert_int_equal(lemu_select(e, "3F0030003001"), 0x9000);
	char hex[1300];
	size_t clen = (strlen(content) - 3) / 2;
	snprintf(hex, sizeof(hex),
		 "00E00800 00%04zX 6282%04zX 8A0104 83020083 80020100 8505040C2000A3 "
		 "860E 0000 00FF 00FF 0000 00FF 00FF 0000 %s",
		 clen + 0x22 + 4, clen + 0x22, content);
	assert_int_equal(lemu_cmd(e, hex), 0x9000);
	assert_non_null(e->applet.card);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_generate_and_sign, lemu_teardown),
		cmocka_unit_test_teardown(test_raw_and_decipher, lemu_teardown),
		cmocka_unit_test_teardown(test_generate_rules, lemu_teardown),
		cmocka_unit_test_teardown(test_import_and_public_ko, lemu_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
