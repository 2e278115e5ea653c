/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Token models: everything that makes one token behave unlike another is
 * data here, never a branch in the command handlers (design.md §4).  The
 * shipped table is in models.c; a user adds a model with a profile file
 * (profile.c).
 */
#ifndef TUMAR_EMU_MODELS_H
#define TUMAR_EMU_MODELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TM_MODEL_MAX_ATR 33
#define TM_MODEL_MAX_ALGS 4

struct tm_pin_policy {
	char factory[33];  /* the value at personalisation; "" = set at issue */
	uint8_t tries;     /* tries before the PIN blocks */
	uint8_t min_len, max_len;
	uint8_t allowed;   /* TM_CHARS_* classes a PIN may use */
	uint8_t required;  /* TM_CHARS_* classes a new PIN must use */
};

struct tm_model_alg {
	uint8_t key_alg;   /* TM_KEY_* */
	uint16_t min_bits, max_bits;
};

/* What --latency realistic adds, in microseconds: estimates for a USB
 * token, not measurements of one. */
struct tm_model_latency {
	uint32_t per_apdu_us;
	uint32_t sign_us;     /* one RSA-2048 or ECDSA operation */
	uint32_t keygen_us;   /* one RSA-2048 key generation */
};

/* The applet a model runs: its wire protocol (design.md §3). */
enum tm_applet_kind {
	TM_APPLET_TUMAR = 0,   /* docs/protocol.md */
	TM_APPLET_LASER = 1,   /* JaCarta PKI's own (shared/jacarta-laser.md) */
};

struct tm_model {
	char key[33];          /* command-line name, e.g. "kaztoken" */
	char name[65];         /* display name, e.g. "Kaztoken" */
	char manufacturer[65];
	uint8_t atr[TM_MODEL_MAX_ATR];
	size_t atr_len;
	struct tm_pin_policy user, so;
	uint32_t memory;       /* bytes for objects and keys */
	enum tm_applet_kind applet;
	uint16_t caps;         /* TM_CAP_* */
	uint16_t max_cmd;      /* largest command data, after chaining */
	uint16_t max_resp;     /* largest response data in one APDU */
	struct tm_model_alg algs[TM_MODEL_MAX_ALGS];
	size_t n_algs;
	struct tm_model_latency latency;
	const char *sources;   /* where the values come from */
};

/* The shipped models, and their count. */
const struct tm_model *tm_models(size_t *count);

/* The shipped model with this key, or NULL. */
const struct tm_model *tm_model_find(const char *key);

/* False for the GOST algorithms where gost-engine does not load: a model
 * then offers its other algorithms only. */
bool tm_model_alg_usable(uint8_t key_alg);

/* True when the model can make a key of this algorithm and size. */
bool tm_model_has_alg(const struct tm_model *m, uint8_t key_alg, unsigned bits);

/* Fills in the ATR's check byte TCK (ISO 7816-3 §8.2.5) when T=1 is
 * announced; false for an ATR too short to be one. */
bool tm_model_atr_check(const uint8_t *atr, size_t len);

#endif
