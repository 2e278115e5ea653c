/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state of one virtual token: what survives power-off.  The applet
 * (applet.c) holds what does not (security state, chains).  Every change
 * goes to disk through tm_card_save() before the command answers.
 */
#ifndef TUMAR_EMU_CARD_H
#define TUMAR_EMU_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "apdu/protocol.h"
#include "emulator/models.h"

#define TM_PIN_SALT_LEN 16
#define TM_PIN_HASH_LEN 32
#define TM_OBJECT_OVERHEAD 32 /* bookkeeping bytes charged per object */

enum { TM_PIN_IDX_USER = 0, TM_PIN_IDX_SO = 1, TM_PIN_COUNT = 2 };

struct tm_pin {
	uint8_t ref;        /* TM_PIN_USER or TM_PIN_SO */
	uint8_t flags;      /* TM_PINF_INITIALIZED | FACTORY | MUST_CHANGE */
	uint8_t tries_left;
	uint8_t len;        /* so "current || new" can be split */
	uint8_t salt[TM_PIN_SALT_LEN];
	uint8_t hash[TM_PIN_HASH_LEN];
};

struct tm_object {
	uint16_t ref;
	uint8_t cls;        /* TM_OBJ_* */
	uint8_t flags;      /* TM_OBJF_* */
	uint8_t id[TM_MAX_OBJ_ID];
	size_t id_len;
	uint8_t label[TM_MAX_OBJ_LABEL];
	size_t label_len;
	uint8_t app[TM_MAX_OBJ_LABEL];
	size_t app_len;
	uint8_t subject[TM_MAX_OBJ_SUBJECT];
	size_t subject_len;
	uint8_t start[TM_OBJ_DATE_LEN], end[TM_OBJ_DATE_LEN];
	size_t start_len, end_len;  /* 0 or TM_OBJ_DATE_LEN */
	uint8_t owner[TM_MAX_OBJ_OWNER]; /* temporary objects */
	size_t owner_len;
	/* Certificates and data objects. */
	uint8_t *value;
	size_t size;
	size_t written;     /* bytes written once from the start */
	/* Private keys (TM_OBJ_KEY_PAIR) and public keys. */
	uint8_t key_alg;    /* TM_KEY_* */
	uint16_t bits;
	uint8_t usage;      /* TM_USAGE_* */
	EVP_PKEY *pkey;     /* a private key never leaves this struct; a
			     * public key object holds only the public part */
};

struct tm_card {
	const struct tm_model *model;
	char serial[TM_MAX_SERIAL + 1];
	char label[TM_MAX_TOKEN_LABEL + 1];
	uint32_t change_counter;
	uint16_t next_ref;
	struct tm_pin pins[TM_PIN_COUNT];
	struct tm_object *objects;
	size_t n_objects;
	size_t cap_objects; /* room in objects: grown by half, so filling a
			     * card is not quadratic in its objects */
	char *path;         /* the image file; NULL: in memory only */
	/* Set by a fault: the next save is the last thing done before power
	 * is lost (see emulator/faults.c). */
	bool tear_on_save;
	bool torn;
};

/* A card personalised for model: serial, label, factory PINs.  user_pin
 * (may be NULL) replaces the model's factory user PIN, as an issuer does
 * for cards whose PIN is set at issue; it is then not a factory value. */
struct tm_card *tm_card_new(const struct tm_model *model, const char *serial,
			    const char *label, const char *user_pin);
void tm_card_free(struct tm_card *c);

/* A card with no serial, label or PIN values, for the image decoder to
 * fill in. */
struct tm_card *tm_card_blank(const struct tm_model *model);

/* Bytes in use and free, by the charges in docs/protocol.md §5. */
size_t tm_card_used(const struct tm_card *c);
size_t tm_card_free_bytes(const struct tm_card *c);
size_t tm_object_cost(const struct tm_object *o);

struct tm_object *tm_card_find(struct tm_card *c, uint16_t ref);

/* A certificate or data object whose value was never wholly written: a
 * torn write.  Such objects, and temporary ones, are what a driver
 * sweeps at bind; DELETE FILE takes them without a PIN. */
bool tm_object_incomplete(const struct tm_object *o);
bool tm_object_sweepable(const struct tm_object *o);

/* Adds a zeroed object with a fresh reference (or NULL: no memory, or
 * references used up); the caller fills it in. */
struct tm_object *tm_card_add(struct tm_card *c);
void tm_card_remove(struct tm_card *c, uint16_t ref);
void tm_object_clear(struct tm_object *o);

struct tm_pin *tm_card_pin(struct tm_card *c, uint8_t ref);
const struct tm_pin_policy *tm_card_pin_policy(const struct tm_card *c, uint8_t ref);

/* PBKDF2's iterations for PIN values.  Only fuzz harnesses change it (to
 * 1: at 2,000 a VERIFY was 95% of fuzz_applet's time), before they make
 * any card: a PIN set with one count does not match under another, and
 * the count is not in the image. */
extern int tm_pin_kdf_iterations;

/* Sets a PIN's value (hash with a new salt) and its length. */
int tm_pin_set(struct tm_pin *p, const uint8_t *pin, size_t len);

/* Constant-time comparison with the stored value. */
bool tm_pin_matches(const struct tm_pin *p, const uint8_t *pin, size_t len);

/* True when pin obeys the policy's length and character rules; `why`
 * (may be NULL) gets a reason otherwise. */
bool tm_pin_acceptable(const struct tm_pin_policy *pol, const uint8_t *pin,
		       size_t len, const char **why);

#endif
