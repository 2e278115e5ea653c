/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the applet's handler files share: the command being processed,
 * the handler table's shape, and helpers for access rules and commits.
 */
#ifndef TUMAR_EMU_APPLET_INTERNAL_H
#define TUMAR_EMU_APPLET_INTERNAL_H

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "emulator/applet.h"

/* A handler answers one command: it appends response data to out and
 * returns the status word. */
typedef uint16_t (*tm_handler_fn)(struct tm_applet *a, const struct tm_apdu *cmd,
				  struct tm_buf *out);

/* Commits a change: bumps the change counter when asked, writes the
 * image, and on a failed write reloads the last good image.  Returns
 * 9000 or 6F00. */
uint16_t tm_applet_commit(struct tm_applet *a, bool counts_as_change);

/* 9000 when the user PIN is verified and need not be changed first;
 * 6982 or 6985 otherwise. */
uint16_t tm_applet_need_user(const struct tm_applet *a);
uint16_t tm_applet_need_so(const struct tm_applet *a);

/* Handlers, by file. */
uint16_t tm_h_verify(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_change_ref(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_reset_retry(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_init_token(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);

uint16_t tm_h_get_data(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
void tm_applet_put_card_info(const struct tm_applet *a, struct tm_buf *out);
void tm_applet_put_pin_info(const struct tm_applet *a, struct tm_buf *out);

/* Reads the optional object attributes (C3 C4 C6 CA CB CC) of a
 * template's value into o; those absent stay.  9000 or 6A80. */
uint16_t tm_applet_read_attrs(const uint8_t *d, size_t n, struct tm_object *o);

uint16_t tm_h_create_file(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_read_binary(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_update_binary(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_put_data(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_delete_file(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);

/* GENERATE's and IMPORT KEY's E2 template: the algorithm, size and usage
 * (C7 C8 C5, checked against the model), and the flags and owner (C2
 * C9: modifiable and temporary are the caller's; a temporary key names
 * its owner).  9000 or 6A80. */
uint16_t tm_applet_key_header(const struct tm_applet *a, const struct tm_tlv *e2,
			      uint32_t *alg, uint32_t *bits, uint32_t *usage);
uint16_t tm_applet_keygen_flags(const struct tm_tlv *e2, struct tm_object *o);

uint16_t tm_h_generate(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_import_key(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_mse(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);
uint16_t tm_h_pso(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out);

#endif
