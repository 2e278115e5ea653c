/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The card image: one file per virtual token.
 *
 *   "TUMARIMG" | version (2) | 0000 | body length (4) | SHA-256(body) | body
 *
 * The body is BER-TLV (docs/emulator.md lists the tags).  The digest
 * catches damage, not tampering: the file is the token's memory, and its
 * owner may read it.  Writes are atomic: a temporary file in the same
 * directory, fsync, rename over the image, fsync of the directory.
 */
#ifndef TUMAR_EMU_IMAGE_H
#define TUMAR_EMU_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"
#include "emulator/card.h"
#include "emulator/image_file.h"

/* 2: public keys are objects of their own; subjects, dates, temporary
 * objects.  3: GOST keys (key algorithms 03 and 04, gost-engine's DER),
 * so an older emulator refuses such an image by its version rather than
 * by a key it cannot read.  Version 1 images are read (each key pair
 * gets its public key object); every image is saved as the newest. */
#define TM_IMAGE_MAGIC "TUMARIMG"
#define TM_IMAGE_VERSION 3
#define TM_IMAGE_VERSION_OLDEST 1

/* Serialises c into b (a dynamic tm_buf); errors stick to b. */
void tm_image_encode(const struct tm_card *c, struct tm_buf *b);

/* Parses an image made for model.  TM_OK, or an error with a sentence in
 * why (cap bytes): not an image, a newer version, damaged, made for
 * another model. */
int tm_image_decode(const uint8_t *data, size_t len, const struct tm_model *model,
		    struct tm_card **out, char *why, size_t cap);

/* Writes c to c->path atomically.  TM_OK or TM_ERR_CARD. */
int tm_card_save(struct tm_card *c);

/* Reads path.  TM_ERR_NOT_FOUND when there is no file (the caller then
 * personalises a new card); other errors come with a sentence in why. */
int tm_image_load(const char *path, const struct tm_model *model,
		  struct tm_card **out, char *why, size_t cap);

#endif
