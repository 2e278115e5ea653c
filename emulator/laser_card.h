/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state of one virtual JaCarta PKI: a LASER file system of DFs, EFs
 * and key objects (KOs), what survives power-off.  The applet
 * (laser_applet.c) holds what does not: the selected files, verified
 * PINs, the challenge, chains and secure messaging.  Every change goes
 * to disk through tm_laser_save() before the command answers.
 */
#ifndef TUMAR_EMU_LASER_CARD_H
#define TUMAR_EMU_LASER_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "apdu/laser_fcp.h"
#include "emulator/models.h"

#define TM_LASER_MAX_SERIAL 16
#define TM_LASER_MAX_LABEL 32
#define TM_LASER_SHA1_LEN 20
#define TM_LASER_FILE_OVERHEAD 32 /* bookkeeping bytes charged per file */
#define TM_LASER_MAX_DEPTH 8      /* DFs below the MF */

struct tm_lfile {
	struct tm_laser_fcp fcp;  /* fid, size, desc, lcs, name, prop, acl */
	/* A working EF's bytes (fcp.size of them); a logical-expression KO's
	 * expression (the E3 template). */
	uint8_t *data;
	size_t data_len;
	/* A PIN KO: SHA-1 of its value, which is all that plain and secure
	 * VERIFY need (§5).  Its tries are in fcp.prop (high nibble of byte
	 * 4: left; low nibble: the limit), where SELECT shows them. */
	uint8_t pin_sha1[TM_LASER_SHA1_LEN];
	uint8_t pin_len;
	bool pin_set;
	bool pin_factory;         /* still the value it was personalised with */
	/* An RSA KO: the private key (3002) or the public one (3001).  A
	 * private key never leaves this struct. */
	EVP_PKEY *key;
	struct tm_lfile *parent, *children, *next;
};

struct tm_laser_card {
	const struct tm_model *model;
	char serial[TM_LASER_MAX_SERIAL + 1];
	struct tm_lfile *mf;
	char *path;               /* the image file; NULL: in memory only */
	bool tear_on_save;        /* as struct tm_card (emulator/faults.c) */
	bool torn;
};

struct tm_laser_card *tm_laser_card_alloc(const struct tm_model *m);
void tm_laser_card_free(struct tm_laser_card *c);

/* A new file under parent (a DF), from an FCP; NULL when the FID is
 * taken (*sw 6A89), memory is short (6A84) or it makes no sense (6A80). */
struct tm_lfile *tm_laser_file_add(struct tm_laser_card *c, struct tm_lfile *parent,
				   const struct tm_laser_fcp *fcp, uint16_t *sw);
/* Removes f and everything under it. */
void tm_laser_file_remove(struct tm_lfile *f);
void tm_laser_file_free(struct tm_lfile *f);

/* The child of df with this FID; NULL when there is none. */
struct tm_lfile *tm_laser_child(const struct tm_lfile *df, uint16_t fid);
/* The child DF with this name (SELECT by name); NULL when none. */
struct tm_lfile *tm_laser_child_named(const struct tm_lfile *df, const uint8_t *name,
				      size_t len);
/* A path from the MF: 3F00 FID FID ...; NULL when a part is missing. */
struct tm_lfile *tm_laser_path(const struct tm_laser_card *c, const uint8_t *path, size_t len);

/* An MF PIN KO by reference (FID 00<ref>). */
struct tm_lfile *tm_laser_pin_ko(const struct tm_laser_card *c, uint8_t ref);

bool tm_laser_is_df(const struct tm_lfile *f);
bool tm_laser_is_ko(const struct tm_lfile *f);
bool tm_laser_is_pin(const struct tm_lfile *f);   /* a KO of algorithm 00 */
bool tm_laser_is_logic(const struct tm_lfile *f); /* a KO of algorithm 0F */

/* PIN KO tries: left and the limit (prop byte 4). */
unsigned tm_laser_pin_tries(const struct tm_lfile *f);
unsigned tm_laser_pin_limit(const struct tm_lfile *f);
void tm_laser_pin_set_tries(struct tm_lfile *f, unsigned left);
/* Sets a PIN KO's value (SHA-1 and length). */
void tm_laser_pin_store(struct tm_lfile *f, const uint8_t *pin, size_t len, bool factory);

/* Bytes in use and free, charged as docs/emulator.md says. */
size_t tm_laser_used(const struct tm_laser_card *c);
size_t tm_laser_free_bytes(const struct tm_laser_card *c);

#endif
