/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Driver logging: silent unless TUMAR_DEBUG names categories
 * ("apdu,p11,card" or "all"); to stderr, or to the file TUMAR_LOG names.
 * Nothing logged here ever holds a PIN or key data: callers log lengths,
 * codes and names only.
 */
#ifndef TUMAR_DRIVER_LOG_H
#define TUMAR_DRIVER_LOG_H

enum tm_log_cat {
	TM_LOG_P11 = 1,
	TM_LOG_CARD = 2,
	TM_LOG_APDU = 4,
	TM_LOG_WARN = 8, /* warnings users should see once enabled: always on with any category */
};

/* Reads TUMAR_DEBUG and TUMAR_LOG; call once at C_Initialize. */
void tm_log_init(void);
void tm_log_close(void);
int tm_log_enabled(enum tm_log_cat cat);
void tm_log(enum tm_log_cat cat, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
