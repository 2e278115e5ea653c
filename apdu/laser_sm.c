/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "laser_sm.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apdu/rc.h"
#include "apdu/tlv.h"

#define BLOCK 8
#define MAX_SM_DATA 4096

bool tm_laser_sm_start(struct tm_laser_sm *s, const uint8_t *k, size_t k_len,
		       const uint8_t chal[TM_LASER_SM_CHALLENGE_LEN])
{
	memset(s, 0, sizeof(*s));
	if (k_len < TM_LASER_SM_MIN_SECRET)
		return false;
	for (size_t i = 0; i < TM_LASER_SM_KEY_LEN; i++) {
		s->enc[i] = k[i] ^ chal[i];
		s->mac[i] = k[24 + i] ^ chal[16 + i];
	}
	s->open = true;
	return true;
}

void tm_laser_sm_end(struct tm_laser_sm *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* EDE under k1 || k2 (k2 = k1 gives single DES), CBC from iv, no pad. */
static bool ede_cbc(const uint8_t k1[8], const uint8_t k2[8], bool encrypt, uint8_t iv[8],
		    const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t key[16];
	int len = 0, fin = 0;
	bool ok;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	memcpy(key, k1, 8);
	memcpy(key + 8, k2, 8);
	ok = ctx != NULL && n % BLOCK == 0 && n <= 0x7FFFFFFF &&
	     EVP_CipherInit_ex(ctx, EVP_des_ede_cbc(), NULL, key, iv, encrypt) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + len, &fin) == 1 && (size_t)(len + fin) == n;
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

bool tm_laser_sm_crypt(const uint8_t key[TM_LASER_SM_KEY_LEN], bool encrypt, const uint8_t *in,
		       size_t n, uint8_t *out)
{
	uint8_t iv[8] = {0};
	return ede_cbc(key, key + 8, encrypt, iv, in, n, out);
}

/* ISO 9797-1 MAC algorithm 3: single-DES CBC under K1 over all blocks,
 * then the last output decrypted under K2 and encrypted under K1; the
 * same as CBC under K1 up to the last block, that block under K1|K2. */
bool tm_laser_sm_retail_mac(const uint8_t key[TM_LASER_SM_KEY_LEN], const uint8_t *data, size_t n,
			    uint8_t mac[8])
{
	uint8_t iv[8] = {0}, *tmp;
	bool ok;

	if (n == 0 || n % BLOCK || (tmp = OPENSSL_malloc(n)) == NULL)
		return false;
	ok = ede_cbc(key, key, true, iv, data, n - BLOCK, tmp);
	if (ok && n > BLOCK)
		memcpy(iv, tmp + n - 2 * BLOCK, BLOCK);
	ok = ok && ede_cbc(key, key + 8, true, iv, data + n - BLOCK, BLOCK, mac);
	OPENSSL_clear_free(tmp, n);
	return ok;
}

static void next_ssc(uint8_t ssc[8])
{
	for (int i = 7; i >= 0; i--)
		if (++ssc[i] != 0)
			break;
}

/* MAC over SSC+1 || data || ISO padding (always at least 80). */
static bool sm_mac(struct tm_laser_sm *s, const uint8_t *data, size_t n, uint8_t mac[8])
{
	struct tm_buf b;
	bool ok;

	next_ssc(s->ssc);
	tm_buf_init_dynamic(&b, 8 + n + BLOCK);
	tm_buf_add(&b, s->ssc, sizeof(s->ssc));
	tm_buf_add(&b, data, n);
	tm_buf_add_u8(&b, 0x80);
	while (tm_buf_ok(&b) && b.len % BLOCK)
		tm_buf_add_u8(&b, 0x00);
	ok = tm_buf_ok(&b) && tm_laser_sm_retail_mac(s->mac, b.data, b.len, mac);
	tm_buf_free(&b);
	return ok;
}

/* 87 L 01 <3DES(data || 80 00..)>. */
static bool put_crypt(const struct tm_laser_sm *s, const uint8_t *data, size_t n, struct tm_buf *out)
{
	size_t padded = (n / BLOCK + 1) * BLOCK;
	uint8_t *tmp = OPENSSL_zalloc(padded);
	bool ok = false;

	if (tmp == NULL)
		return false;
	if (n)
		memcpy(tmp, data, n);
	tmp[n] = 0x80;
	size_t m = tm_tlv_begin(out, 0x87);
	tm_buf_add_u8(out, 0x01);
	uint8_t *p = tm_buf_reserve(out, padded);
	if (p != NULL && tm_laser_sm_crypt(s->enc, true, tmp, padded, p))
		ok = true;
	tm_tlv_end(out, m);
	OPENSSL_clear_free(tmp, padded);
	return ok && tm_buf_ok(out);
}

/* The plaintext of 87's value: decrypted, ISO padding removed. */
static bool take_crypt(const struct tm_laser_sm *s, const struct tm_tlv *t87, struct tm_buf *data)
{
	if (t87->len < 1 + BLOCK || (t87->len - 1) % BLOCK || t87->value[0] != 0x01 ||
	    t87->len - 1 > MAX_SM_DATA)
		return false;
	size_t n = t87->len - 1;
	uint8_t *p = tm_buf_reserve(data, n);
	if (p == NULL || !tm_laser_sm_crypt(s->enc, false, t87->value + 1, n, p))
		return false;
	while (n > 0 && p[n - 1] == 0x00)
		n--;
	if (n == 0 || p[n - 1] != 0x80)
		return false;
	data->len -= (t87->len - 1) - (n - 1);
	return true;
}

bool tm_laser_sm_wrap_command(struct tm_laser_sm *s, const struct tm_apdu *plain,
			      struct tm_apdu *wrapped, struct tm_buf *out)
{
	uint8_t hdr[4] = {(uint8_t)(plain->cla | 0x0C), plain->ins, plain->p1, plain->p2};
	uint8_t mac[8];
	struct tm_buf macin;
	bool ok = true;

	size_t start = out->len;
	if (plain->nc)
		ok = put_crypt(s, plain->data, plain->nc, out);
	if (plain->ne) {
		/* Le as sm-iso.c writes it for a short APDU: one byte, 00 = 256. */
		tm_buf_add_u8(out, 0x97);
		tm_buf_add_u8(out, 0x01);
		tm_buf_add_u8(out, (uint8_t)(plain->ne & 0xFF));
	}
	tm_buf_init_dynamic(&macin, MAX_SM_DATA + 64);
	tm_buf_add(&macin, hdr, 4);
	if (out->len > start) {
		/* The header padded, then the data objects (the padding of
		 * the whole comes in sm_mac). */
		tm_buf_add(&macin, "\x80\x00\x00\x00", 4);
		tm_buf_add(&macin, out->data + start, out->len - start);
	}
	ok = ok && tm_buf_ok(out) && tm_buf_ok(&macin) && sm_mac(s, macin.data, macin.len, mac);
	tm_buf_free(&macin);
	tm_tlv_put(out, 0x8E, mac, sizeof(mac));
	if (!ok || !tm_buf_ok(out))
		return false;
	*wrapped = (struct tm_apdu){.cla = hdr[0], .ins = hdr[1], .p1 = hdr[2], .p2 = hdr[3],
				    .data = out->data + start, .nc = out->len - start,
				    .ne = TM_APDU_MAX_SHORT_NE, .sensitive = plain->sensitive};
	return true;
}

bool tm_laser_sm_unwrap_command(struct tm_laser_sm *s, const struct tm_apdu *wrapped,
				struct tm_apdu *plain, struct tm_buf *data)
{
	struct tm_tlv_iter it;
	struct tm_tlv t, t87 = {0}, t97 = {0}, t8e = {0};
	uint8_t mac[8];
	const uint8_t *macd_end = wrapped->data;
	int rc;

	/* 87, 97 in that order, then 8E last; nothing else. */
	tm_tlv_iter_init(&it, wrapped->data, wrapped->nc);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK) {
		if (t8e.value != NULL)
			return false;
		if (t.tag == 0x87 && t87.value == NULL && t97.value == NULL)
			t87 = t;
		else if (t.tag == 0x97 && t97.value == NULL)
			t97 = t;
		else if (t.tag == 0x8E && t.len == 8)
			t8e = t;
		else
			return false;
		if (t8e.value == NULL)
			macd_end = t.value + t.len;
	}
	if (rc != TM_ERR_NOT_FOUND || t8e.value == NULL || (t97.value && t97.len != 1 && t97.len != 2))
		return false;
	struct tm_buf macin;
	tm_buf_init_dynamic(&macin, MAX_SM_DATA + 64);
	/* The header as sent, chain bit included (each piece of a chain is
	 * wrapped on its own, sm-iso.c). */
	const uint8_t hdr[4] = {wrapped->cla, wrapped->ins, wrapped->p1, wrapped->p2};
	tm_buf_add(&macin, hdr, 4);
	size_t dos = (size_t)(macd_end - wrapped->data);
	if (dos) {
		tm_buf_add(&macin, "\x80\x00\x00\x00", 4);
		tm_buf_add(&macin, wrapped->data, dos);
	}
	bool ok = tm_buf_ok(&macin) && sm_mac(s, macin.data, macin.len, mac) &&
		  CRYPTO_memcmp(mac, t8e.value, 8) == 0;
	tm_buf_free(&macin);
	if (!ok || (t87.value && !take_crypt(s, &t87, data)))
		return false;
	size_t ne = 0;
	if (t97.value) {
		ne = t97.len == 1 ? t97.value[0] : (size_t)(t97.value[0] << 8 | t97.value[1]);
		if (ne == 0)
			ne = t97.len == 1 ? TM_APDU_MAX_SHORT_NE : TM_APDU_MAX_NE;
	}
	*plain = (struct tm_apdu){.cla = (uint8_t)(wrapped->cla & ~0x0C), .ins = wrapped->ins,
				  .p1 = wrapped->p1, .p2 = wrapped->p2,
				  .data = data->data, .nc = data->len, .ne = ne};
	return true;
}

