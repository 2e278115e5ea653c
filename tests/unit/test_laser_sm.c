/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LASER secure messaging (jacarta-laser.md §9): wrap and unwrap against
 * fixed vectors computed with OpenSSL's command line (3DES-CBC, and the
 * retail MAC as single DES-CBC then EDE), then the whole handshake with
 * the applet (80 48, 80 86), a PIN change under SM, an ACL that demands
 * SM, and a wrong MAC ending the session. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "apdu/laser.h"
#include "apdu/laser_sm.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "tests/support/laser_emu.h"
#include "tests/support/script.h"

LEMU_FIXTURE
static uint8_t buf[4096];
static size_t len;

static void hex(const char *h, uint8_t *out, size_t n)
{
	assert_int_equal(tm_hex_decode(h, out, n), (long)n);
}

static void fixed_session(struct tm_laser_sm *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 16; i++) {
		s->enc[i] = (uint8_t)i;
		s->mac[i] = (uint8_t)(0x10 + i);
	}
	s->open = true;
}

static void test_vectors(void **state)
{
	static const uint8_t pin_tpl[] = {0x62, 0x06, 0x81, 0x04, '1', '2', '3', '4'};
	struct tm_laser_sm host, card;
	struct tm_apdu plain = {.cla = 0x80, .ins = 0x24, .data = pin_tpl, .nc = sizeof(pin_tpl)};
	struct tm_apdu wrapped, back;
	uint8_t mem[256], want[64];
	struct tm_buf b, d;

	(void)state;
	fixed_session(&host);
	fixed_session(&card);
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	assert_true(tm_laser_sm_wrap_command(&host, &plain, &wrapped, &b));
	assert_int_equal(wrapped.cla, 0x8C);
	assert_int_equal(wrapped.ins, 0x24);
	hex("871101B86CFC7C1081A461677DB52DECC06A24 8E084D1FAC3E822B3C20", want, 29);
	assert_int_equal(wrapped.nc, 29);
	assert_memory_equal(wrapped.data, want, 29);
	/* The card takes it back to the plain command. */
	tm_buf_init_dynamic(&d, 1024);
	assert_true(tm_laser_sm_unwrap_command(&card, &wrapped, &back, &d));
	assert_int_equal(back.cla, 0x80);
	assert_int_equal(back.nc, sizeof(pin_tpl));
	assert_memory_equal(back.data, pin_tpl, sizeof(pin_tpl));
	assert_int_equal(back.ne, 0);
	tm_buf_free(&d);
	/* The answer: data AB CD, 9000, under SSC 2. */
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	assert_true(tm_laser_sm_wrap_response(&card, (const uint8_t *)"\xAB\xCD", 2, 0x9000, &b));
	hex("870901A48D7D832AC49221 99029000 8E081BC883FAFFC136BA", want, 25);
	assert_int_equal(b.len, 25);
	assert_memory_equal(b.data, want, 25);
	uint16_t sw = 0;
	tm_buf_init_dynamic(&d, 1024);
	assert_true(tm_laser_sm_unwrap_response(&host, b.data, b.len, &d, &sw));
	assert_int_equal(sw, 0x9000);
	assert_int_equal(d.len, 2);
	assert_memory_equal(d.data, "\xAB\xCD", 2);
	tm_buf_free(&d);
	/* Replayed, or with one bit off: refused (the SSC has moved on). */
	tm_buf_init_dynamic(&d, 1024);
	assert_false(tm_laser_sm_unwrap_command(&card, &wrapped, &back, &d));
	tm_buf_free(&d);
}

static void test_retail_mac(void **state)
{
	static const uint8_t key[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
					0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F};
	uint8_t in[40], mac[8], want[8];
	(void)state;
	hex("0000000000000001 8C24000080000000 871101B86CFC7C1081A461677DB52DECC06A24 8000000000",
	    in, sizeof(in));
	assert_true(tm_laser_sm_retail_mac(key, in, sizeof(in), mac));
	hex("4D1FAC3E822B3C20", want, 8);
	assert_memory_equal(mac, want, 8);
	assert_false(tm_laser_sm_retail_mac(key, in, 39, mac));
}

