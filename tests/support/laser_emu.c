/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "laser_emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "apdu/laser.h"
#include "apdu/rc.h"
#include "tests/support/script.h"
#include "emulator/laser_factory.h"
#include "emulator/laser_image.h"
#include "emulator/models.h"

const struct tm_model *lemu_model(void)
{
	return tm_model_find("jacarta-pki");
}

struct lemu *lemu_new(const char *path)
{
	struct lemu *e = calloc(1, sizeof(*e));
	struct tm_laser_card *c = NULL;
	char why[256];

	if (e == NULL)
		return NULL;
	if (path && tm_laser_load(path, lemu_model(), &c, why, sizeof(why)) != TM_OK)
		c = NULL;
	if (c == NULL) {
		c = tm_laser_card_new(lemu_model(), "TEST0001", NULL, NULL);
		if (c && path) {
			c->path = strdup(path);
			if (tm_laser_save(c) != TM_OK) {
				tm_laser_card_free(c);
				c = NULL;
			}
		}
	}
	if (c == NULL) {
		free(e);
		return NULL;
	}
	tm_laser_applet_init(&e->applet, c);
	if (lemu_cmd(e, "00A4040C0CA0000001644C41534552000100") != 0x9000) {
		lemu_free(e);
		return NULL;
	}
	return e;
}

void lemu_free(struct lemu *e)
{
	if (e == NULL)
		return;
	tm_laser_applet_free(&e->applet);
	free(e);
}

uint16_t lemu_raw(struct lemu *e, const uint8_t *cmd, size_t len)
{
	e->len = tm_laser_applet_process(&e->applet, cmd, len, e->resp, sizeof(e->resp));
	e->sw = e->len >= 2 ? (uint16_t)(e->resp[e->len - 2] << 8 | e->resp[e->len - 1]) : 0;
	return e->sw;
}

uint16_t lemu_cmd(struct lemu *e, const char *hex)
{
	static uint8_t cmd[TM_APDU_MAX_COMMAND];
	long n = tm_hex_decode(hex, cmd, sizeof(cmd));

	if (n < 0)
		abort();
	return lemu_raw(e, cmd, (size_t)n);
}

uint16_t lemu_text(struct lemu *e, const char *header, const char *text)
{
	uint8_t cmd[5 + 255];
	size_t n = strlen(text);

	if (tm_hex_decode(header, cmd, 4) != 4 || n > 255)
		abort();
	cmd[4] = (uint8_t)n;
	memcpy(cmd + 5, text, n);
	return lemu_raw(e, cmd, 5 + n);
}

uint16_t lemu_select(struct lemu *e, const char *path_hex)
{
	char hex[128];
	size_t n = strlen(path_hex) / 2;

	snprintf(hex, sizeof(hex), "80A4080C%02zX%s00", n, path_hex);
	return lemu_cmd(e, hex);
}

static uint16_t select_pin(struct lemu *e, uint8_t ref)
{
	char path[16];
	snprintf(path, sizeof(path), "3F0000%02X", ref);
	return lemu_select(e, path);
}

uint16_t lemu_verify(struct lemu *e, uint8_t ref, const char *pin)
{
	uint16_t sw = select_pin(e, ref);
	return sw != 0x9000 ? sw : lemu_text(e, "00200000", pin);
}

void lemu_cryptogram(const char *pin, const uint8_t host[8], const uint8_t chal[8],
		     uint8_t out[16])
{
	uint8_t md[SHA_DIGEST_LENGTH], in[16], iv[8] = {0};
	int n = 0, f = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	SHA1((const uint8_t *)pin, strlen(pin), md);
	memcpy(in, host, 8);
	memcpy(in + 8, chal, 8);
	if (ctx == NULL || EVP_EncryptInit_ex(ctx, EVP_des_ede_cbc(), NULL, md, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n, in, sizeof(in)) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out + n, &f) != 1 || n + f != 16)
		abort();
	EVP_CIPHER_CTX_free(ctx);
}

uint16_t lemu_secure_verify(struct lemu *e, uint8_t ref, const char *pin)
{
	static const uint8_t host[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t chal[8], cmd[5 + 16];
	uint16_t sw = select_pin(e, ref);

	if (sw != 0x9000)
		return sw;
	if (lemu_cmd(e, "0084000008") != 0x9000 || lemu_data_len(e) != 8)
		return e->sw ? e->sw : 0x6F00;
	memcpy(chal, lemu_data(e), 8);
	memcpy(cmd, "\x80\x20\x00\x00\x10", 5);
	lemu_cryptogram(pin, host, chal, cmd + 5);
	return lemu_raw(e, cmd, sizeof(cmd));
}

uint16_t lemu_chain(struct lemu *e, const char *header, const uint8_t *data, size_t len,
		    uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t cmd[5 + 255 + 1];
	size_t off = 0, got = 0;
	uint16_t sw = 0;

	if (tm_hex_decode(header, cmd, 4) != 4)
		abort();
	if (len == 0) {
		cmd[4] = 0x00; /* case 2: Le only */
		sw = lemu_raw(e, cmd, 5);
	}
	while (off < len) {
		size_t n = len - off > 255 ? 255 : len - off;
		bool last = off + n == len;
		cmd[0] = (uint8_t)(last ? cmd[0] & ~0x10 : cmd[0] | 0x10);
		cmd[4] = (uint8_t)n;
		memcpy(cmd + 5, data + off, n);
		cmd[5 + n] = 0x00;
		sw = lemu_raw(e, cmd, 5 + n + (last ? 1 : 0));
		off += n;
		if (!last && sw != 0x9000)
			return sw;
	}
	for (;;) {
		size_t n = lemu_data_len(e);
		if (got + n > cap)
			abort();
		memcpy(out + got, lemu_data(e), n);
		got += n;
		if ((sw >> 8) != 0x61)
			break;
		char gr[16];
		snprintf(gr, sizeof(gr), "00C00000%02X", sw & 0xFF);
		sw = lemu_cmd(e, gr);
	}
	*out_len = got;
	return sw;
}
