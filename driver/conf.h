/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module's configuration file: TUMAR_CONF, else
 * /etc/tumar/tumar.conf; a missing file means the defaults.  One
 * "key = value" a line, '#' comments (docs/driver.md):
 *
 *   default_pin_policy = warn | enforce
 *   trace = FILE            (as TUMAR_TRACE, which wins)
 */
#ifndef TUMAR_DRIVER_CONF_H
#define TUMAR_DRIVER_CONF_H

#include <stdbool.h>

struct tm_conf {
	bool enforce_default_pin; /* C_Login answers CKR_PIN_EXPIRED */
	char trace[512];          /* "" when none */
};

/* Reads the configuration; unknown keys and bad values are logged and
 * ignored, so a typo never stops an application from loading the module. */
void tm_conf_load(struct tm_conf *c);

#endif
