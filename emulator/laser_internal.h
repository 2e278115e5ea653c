/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the LASER applet's handler files share: the handler shape, access
 * rules and commits.
 */
#ifndef TUMAR_EMU_LASER_INTERNAL_H
#define TUMAR_EMU_LASER_INTERNAL_H

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/laser.h"
#include "apdu/sw.h"
#include "emulator/laser_applet.h"

/* A handler answers one command: response data into out, the SW back. */
typedef uint16_t (*tm_laser_fn)(struct tm_laser_applet *a, const struct tm_apdu *c,
				struct tm_buf *out);

/* 9000 when the access condition (an ACL entry) holds now; 6982 when
 * not.  NEVER, SM conditions (no SM yet: never met) and references to
 * missing KOs never hold. */
uint16_t tm_laser_access(const struct tm_laser_applet *a, uint16_t ac);
/* The same for operation op of file f (its ACL). */
uint16_t tm_laser_may(const struct tm_laser_applet *a, const struct tm_lfile *f, unsigned op);

bool tm_laser_verified(const struct tm_laser_applet *a, uint8_t ref);
void tm_laser_set_verified(struct tm_laser_applet *a, uint8_t ref, bool on);

/* Writes the card image; on failure the last good image comes back and
 * the selection is reset.  9000 or 6F00. */
uint16_t tm_laser_commit(struct tm_laser_applet *a);

/* The current file: the EF or KO when one is selected, else the DF. */
struct tm_lfile *tm_laser_current(const struct tm_laser_applet *a);

/* Handlers, by file. */
uint16_t tm_laser_h_read_binary(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_update_binary(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_create_file(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_delete_file(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_list_files(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);

uint16_t tm_laser_h_verify(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_logout(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_reset_rc(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_update_ko(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);

uint16_t tm_laser_h_sm_key(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_sm_open(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);

uint16_t tm_laser_h_generate(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_laser_h_pso(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out);
/* 80 24 on a private key KO: its parts (laser_keys.c). */
uint16_t tm_laser_store_key(struct tm_laser_applet *a, struct tm_lfile *ko, const struct tm_apdu *c);
/* A public key KO's content, 71 { 90 e, 91 n }'s value; NULL unless an
 * RSA key of `bits`. */
EVP_PKEY *tm_laser_public_key(const uint8_t *p, size_t n, unsigned bits);

/* Forgets the files the applet points at when f (and what is under it)
 * goes away. */
void tm_laser_forget(struct tm_laser_applet *a, const struct tm_lfile *f);

#endif