/* --- The handshake with the applet ---------------------------------- */

static struct tm_laser_sm host;

static EVP_PKEY *dh_from(const struct tm_tlv *p, const struct tm_tlv *g)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bp = BN_bin2bn(p->value, (int)p->len, NULL), *bg = BN_bin2bn(g->value, (int)g->len, NULL);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *params = NULL, *k = NULL;
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg);
	OSSL_PARAM *pa = OSSL_PARAM_BLD_to_param(bld);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &params, EVP_PKEY_KEY_PARAMETERS, pa), 1);
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	assert_int_equal(EVP_PKEY_generate(kc, &k), 1);
	EVP_PKEY_CTX_free(kc);
	EVP_PKEY_free(params);
	OSSL_PARAM_free(pa);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bp);
	BN_free(bg);
	return k;
}

/* As Aladdin's driver opens a session (sm-jacartapki.c). */
static void sm_open(void)
{
	struct tm_tlv g, n, y;
	assert_int_equal(lemu_chain(e, "80480080", NULL, 0, buf, sizeof(buf), &len), 0x9000);
	assert_true(len > 256); /* it came by GET RESPONSE */
	assert_int_equal(tm_tlv_find(buf, len, 0x80, &g), TM_OK);
	assert_int_equal(tm_tlv_find(buf, len, 0x81, &n), TM_OK);
	assert_int_equal(tm_tlv_find(buf, len, 0x82, &y), TM_OK);
	assert_true(n.len <= 255); /* the host's half goes in a short APDU */
	EVP_PKEY *mine = dh_from(&n, &g);
	EVP_PKEY *card = EVP_PKEY_new();
	assert_int_equal(EVP_PKEY_copy_parameters(card, mine), 1);
	assert_int_equal(EVP_PKEY_set1_encoded_public_key(card, y.value, y.len), 1);
	EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	uint8_t k[512], *pub = NULL, cmd[5 + 256 + 1];
	size_t k_len = sizeof(k);
	assert_int_equal(EVP_PKEY_derive_init(dc), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer_ex(dc, card, 1), 1);
	assert_int_equal(EVP_PKEY_derive(dc, k, &k_len), 1);
	size_t pub_len = EVP_PKEY_get1_encoded_public_key(mine, &pub);
	memcpy(cmd, "\x80\x86\x00\x00", 4);
	cmd[4] = (uint8_t)pub_len;
	memcpy(cmd + 5, pub, pub_len);
	cmd[5 + pub_len] = 0x20;
	assert_int_equal(lemu_raw(e, cmd, 6 + pub_len), 0x9000);
	assert_int_equal(lemu_data_len(e), 32);
	assert_true(tm_laser_sm_start(&host, k, k_len, lemu_data(e)));
	OPENSSL_free(pub);
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(card);
	EVP_PKEY_free(mine);
}

/* A command under SM: wrapped here, unwrapped from the card's answer. */
static uint16_t sm_cmd(const char *header_hex, const uint8_t *data, size_t n, size_t ne)
{
	uint8_t h[4], mem[1024], raw[5 + 255 + 1];
	struct tm_apdu plain = {.data = data, .nc = n, .ne = ne}, w;
	struct tm_buf b, d;
	uint16_t sw = 0;

	hex(header_hex, h, 4);
	plain.cla = h[0], plain.ins = h[1], plain.p1 = h[2], plain.p2 = h[3];
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	assert_true(tm_laser_sm_wrap_command(&host, &plain, &w, &b));
	assert_true(w.nc <= 255);
	memcpy(raw, (uint8_t[]){w.cla, w.ins, w.p1, w.p2, (uint8_t)w.nc}, 5);
	memcpy(raw + 5, w.data, w.nc);
	raw[5 + w.nc] = 0x00;
	uint16_t outer = lemu_raw(e, raw, 6 + w.nc);
	if (outer != 0x9000)
		return outer; /* a plain error: the session is over */
	tm_buf_init_dynamic(&d, 4096);
	assert_true(tm_laser_sm_unwrap_response(&host, lemu_data(e), lemu_data_len(e), &d, &sw));
	len = d.len;
	if (d.len)
		memcpy(buf, d.data, d.len);
	tm_buf_free(&d);
	return sw;
}

