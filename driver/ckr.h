/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tm_rc to CKR_*: one static table, looked up by value. */
#ifndef TUMAR_DRIVER_CKR_H
#define TUMAR_DRIVER_CKR_H

#include "driver/p11.h"

CK_RV tm_rc_to_ckr(int rc);

#endif
