/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A token model from a profile file (tumar-emu --profile-file), for a
 * token we do not ship.  One "key = value" a line, '#' starts a comment;
 * docs/emulator.md lists the keys.  Parsing is strict: an unknown key, a
 * value out of range or a missing required key is refused with the line
 * number.
 */
#ifndef TUMAR_EMU_PROFILE_H
#define TUMAR_EMU_PROFILE_H

#include <stddef.h>

#include "emulator/models.h"

#define TM_PROFILE_MAX_SIZE 65536
/* The most memory a profile may give a card.  A full card's image is
 * larger than its memory (each object's TLV headers beyond its 32-byte
 * charge, a key's DER beyond its cost) and must stay under the loader's
 * cap, TM_IMAGE_MAX_SIZE (16 MiB): at 16 MiB of memory a card full of
 * small objects made an image the save refused (test_emu_image).  Real
 * tokens hold well under 1 MiB. */
#define TM_PROFILE_MAX_MEMORY (8u * 1024 * 1024)

/* TM_OK, or TM_ERR_MALFORMED with a sentence in why. */
int tm_profile_parse(const char *text, size_t len, struct tm_model *out,
		     char *why, size_t cap);

/* Reads and parses a file. */
int tm_profile_load(const char *path, struct tm_model *out, char *why, size_t cap);

#endif