bool tm_laser_sm_wrap_response(struct tm_laser_sm *s, const uint8_t *data, size_t n, uint16_t sw,
			       struct tm_buf *out)
{
	uint8_t mac[8];
	size_t start = out->len;

	if (n && !put_crypt(s, data, n, out))
		return false;
	tm_buf_add_u8(out, 0x99);
	tm_buf_add_u8(out, 0x02);
	tm_buf_add_u16(out, sw);
	if (!tm_buf_ok(out) || !sm_mac(s, out->data + start, out->len - start, mac))
		return false;
	tm_tlv_put(out, 0x8E, mac, sizeof(mac));
	return tm_buf_ok(out);
}

bool tm_laser_sm_unwrap_response(struct tm_laser_sm *s, const uint8_t *resp, size_t len,
				 struct tm_buf *data, uint16_t *sw)
{
	struct tm_tlv_iter it;
	struct tm_tlv t, t87 = {0}, t99 = {0}, t8e = {0};
	uint8_t mac[8];
	int rc;

	tm_tlv_iter_init(&it, resp, len);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK) {
		if (t8e.value != NULL)
			return false;
		if (t.tag == 0x87 && t87.value == NULL && t99.value == NULL)
			t87 = t;
		else if (t.tag == 0x99 && t99.value == NULL && t.len == 2)
			t99 = t;
		else if (t.tag == 0x8E && t.len == 8 && t99.value != NULL)
			t8e = t;
		else
			return false;
	}
	if (rc != TM_ERR_NOT_FOUND || t8e.value == NULL)
		return false;
	size_t macd = (size_t)(t99.value + 2 - resp);
	if (!sm_mac(s, resp, macd, mac) || CRYPTO_memcmp(mac, t8e.value, 8) != 0)
		return false;
	if (t87.value && !take_crypt(s, &t87, data))
		return false;
	*sw = (uint16_t)(t99.value[0] << 8 | t99.value[1]);
	return true;
}
