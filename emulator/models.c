/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "models.h"

#include <string.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"

#define DIGITS TM_CHARS_DIGIT
#define ANY (TM_CHARS_DIGIT | TM_CHARS_LOWER | TM_CHARS_UPPER | TM_CHARS_OTHER)

/*
 * Facts come from design.md §4: ATRs from the pcsc-tools smartcard list,
 * default user PINs from the NCA's guides, eToken limits from SafeNet's
 * documentation.  Every other value is an assumption and says so in
 * `sources`; docs/emulator.md lists them.
 */
static const struct tm_model models[] = {
	{
		.key = "kaztoken",
		.name = "Kaztoken",
		.manufacturer = "Kaztoken LLP",
		.atr = {0x3B, 0x88, 0x01, 0x4B, 0x41, 0x5A, 0x54, 0x4F, 0x4B, 0x45,
			0x4E, 0x82},
		.atr_len = 12,
		.user = {"12345678", 10, 6, 16, ANY, 0},
		.so = {"87654321", 10, 6, 16, ANY, 0},
		.memory = 64 * 1024,
		.caps = TM_CAP_EXTENDED_LENGTH | TM_CAP_CHAINING | TM_CAP_INIT_TOKEN,
		.max_cmd = 4096,
		.max_resp = 4096,
		.algs = {{TM_KEY_RSA, 1024, 2048}, {TM_KEY_GOST2012_512, 512, 512},
			 {TM_KEY_GOST2012_256, 256, 256}},
		.n_algs = 3,
		.latency = {3000, 300000, 20000000},
		.sources = "ATR: pcsc-tools list; user PIN 12345678: NCA guide; "
			   "SO PIN, tries, PIN lengths, memory, extended length: "
			   "assumed; GOST R 34.10-2015 512 and 256 (TC26 set A) on "
			   "the card: assumed (the NCA issues GOST-512 keys onto it; "
			   "how the card itself does it is not public)",
	},
	{
		.key = "etoken-pro-72k",
		.name = "eToken PRO Java 72K",
		.manufacturer = "SafeNet",
		.atr = {0x3B, 0xD5, 0x18, 0x00, 0x81, 0x31, 0x3A, 0x7D, 0x80, 0x73,
			0xC8, 0x21, 0x10, 0x30},
		.atr_len = 14,
		.user = {"1234567890", 15, 6, 16, ANY, 0},
		.so = {"1234567890", 15, 4, 16, ANY, 0},
		.memory = 47 * 1024,
		.caps = TM_CAP_CHAINING | TM_CAP_INIT_TOKEN | TM_CAP_KEY_IMPORT |
			TM_CAP_CHANGE_AT_FIRST_LOGON,
		.max_cmd = 1536,
		.max_resp = 256,
		.algs = {{TM_KEY_RSA, 1024, 2048}},
		.n_algs = 1,
		.latency = {4000, 450000, 30000000},
		.sources = "ATR: pcsc-tools list; user PIN 1234567890: NCA guide; "
			   "15 tries, PIN 6-16, admin >= 4, 72 KB (~47 KB usable), "
			   "change at first logon: SafeNet; no extended length: "
			   "Java Card 2.2.1; SO PIN value: assumed; key import: SafeNet "
			   "Authentication Client imports PFX files onto it; command "
			   "buffer 1536 bytes (chained): assumed, what an RSA-2048 key "
			   "import needs",
	},
	{
		.key = "jacarta-pki",
		.name = "JaCarta PKI",
		.manufacturer = "Aladdin R.D.",
		.atr = {0x3B, 0xDC, 0x18, 0xFF, 0x81, 0x91, 0xFE, 0x1F, 0xC3, 0x80,
			0x73, 0xC8, 0x21, 0x13, 0x66, 0x01, 0x06, 0x11, 0x59, 0x00,
			0x01, 0x28},
		.atr_len = 22,
		.user = {"1234567890", 10, 4, 16, ANY, 0},
		.so = {"00000000", 10, 4, 16, ANY, 0},
		.memory = 72 * 1024,
		/* Its own protocol, not the Tumar applet: docs/emulator.md, "The
		 * LASER applet".  No C_InitToken: LASER has no command for it. */
		.applet = TM_APPLET_LASER,
		.caps = TM_CAP_EXTENDED_LENGTH | TM_CAP_CHAINING | TM_CAP_KEY_IMPORT,
		.max_cmd = 4096,
		.max_resp = 4096,
		.algs = {{TM_KEY_RSA, 1024, 4096}},
		.n_algs = 1,
		.latency = {3000, 250000, 15000000},
		.sources = "ATR, LASER applet, factory tree, RSA 1024-4096, key "
			   "import: Aladdin's driver (OpenSC PR 3423); user PIN "
			   "1234567890: NCA guide; 10 tries, PIN 4-16: vendor; SO PIN "
			   "value, memory, extended length: assumed; the card's EC and "
			   "GOST keys are not emulated",
	},
	{
		.key = "akey",
		.name = "aKey",
		.manufacturer = "unknown",
		/* No public ATR: a placeholder whose historical bytes say so
		 * ("TUMAR-AKEY"), with T=1 and its TCK. */
		.atr = {0x3B, 0x8A, 0x01, 0x54, 0x55, 0x4D, 0x41, 0x52, 0x2D, 0x41,
			0x4B, 0x45, 0x59, 0xEF},
		.atr_len = 14,
		.user = {"1234567890", 10, 6, 16, ANY, 0},
		.so = {"0987654321", 10, 6, 16, ANY, 0},
		.memory = 64 * 1024,
		.caps = TM_CAP_CHAINING,
		.max_cmd = 1024,
		.max_resp = 256,
		.algs = {{TM_KEY_RSA, 2048, 2048}},
		.n_algs = 1,
		.latency = {4000, 400000, 25000000},
		.sources = "user PIN 1234567890: NCA guide; ATR: placeholder (none "
			   "public); everything else assumed",
	},
	{
		.key = "kz-idcard",
		.name = "KZ ID card",
		.manufacturer = "unknown",
		.atr = {0x3B, 0xFA, 0x18, 0x00, 0xFF, 0x80, 0x31, 0xFE, 0x45, 0x00,
			0x31, 0x80, 0x73, 0x94, 0x41, 0x00, 0x00, 0x90, 0x00, 0x90},
		.atr_len = 20,
		/* The PIN is set at issue: no factory value. */
		.user = {"", 3, 6, 6, DIGITS, DIGITS},
		.so = {"12345678", 10, 8, 8, DIGITS, DIGITS},
		.memory = 32 * 1024,
		.caps = TM_CAP_EXTENDED_LENGTH | TM_CAP_CHAINING | TM_CAP_SO_IS_PUK,
		.max_cmd = 4096,
		.max_resp = 4096,
		.algs = {{TM_KEY_RSA, 2048, 2048}, {TM_KEY_GOST2012_512, 512, 512},
			 {TM_KEY_GOST2012_256, 256, 256}},
		.n_algs = 3,
		.latency = {5000, 500000, 30000000},
		.sources = "ATR (2022 card): pcsc-tools list; PIN set at issue: "
			   "NCA; 3 tries, 6 digits, PUK of 8 digits, memory, "
			   "extended length: assumed; GOST R 34.10-2015 512 and 256 "
			   "(TC26 set A): assumed (its keys are the NCA's)",
	},
};

