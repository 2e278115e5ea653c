/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every card image format shares (image.c for the Tumar applet's
 * cards, laser_image.c for LASER's): the frame around the body and the
 * file it lives in.
 *
 *   magic (8) | version (2) | 0000 | body length (4) | SHA-256(body) | body
 *
 * The digest catches damage, not tampering: the file is the token's
 * memory, and its owner may read it.  Writes are atomic: a temporary
 * file in the same directory, fsync, rename over the image, fsync of the
 * directory.  Reads refuse what is not plainly the user's own image.
 */
#ifndef TUMAR_EMU_IMAGE_FILE_H
#define TUMAR_EMU_IMAGE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"

#define TM_IMAGE_HEADER_LEN (8 + 2 + 2 + 4 + 32)
#define TM_IMAGE_MAX_SIZE (16u * 1024 * 1024)

/* Starts a frame; returns the mark for tm_image_frame_end(). */
size_t tm_image_frame_begin(struct tm_buf *b, const char magic[8], uint16_t version);
/* Fills in the body's length and digest. */
void tm_image_frame_end(struct tm_buf *b, size_t mark);

/* Checks a frame: magic, reserved bytes, version in [oldest, newest],
 * length, digest.  TM_OK with the version and body, or TM_ERR_MALFORMED
 * with a sentence in why.  `what` names the format ("Tumar card image"). */
int tm_image_frame_open(const uint8_t *data, size_t len, const char magic[8], const char *what,
			unsigned oldest, unsigned newest, unsigned *version,
			const uint8_t **body, size_t *body_len, char *why, size_t cap);

/* The end of every card's save: nothing once power is lost
 * (TM_ERR_CARD_REMOVED); the encoded image written when the card has a
 * file (path not NULL); then power lost if a fault armed it (*torn, the
 * write having reached the disk).  TM_OK or TM_ERR_CARD. */
int tm_image_save(const char *path, const struct tm_buf *encoded, bool *tear_on_save, bool *torn);

/* Writes data to path atomically.  TM_OK or TM_ERR_CARD. */
int tm_image_file_write(const char *path, const uint8_t *data, size_t len);

/* Removes the temporary files (path.tmp.PID) that a writer killed in
 * the middle of a save left beside the image: only those of processes
 * that are gone, and only the user's own regular files.  They are never
 * read (the image is the old one or the new one), only litter.  Returns
 * how many were removed. */
int tm_image_file_sweep(const char *path);

/* Reads path into a new buffer (free it with OPENSSL_clear_free(*data,
 * *len)).  TM_ERR_NOT_FOUND when there is no file; other errors come with
 * a sentence in why. */
int tm_image_file_read(const char *path, uint8_t **data, size_t *len, char *why, size_t cap);

/* The first 8 bytes of the file at path, for telling formats apart;
 * TM_OK, TM_ERR_NOT_FOUND or TM_ERR_CARD. */
int tm_image_file_magic(const char *path, char magic[8]);

#endif
