/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JaCarta PKI "LASER" applet protocol: the constants that its card
 * driver (driver/card_laser.c) and its emulation (emulator/laser_*.c)
 * agree on.  The protocol is Aladdin R.D.'s; the values are read from
 * their OpenSC driver (PR 3423), as shared/jacarta-laser.md records.
 * Section numbers (§n) below are that document's.  Where the driver is
 * silent the card side guessed; docs/emulator.md lists the guesses.
 */
#ifndef TUMAR_APDU_LASER_H
#define TUMAR_APDU_LASER_H

#include <stdint.h>

/* §2: "...dLASER\0\1", selected with CLA 00 (every other SELECT is 80). */
#define TM_LASER_AID_BYTES 0xA0, 0x00, 0x00, 0x01, 0x64, 0x4C, 0x41, 0x53, 0x45, 0x52, 0x00, 0x01
#define TM_LASER_AID_LEN 12

/* --- Instructions (§3, §11) ------------------------------------------- */

enum tm_laser_ins {
	TM_LASER_INS_VERIFY = 0x20,        /* 00: plain; 80: secure (§5) */
	TM_LASER_INS_UPDATE_KO = 0x24,     /* 80: PIN value or private key */
	TM_LASER_INS_LOGOUT = 0x28,        /* 80 */
	TM_LASER_INS_PSO = 0x2A,           /* 00 */
	TM_LASER_INS_RESET_RC = 0x2C,      /* 80: resets the selected PIN */
	TM_LASER_INS_LIST_FILES = 0x30,    /* 80 */
	TM_LASER_INS_GENERATE = 0x47,      /* 00: into the selected KO */
	TM_LASER_INS_SM_KEY = 0x48,        /* 80: DH group and card half */
	TM_LASER_INS_GET_CHALLENGE = 0x84, /* 00 */
	TM_LASER_INS_SM_OPEN = 0x86,       /* 80: open (00 00), close (FF FF) */
	TM_LASER_INS_SELECT = 0xA4,
	TM_LASER_INS_READ_BINARY = 0xB0,
	TM_LASER_INS_GET_RESPONSE = 0xC0,
	TM_LASER_INS_GET_CAPABILITY = 0xCB, /* 80, P1P2 = the capability */
	TM_LASER_INS_UPDATE_BINARY = 0xD6,
	TM_LASER_INS_CREATE_FILE = 0xE0,
	TM_LASER_INS_DELETE_FILE = 0xE4,   /* deletes the selected file */
};

/* SELECT P1 (§3); P2 is always 0C, and an FCP comes back anyway. */
#define TM_LASER_SELECT_FID 0x00
#define TM_LASER_SELECT_PARENT 0x03
#define TM_LASER_SELECT_NAME 0x04
#define TM_LASER_SELECT_PATH 0x08     /* from the MF, 3F00 included */
#define TM_LASER_SELECT_RELATIVE 0x09 /* from the current DF */

/* GET CAPABILITY P1P2 (§2) and the exact lengths the driver insists on. */
#define TM_LASER_CAP_SERIAL 0x0114
#define TM_LASER_CAP_SERIAL_LEN 8   /* 2 data, 4 serial, 2 batch */
#define TM_LASER_CAP_CRYPTO 0x0180
#define TM_LASER_CAP_CRYPTO_LEN 3
#define TM_LASER_CAP_KEYS 0x0188
#define TM_LASER_CAP_KEYS_LEN 5

/* LIST FILES P1: which kind of children of the current DF. */
#define TM_LASER_LIST_EF 0x01
#define TM_LASER_LIST_KO 0x08
#define TM_LASER_LIST_DF 0x38
#define TM_LASER_LIST_COUNT_TAG 0xD1
#define TM_LASER_LIST_FILE_TAG 0xD2

/* --- Files (§3, §4) ---------------------------------------------------- */

/* FCP descriptor byte (tag 87) and CREATE FILE P1: the same values. */
#define TM_LASER_DESC_EF 0x01
#define TM_LASER_DESC_KO 0x08
#define TM_LASER_DESC_DF 0x38

/* FCP tags. */
#define TM_LASER_FCP 0x62
#define TM_LASER_FCP_SIZE 0x80
#define TM_LASER_FCP_SIZE_FULL 0x81
#define TM_LASER_FCP_FID 0x83
#define TM_LASER_FCP_NAME 0x84
#define TM_LASER_FCP_PROP 0x85
#define TM_LASER_FCP_ACL 0x86
#define TM_LASER_FCP_DESC 0x87
#define TM_LASER_FCP_LCS 0x8A
#define TM_LASER_FCP_PROP_LONG 0xA5

/* LCS (tag 8A). */
#define TM_LASER_LCS_CREATION 0x01
#define TM_LASER_LCS_DEACTIVATED 0x04
#define TM_LASER_LCS_ACTIVATED 0x05

/* ACLs (tag 86): two bytes per operation, in this order per kind. */
enum { TM_LASER_DF_CREATE, TM_LASER_DF_CREATE_DF, TM_LASER_DF_ADMIN, TM_LASER_DF_DELETE,
       TM_LASER_DF_ACTIVATE, TM_LASER_DF_DEACTIVATE, TM_LASER_DF_OPS };
