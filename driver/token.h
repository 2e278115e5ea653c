/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One token in a slot: what the module knows of the card (cached), its
 * login state, and the card driver that speaks its protocol.  Every
 * function here runs inside one PC/SC transaction and is called with the
 * slot's lock held.
 */
#ifndef TUMAR_DRIVER_TOKEN_H
#define TUMAR_DRIVER_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "apdu/protocol.h"
#include "apdu/transceive.h"
#include "driver/readers.h"

#define TM_TOKEN_MAX_OBJECTS 128
#define TM_TOKEN_MAX_ALGS 8

struct tm_card_info {
	char model_key[33], model_name[65], manufacturer[65];
	char serial[TM_MAX_SERIAL + 1], label[TM_MAX_TOKEN_LABEL + 1];
	uint16_t caps, max_cmd, max_resp;
	uint32_t mem_total, mem_free, change_counter;
	bool mem_known;        /* the card said how much memory it has (LASER does not) */
	uint16_t sweep;        /* objects to sweep at bind: temporary or incomplete */
	struct { uint8_t key_alg; uint16_t min_bits, max_bits; } algs[TM_TOKEN_MAX_ALGS];
	size_t n_algs;
};

struct tm_pin_state {
	uint8_t ref, flags, tries_left, tries_max, min_len, max_len, allowed, required;
};

struct tm_card_object {
	uint16_t ref;
	uint8_t cls, flags;
	uint8_t id[TM_MAX_OBJ_ID];
	size_t id_len;
	char label[TM_MAX_OBJ_LABEL + 1];
	size_t label_len;
	uint8_t app[TM_MAX_OBJ_LABEL];
	size_t app_len;
	uint8_t subject[TM_MAX_OBJ_SUBJECT]; /* set by the application; a
					      * certificate's own is in its value */
	size_t subject_len;
	char start[TM_OBJ_DATE_LEN], end[TM_OBJ_DATE_LEN];
	size_t start_len, end_len;
	uint8_t owner[TM_MAX_OBJ_OWNER]; /* TM_OBJF_TEMPORARY: whose it is */
	size_t owner_len;
	uint32_t size;          /* certificates and data: value bytes */
	uint8_t usage, key_alg; /* private and public keys */
	uint16_t bits;
	EVP_PKEY *pub;          /* private and public keys: the public key */
	uint8_t *value;         /* certificates and data, once read */
};

/* An operation on the card's key: algorithm and parameters. */
struct tm_card_op {
	uint8_t alg;        /* TM_ALG_* */
	uint8_t hash, mgf_hash;
	int salt_len;       /* -1: the hash length */
	const uint8_t *label;
	size_t label_len;
};

/* A private key's parts from the application (IMPORT KEY), big-endian,
 * pointing into its template: RSA n e d p q dp dq qinv, or the EC
 * scalar.  Never copied except into the command, which is wiped. */
struct tm_key_parts {
	const uint8_t *v[8];
	size_t len[8];
};
enum { TM_PART_N, TM_PART_E, TM_PART_D, TM_PART_P, TM_PART_Q, TM_PART_DP, TM_PART_DQ,
       TM_PART_QINV, TM_PART_EC_D = 0 };

/* Attributes set_attributes writes. */
#define TM_SET_ID 0x01
#define TM_SET_LABEL 0x02
#define TM_SET_APPLICATION 0x04
#define TM_SET_SUBJECT 0x08
#define TM_SET_DATES 0x10

struct tm_token;

/* A card protocol.  Functions return tm_rc codes. */
struct tm_card_driver {
	const char *name;
	/* SELECT: TM_ERR_FILE_NOT_FOUND when the card is not this protocol's. */
	int (*bind)(struct tm_token *t);
	int (*refresh)(struct tm_token *t);  /* card and PIN information */
	int (*list_objects)(struct tm_token *t);
	int (*read_value)(struct tm_token *t, struct tm_card_object *o);
	int (*verify)(struct tm_token *t, uint8_t ref, const uint8_t *pin, size_t len);
	int (*logout)(struct tm_token *t, uint8_t ref);
	int (*change_pin)(struct tm_token *t, uint8_t ref, const uint8_t *old_pin,
			  size_t old_len, const uint8_t *new_pin, size_t new_len);
	int (*init_pin)(struct tm_token *t, const uint8_t *pin, size_t len);
	int (*init_token)(struct tm_token *t, const char *label);
	int (*create_object)(struct tm_token *t, const struct tm_card_object *attrs,
			     const uint8_t *value, size_t len, uint16_t *ref);
	/* Writes the attributes of o named by `what` (TM_SET_*). */
	int (*set_attributes)(struct tm_token *t, const struct tm_card_object *o, unsigned what);
	int (*delete_object)(struct tm_token *t, uint16_t ref);
	/* A private key and its public key object (protocol.md §6.1). */
	int (*generate)(struct tm_token *t, const struct tm_card_object *attrs,
			const struct tm_card_object *pub_attrs, uint16_t *ref, uint16_t *pub_ref);
	/* A private key from outside (attrs: algorithm, size, usage, flags,
	 * owner, attributes).  TM_ERR_FUNC_NOT_SUPPORTED: the model takes
	 * no imported keys. */
	int (*import_key)(struct tm_token *t, const struct tm_card_object *attrs,
			  const struct tm_key_parts *parts, uint16_t *ref);
	int (*sign)(struct tm_token *t, uint16_t ref, const struct tm_card_op *op,
		    const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);
	int (*decrypt)(struct tm_token *t, uint16_t ref, const struct tm_card_op *op,
		       const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);
	int (*random)(struct tm_token *t, uint8_t *out, size_t n);
	/* Frees what the driver keeps in t->drv_data; may be NULL. */
	void (*release)(struct tm_token *t);
};

