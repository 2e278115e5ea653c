/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The chip: one applet on one card, as the server (server.c) and main()
 * drive it, whatever protocol the model speaks.  Each applet brings its
 * own implementation (chip_tumar.c, chip_laser.c); the model's `applet`
 * chooses (design.md §3: a second protocol is new rooms, not branches).
 */
#ifndef TUMAR_EMU_CHIP_H
#define TUMAR_EMU_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emulator/applet.h"
#include "emulator/models.h"

struct tm_chip;

struct tm_chip_ops {
	/* As tm_applet_process(); fills in the chip's marks. */
	size_t (*process)(struct tm_chip *c, const uint8_t *cmd, size_t len, uint8_t *resp,
			  size_t cap);
	void (*reset)(struct tm_chip *c);   /* power off, on, reset */
	/* After power was torn: the image is the truth again.  0, or -1
	 * with a sentence on stderr. */
	int (*reload)(struct tm_chip *c);
	void (*arm_tear)(struct tm_chip *c, bool on); /* the next save loses power */
	const char *(*serial)(const struct tm_chip *c);
	void (*free)(struct tm_chip *c);
};

struct tm_chip {
	const struct tm_chip_ops *ops;
	const struct tm_model *model;
	void *impl;
	/* What the last command did, for traces and --latency realistic. */
	bool private_in, private_out;
	enum tm_applet_op last_op;
};

/* Loads the card image at path, or personalises a new card there when
 * there is none (serial may be NULL: one is made).  NULL on failure, with
 * a sentence on stderr and *status: 1 set-up, 2 an image refused. */
struct tm_chip *tm_chip_open(const struct tm_model *m, const char *path, const char *serial,
			     const char *label, const char *user_pin, int *status);
void tm_chip_free(struct tm_chip *c);

/* A new card in memory only (no image file), for tests. */
struct tm_chip *tm_chip_new(const struct tm_model *m, const char *serial, const char *user_pin);

/* One line of state, never a PIN (--inspect).  0, or 2: image refused. */
int tm_chip_inspect(const struct tm_model *m, const char *path, FILE *out);

/* Each applet's part of tm_chip_open() and tm_chip_inspect(): rc TM_OK,
 * TM_ERR_NOT_FOUND (no image: personalise), others with a sentence. */
struct tm_chip_applet {
	int (*load)(const struct tm_model *m, const char *path, struct tm_chip *out, char *why,
		    size_t cap);
	int (*create)(const struct tm_model *m, const char *path, const char *serial,
		      const char *label, const char *user_pin, struct tm_chip *out);
	int (*inspect)(const struct tm_model *m, const char *path, FILE *out, char *why,
		       size_t cap);
};

extern const struct tm_chip_applet tm_chip_tumar, tm_chip_laser;

#endif