enum { TM_LASER_EF_READ, TM_LASER_EF_UPDATE, TM_LASER_EF_ADMIN, TM_LASER_EF_DELETE,
       TM_LASER_EF_OPS };
enum { TM_LASER_KO_READ, TM_LASER_KO_UPDATE, TM_LASER_KO_ADMIN, TM_LASER_KO_DELETE,
       TM_LASER_KO_GENERATE, TM_LASER_KO_PIN_RESET, TM_LASER_KO_CRYPTO, TM_LASER_KO_OPS };
#define TM_LASER_ACL_MAX (2 * TM_LASER_KO_OPS) /* the largest kind */

#define TM_LASER_AC_ALWAYS 0x0000
#define TM_LASER_AC_NEVER 0x00FF
#define TM_LASER_AC_SM_IN 0x4000  /* the command must come under SM */
#define TM_LASER_AC_SM_OUT 0x8000 /* the answer must go under SM */

/* KO proprietary attributes (tag 85), first bytes. */
#define TM_LASER_KO_FLAG_TICKET 0x80
#define TM_LASER_KO_FLAG_SECURE_VERIFY 0x40
#define TM_LASER_KO_CLASS_RSA_CRT 0x05
#define TM_LASER_KO_ALG_PIN 0x00
#define TM_LASER_KO_ALG_LOGIC 0x0F
#define TM_LASER_KO_ALG_RSA 0x20
#define TM_LASER_KO_USAGE_AUTH 0x01
#define TM_LASER_KO_USAGE_SIGN 0x04
#define TM_LASER_KO_USAGE_DECRYPT 0x08

/* Offsets in a PIN KO's tag 85 as the driver reads it (§10.1):
 * class, usage, algorithm, padding, tries (high nibble: left), unblocks,
 * min, max, then the character-class counts. */
#define TM_LASER_PIN_PROP_TRIES 4
#define TM_LASER_PIN_PROP_UNBLOCK 5
#define TM_LASER_PIN_PROP_MIN 6
#define TM_LASER_PIN_PROP_MAX 7
#define TM_LASER_PIN_PROP_LEN 15

/* KO content tags. */
#define TM_LASER_KO_PIN_VALUE 0x81
#define TM_LASER_KO_RSA 0x71
#define TM_LASER_LOGIC_OR 0xE3
#define TM_LASER_LOGIC_REF 0x89
#define TM_LASER_LOGIC_END 0x88

/* Well-known files (§4). */
#define TM_LASER_FID_MF 0x3F00
#define TM_LASER_FID_APP 0x3000      /* ASEPKCS */
#define TM_LASER_FID_PUBLIC 0x3001
#define TM_LASER_FID_PRIVATE 0x3002
#define TM_LASER_FID_MD 0x3003
#define TM_LASER_FID_MSCP 0x3005
#define TM_LASER_FID_TOKEN_INFO 0xC000
#define TM_LASER_FID_CMAP 0x867F
#define TM_LASER_FID_CARDID 0x4000
#define TM_LASER_FID_CARDCF 0x4001
#define TM_LASER_FID_CARDAPPS 0x4002

/* PIN references: the FID of the PIN KO in the MF is 00<ref>. */
#define TM_LASER_PIN_TRANSPORT1 0x01
#define TM_LASER_PIN_TRANSPORT2 0x02
#define TM_LASER_PIN_SO 0x10
#define TM_LASER_PIN_USER 0x20
#define TM_LASER_PIN_SO_OR_USER 0x30          /* logical-expression KOs */
#define TM_LASER_PIN_ANY 0x32
#define TM_LASER_PIN_SO_OR_USER_PIN 0x35

/* Key objects (§6): private 3002/00(40+n), public 3001/00(80+n). */
#define TM_LASER_KEY_REF_MIN 0x01
#define TM_LASER_KEY_REF_MAX 0x1E
#define TM_LASER_PRIVATE_KO_BASE 0x0040
#define TM_LASER_PUBLIC_KO_BASE 0x0080
#define TM_LASER_GEN_RSA_1024 0x06
#define TM_LASER_GEN_RSA_2048 0x07
#define TM_LASER_GEN_RSA_4096 0x08

/* PSO P1P2 (§7). */
#define TM_LASER_PSO_SIGN 0x9E8A     /* card pads (PKCS#1 type 1) and signs */
#define TM_LASER_PSO_RAW 0x800C      /* raw RSA: X.509, PSS and OAEP on the host */
#define TM_LASER_PSO_DECIPHER 0x800A /* card strips PKCS#1 v1.5 type 2 */

/* TokenInfo (§4): 160 bytes at least; flags little-endian at 96. */
#define TM_LASER_TOKEN_INFO_LEN 160
#define TM_LASER_TOKEN_INFO_FILE_LEN 161 /* the profile's file size */
#define TM_LASER_TI_LABEL 0
#define TM_LASER_TI_MANUFACTURER 32
#define TM_LASER_TI_MODEL 64
#define TM_LASER_TI_SERIAL 80
#define TM_LASER_TI_FLAGS 96
#define TM_LASER_TI_MAX_PIN 116
#define TM_LASER_TI_MIN_PIN 120
#define TM_LASER_TI_VERSIONS 140
#define TM_LASER_TI_UTC 144

#define TM_LASER_CARDCF_LEN 8

#endif