extern const struct tm_card_driver tm_card_tumar, tm_card_laser;

#define TM_TOKEN_IO_SIZE 65536

struct tm_token {
	const struct tm_card_driver *drv;
	void *drv_data;                /* the card driver's own, freed by release */
	const struct tm_readers *readers;
	void *conn;
	struct tm_channel *ch;
	struct tm_card_info info;
	struct tm_pin_state pins[2];   /* [0] user, [1] SO */
	struct tm_card_object objects[TM_TOKEN_MAX_OBJECTS];
	size_t n_objects;
	bool objects_valid;            /* the directory was read ... */
	bool objects_private;          /* ... while the user was logged in */
	bool user_in, so_in;           /* the module's login state */
	bool default_pin;              /* the user logged in with a factory PIN */
	uint8_t atr[33];
	size_t atr_len;
	bool reset_seen;               /* someone reset the card under us */
	/* The PC/SC transaction of the current operation (token.c). */
	bool in_txn;                   /* one is open */
	bool bare;                     /* the operation began without one */
	bool bare_reset;               /* its first, bare exchange saw a reset */
	unsigned op_exchanges;         /* exchanges in the operation so far */
	/* Response data of this token's commands: per token, so two tokens
	 * work in parallel threads.  Apart from the struct, which it would
	 * take past 128 KiB: allocators (ASan's, glibc's below its mmap
	 * threshold) serve both halves from the heap instead of mapping and
	 * faulting in fresh pages at every open, which was 75% of
	 * fuzz_pkcs11's time. */
	uint8_t *io;                   /* TM_TOKEN_IO_SIZE bytes */
	/* APDU trace (TUMAR_TRACE), shared by the module. */
	FILE *trace;
	char reader[128];
	uint64_t trace_seq;
};

/* Connects a token to a card in the reader; TM_ERR_FILE_NOT_FOUND when
 * no card driver knows it (a slot with no token). */
int tm_token_open(struct tm_token *t, const struct tm_readers *r, const char *reader,
		  FILE *trace);
void tm_token_close(struct tm_token *t);

/* Brackets an operation in a PC/SC transaction.  A card reset by someone
 * else is taken back: selected again, logged out, cache dropped. */
int tm_token_begin(struct tm_token *t);
void tm_token_end(struct tm_token *t);

/* Brackets an operation that is at most one exchange when its objects
 * are cached (a key looked up; a signature or decryption): no
 * transaction for the first exchange — pcscd sends one APDU whole, and
 * the command names its key and algorithm, so nothing of another
 * application's can come between its parts — and one from a second
 * exchange on.  Saves three round trips to pcscd per signature.  With the
 * directory not cached (it takes several exchanges), or a reset already
 * seen, it is tm_token_begin.  A reset by someone else shows as
 * TM_ERR_CARD_RESET with bare_reset set: end, tm_token_begin (which
 * takes the card back) and try once more. */
int tm_token_begin_bare(struct tm_token *t);

/* The card driver selected its applet again after the card answered as
 * if another application were selected.  The PIN information it has
 * just read says which of our logins the card kept: those it dropped
 * are dropped here too (the sessions stay).  The cached directory is
 * marked for reading again when the card's change counter moved
 * (old_counter: the one before) or it held private objects we can no
 * longer see; object pointers the caller holds stay valid. */
void tm_token_reselected(struct tm_token *t, uint32_t old_counter);

/* The directory, read once and again only after a change. */
int tm_token_objects(struct tm_token *t);
/* TM_OK when the module's table has room for n more objects of this
 * token (read first), TM_ERR_CARD_MEMORY when not: asked before a write
 * makes objects, so nothing is written that the module could not show. */
int tm_token_room(struct tm_token *t, size_t n);
void tm_token_drop_objects(struct tm_token *t);
struct tm_card_object *tm_token_find(struct tm_token *t, uint16_t ref);

/* The factory user PIN of the token's model, as the NCA's guides give
 * it; NULL when none is known. */
const char *tm_token_factory_pin(const struct tm_token *t);

#endif
