/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mutexes as C_Initialize's arguments ask (PKCS#11 2.40 §5.4): the
 * application's own functions when it gives them without
 * CKF_OS_LOCKING_OK, otherwise pthreads.
 */
#ifndef TUMAR_DRIVER_LOCK_H
#define TUMAR_DRIVER_LOCK_H

#include "driver/p11.h"

/* CKR_OK, CKR_ARGUMENTS_BAD (a partial set of functions), CKR_CANT_LOCK. */
CK_RV tm_lock_setup(const CK_C_INITIALIZE_ARGS *args);

void *tm_mutex_new(void);
void tm_mutex_free(void *m);
void tm_mutex_lock(void *m);
void tm_mutex_unlock(void *m);

#endif
