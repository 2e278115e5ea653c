/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PKCS#11 names for GOST R 34.10-2012 and Streebog that p11-kit's
 * pkcs11.h lacks: the TC26 extension's vendor-defined values ("PKCS#11
 * extensions for the Russian cryptographic algorithms", TC26), as OpenSC's
 * src/pkcs11/pkcs11.h and Russian and Kazakh PKCS#11 clients use them
 * (../shared/kz-gost.md).  The 256-bit key names (CKK_GOSTR3410,
 * CKM_GOSTR3410, CKA_GOSTR3410_PARAMS, ...) are p11-kit's. */
#ifndef TUMAR_DRIVER_P11_GOST_H
#define TUMAR_DRIVER_P11_GOST_H

#include "driver/p11.h"

#define TM_CK_VENDOR_TC26 (CKK_VENDOR_DEFINED | 0x54321000UL)

#ifndef CKK_GOSTR3410_512
#define CKK_GOSTR3410_512 (TM_CK_VENDOR_TC26 | 0x003UL)
#endif
#ifndef CKM_GOSTR3410_512_KEY_PAIR_GEN
#define CKM_GOSTR3410_512_KEY_PAIR_GEN (TM_CK_VENDOR_TC26 | 0x005UL)
#endif
#ifndef CKM_GOSTR3410_512
#define CKM_GOSTR3410_512 (TM_CK_VENDOR_TC26 | 0x006UL)
#endif
#ifndef CKM_GOSTR3410_WITH_GOSTR3411_12_256
#define CKM_GOSTR3410_WITH_GOSTR3411_12_256 (TM_CK_VENDOR_TC26 | 0x008UL)
#endif
#ifndef CKM_GOSTR3410_WITH_GOSTR3411_12_512
#define CKM_GOSTR3410_WITH_GOSTR3411_12_512 (TM_CK_VENDOR_TC26 | 0x009UL)
#endif
#ifndef CKM_GOSTR3411_12_256
#define CKM_GOSTR3411_12_256 (TM_CK_VENDOR_TC26 | 0x012UL)
#endif
#ifndef CKM_GOSTR3411_12_512
#define CKM_GOSTR3411_12_512 (TM_CK_VENDOR_TC26 | 0x013UL)
#endif

#endif