static void test_pin_change_under_sm(void **state)
{
	static const uint8_t new_pin[] = {0x62, 0x08, 0x81, 0x06, '2', '4', '6', '8', '1', '3'};
	(void)state;
	e = lemu_new(NULL);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x9000);
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	sm_open();
	assert_int_equal(sm_cmd("80240000", new_pin, sizeof(new_pin), 0), 0x9000);
	assert_int_equal(lemu_cmd(e, "8086FFFF"), 0x9000);
	assert_false(e->applet.sm.open);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "1234567890"), 0x63C9);
	assert_int_equal(lemu_verify(e, TM_LASER_PIN_USER, "246813"), 0x9000);
	assert_false(tm_laser_pin_ko(e->applet.card, TM_LASER_PIN_USER)->pin_factory);
	/* A new PIN that breaks the rules (4-16 characters): 6A80. */
	assert_int_equal(lemu_select(e, "3F000020"), 0x9000);
	sm_open();
	assert_int_equal(sm_cmd("80240000", (const uint8_t *)"\x62\x05\x81\x03" "123", 7, 0), 0x6A80);
}

static void test_sm_reads_and_mac_failure(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	sm_open();
	/* Ordinary commands work wrapped too: SELECT, READ BINARY. */
	static const uint8_t path[] = {0x3F, 0x00, 0x30, 0x00, 0xC0, 0x00};
	assert_int_equal(sm_cmd("80A4080C", path, sizeof(path), 256), 0x9000);
	assert_int_equal(buf[0], 0x62);
	assert_int_equal(sm_cmd("00B00000", NULL, 0, 16), 0x9000);
	assert_int_equal(len, 16);
	assert_memory_equal(buf, "JaCarta PKI", 11);
	/* One bit of MAC off: 6988, plain, and the session is gone. */
	uint8_t mem[256], raw[64];
	struct tm_apdu plain = {.cla = 0x00, .ins = 0xB0, .ne = 16}, w;
	struct tm_buf b;
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	assert_true(tm_laser_sm_wrap_command(&host, &plain, &w, &b));
	memcpy(raw, (uint8_t[]){w.cla, w.ins, w.p1, w.p2, (uint8_t)w.nc}, 5);
	memcpy(raw + 5, w.data, w.nc);
	raw[5 + w.nc - 1] ^= 0x01;
	raw[5 + w.nc] = 0x00;
	assert_int_equal(lemu_raw(e, raw, 6 + w.nc), 0x6988);
	assert_false(e->applet.sm.open);
	assert_int_equal(lemu_raw(e, raw, 6 + w.nc), 0x6882);
	/* 80 86 without 80 48 first. */
	assert_int_equal(lemu_cmd(e, "8086000004 01020304 20"), 0x6985);
}

static void test_acl_demands_sm(void **state)
{
	(void)state;
	e = lemu_new(NULL);
	/* An EF in 3001 whose READ is "command under SM" (4000). */
	assert_int_equal(lemu_select(e, "3F0030003001"), 0x9000);
	assert_int_equal(lemu_cmd(e, "00E0010017 6215 8A0104 83020601 80020010 8608 4000000000000000"),
			 0x9000);
	assert_int_equal(lemu_cmd(e, "00B0000010"), 0x6982);
	sm_open();
	assert_int_equal(sm_cmd("00B00000", NULL, 0, 16), 0x9000);
	assert_int_equal(len, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_retail_mac),
		cmocka_unit_test_teardown(test_pin_change_under_sm, lemu_teardown),
		cmocka_unit_test_teardown(test_sm_reads_and_mac_failure, lemu_teardown),
		cmocka_unit_test_teardown(test_acl_demands_sm, lemu_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