const struct tm_model *tm_models(size_t *count)
{
	*count = sizeof(models) / sizeof(models[0]);
	return models;
}

const struct tm_model *tm_model_find(const char *key)
{
	for (size_t i = 0; key != NULL && i < sizeof(models) / sizeof(models[0]); i++)
		if (strcmp(models[i].key, key) == 0)
			return &models[i];
	return NULL;
}

bool tm_model_alg_usable(uint8_t key_alg)
{
	return (key_alg != TM_KEY_GOST2012_512 && key_alg != TM_KEY_GOST2012_256) ||
	       tm_gost_available();
}

bool tm_model_has_alg(const struct tm_model *m, uint8_t key_alg, unsigned bits)
{
	if (!tm_model_alg_usable(key_alg))
		return false;
	for (size_t i = 0; i < m->n_algs; i++)
		if (m->algs[i].key_alg == key_alg && bits >= m->algs[i].min_bits &&
		    bits <= m->algs[i].max_bits &&
		    (key_alg != TM_KEY_RSA || bits % 1024 == 0))
			return true;
	return false;
}

/* ISO 7816-3 §8.2: TS T0 {TAi TBi TCi TDi} historical [TCK].  TCK is
 * present unless only T=0 is indicated; XOR of T0..TCK is zero. */
bool tm_model_atr_check(const uint8_t *atr, size_t len)
{
	if (len < 2 || len > TM_MODEL_MAX_ATR || (atr[0] != 0x3B && atr[0] != 0x3F))
		return false;
	size_t i = 1, hist = atr[1] & 0x0F;
	uint8_t y = atr[1] >> 4;
	bool tck = false;
	while (y) {
		uint8_t td = 0;
		for (int bit = 0; bit < 4; bit++) {
			if (!(y & (1u << bit)))
				continue;
			if (++i >= len)
				return false;
			if (bit == 3)
				td = atr[i];
		}
		if ((y & 0x8) && (td & 0x0F) != 0)
			tck = true;
		y = (y & 0x8) ? td >> 4 : 0;
	}
	size_t need = i + 1 + hist + (tck ? 1 : 0);
	if (need != len)
		return false;
	if (tck) {
		uint8_t x = 0;
		for (size_t k = 1; k < len; k++)
			x ^= atr[k];
		return x == 0;
	}
	return true;
}
