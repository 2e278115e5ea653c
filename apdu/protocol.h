/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Tumar PKI applet protocol: every constant that the driver and the
 * emulator must agree on.  docs/protocol.md is the prose of this header;
 * change both together.
 *
 * Interindustry commands (ISO/IEC 7816-4, -8, -9) are used wherever one
 * fits; class 80 only for INITIALIZE TOKEN, which has no ISO counterpart.
 * Proprietary data objects use the private tag class (C0-DE primitive,
 * E0-FE constructed, DFxx two-byte primitive), so they never collide with
 * interindustry tags.
 */
#ifndef TUMAR_APDU_PROTOCOL_H
#define TUMAR_APDU_PROTOCOL_H

#include <stdint.h>

/* --- Application identifier ------------------------------------------- */

/* ISO 7816-5 category 'F': proprietary, not registered.  "TUMAR", version 1. */
#define TM_AID_BYTES 0xF0, 0x54, 0x55, 0x4D, 0x41, 0x52, 0x01
#define TM_AID_LEN 7
#define TM_PROTOCOL_VERSION 3 /* docs/protocol.md: 2 has public key objects, IMPORT KEY; 3 GOST keys */

/* --- Class bytes -------------------------------------------------------- */

#define TM_CLA_ISO 0x00
#define TM_CLA_PROPRIETARY 0x80
#define TM_CLA_CHAIN 0x10 /* ISO 7816-4 §5.4.1: command chaining bit */

/* --- Instructions ------------------------------------------------------- */

enum tm_ins {
	TM_INS_DEACTIVATE_FILE = 0x04,   /* not used; listed for trace names */
	TM_INS_ERASE_BINARY = 0x0E,      /* not used; listed for trace names */
	TM_INS_VERIFY = 0x20,            /* 7816-4 §11.5.6 */
	TM_INS_MSE = 0x22,               /* 7816-4 §11.5.11 */
	TM_INS_CHANGE_REFERENCE_DATA = 0x24, /* 7816-4 §11.5.7 */
	TM_INS_PSO = 0x2A,               /* 7816-8 §11 */
	TM_INS_RESET_RETRY_COUNTER = 0x2C, /* 7816-4 §11.5.10 */
	TM_INS_GENERATE_KEY_PAIR = 0x46, /* 7816-8 §6 */
	TM_INS_INITIALIZE_TOKEN = 0x50,  /* Tumar, class 80 */
	TM_INS_IMPORT_KEY = 0xD8,        /* Tumar, class 80: a private key from the host */
	TM_INS_GET_CHALLENGE = 0x84,     /* 7816-4 §11.6.3 */
	TM_INS_SELECT = 0xA4,            /* 7816-4 §11.2.2 */
	TM_INS_READ_BINARY = 0xB0,       /* not used by Tumar; trace names */
	TM_INS_READ_BINARY_ODD = 0xB1,   /* 7816-4 §11.3.3, odd INS */
	TM_INS_GET_RESPONSE = 0xC0,      /* 7816-4 §11.7.1 */
	TM_INS_GET_DATA = 0xCA,          /* 7816-4 §11.4.3 */
	TM_INS_UPDATE_BINARY = 0xD6,     /* not used by Tumar; trace names */
	TM_INS_UPDATE_BINARY_ODD = 0xD7, /* 7816-4 §11.3.5, odd INS */
	TM_INS_PUT_DATA = 0xDA,          /* not used by Tumar; trace names */
	TM_INS_PUT_DATA_ODD = 0xDB,      /* 7816-4 §11.4.6, odd INS */
	TM_INS_CREATE_FILE = 0xE0,       /* 7816-9 §8.2 */
	TM_INS_DELETE_FILE = 0xE4,       /* 7816-9 §8.4 */
};

/* --- P1/P2 values -------------------------------------------------------- */

#define TM_P1_SELECT_BY_AID 0x04
#define TM_P2_SELECT_FIRST_FCI 0x00

#define TM_P1_VERIFY 0x00
#define TM_P1_VERIFY_LOGOUT 0xFF /* 7816-4:2013: P1=FF resets the state */

/* PIN references, P2 of VERIFY / CHANGE REFERENCE DATA / RESET RETRY
 * COUNTER: b8=1 means a reference local to the application. */
#define TM_PIN_USER 0x81
#define TM_PIN_SO 0x82

#define TM_P1_CHANGE_REF_OLD_NEW 0x00 /* data: current PIN || new PIN */
#define TM_P1_RESET_SO_AND_NEW 0x00   /* data: SO PIN || new user PIN */
#define TM_P1_RESET_NEW_ONLY 0x02     /* data: new user PIN; SO verified */

#define TM_P1_MSE_SET_COMPUTE 0x41 /* SET for computation (7816-4 table 79) */
#define TM_P2_CRT_DST 0xB6         /* digital signature template */
#define TM_P2_CRT_CT 0xB8          /* confidentiality template */

/* PSO P1/P2 name the tags of response and command data (7816-8). */
#define TM_P1P2_PSO_CDS 0x9E9A      /* data = input; key from MSE */
#define TM_P1P2_PSO_CDS_DOS 0x9EAC  /* data = DOs naming key and alg */
#define TM_P1P2_PSO_DECIPHER 0x8086 /* data = 00 || cryptogram; MSE */
#define TM_P1P2_PSO_DECIPHER_DOS 0x80AC /* data = DOs naming key and alg */

#define TM_P1_GENERATE 0x00      /* generate and return the public key */
#define TM_P1_READ_PUBLIC 0x81   /* return an existing key's public key */

#define TM_P1_DELETE_BY_FID 0x00 /* data: 2-byte object reference */

/* GET DATA P1-P2 (the tag of the wanted data object). */
#define TM_GET_DATA_CARD_INFO 0x00A5 /* A5 template, as in the FCI */
#define TM_GET_DATA_PIN_INFO 0x00E0  /* one E0 template per PIN */
#define TM_GET_DATA_DIRECTORY 0x00E1 /* one E1 template per object */

/* --- Data object tags ---------------------------------------------------- */

/* Interindustry tags the protocol uses. */
#define TM_TAG_FCI 0x6F
#define TM_TAG_FCP 0x62
#define TM_TAG_AID 0x84
#define TM_TAG_PROPRIETARY 0xA5
#define TM_TAG_FILE_SIZE 0x80  /* in FCP: bytes of the object's value */
#define TM_TAG_FILE_ID 0x83    /* object reference, 2 bytes */
#define TM_TAG_OFFSET 0x54     /* odd-INS READ/UPDATE BINARY offset */
#define TM_TAG_DISCRETIONARY 0x53 /* odd-INS UPDATE BINARY data */
#define TM_TAG_PUBLIC_KEY 0x7F49  /* 7816-8 public key template */
#define TM_TAG_RSA_MODULUS 0x81
#define TM_TAG_RSA_EXPONENT 0x82
#define TM_TAG_EC_POINT 0x86
#define TM_TAG_KEY_OID 0x06 /* in 7F49: the key algorithm of a GOST key (TC26 OID) */
#define TM_TAG_ALGORITHM 0x80  /* in CRTs and PSO DOs */
#define TM_TAG_KEY_REF 0x84    /* in CRTs and PSO DOs: 2-byte reference */
#define TM_TAG_PSO_INPUT 0x9A  /* PSO CDS data to be signed */
#define TM_TAG_PSO_CRYPTOGRAM 0x86 /* PSO DECIPHER cryptogram */

/* Card information (A5 in the FCI, and GET DATA 00A5). */
#define TM_TAG_CI_VERSION 0xC0   /* 1 byte: TM_PROTOCOL_VERSION */
#define TM_TAG_CI_MODEL 0xC1     /* ASCII model key, e.g. "kaztoken" */
#define TM_TAG_CI_MODEL_NAME 0xC2 /* UTF-8 display name */
#define TM_TAG_CI_SERIAL 0xC3    /* ASCII, at most 16 */
#define TM_TAG_CI_LABEL 0xC4     /* UTF-8, at most 32 */
#define TM_TAG_CI_CAPS 0xC5      /* 2 bytes, TM_CAP_* */
#define TM_TAG_CI_MAX_CMD 0xC6   /* 2 bytes: command data the card takes */
#define TM_TAG_CI_MAX_RESP 0xC7  /* 2 bytes: response data in one APDU */
#define TM_TAG_CI_MEMORY 0xC8    /* 8 bytes: total (4) || free (4) */
#define TM_TAG_CI_MANUFACTURER 0xC9 /* UTF-8 */
#define TM_TAG_CI_ALGORITHMS 0xCA /* n × (alg 1, min bits 2, max bits 2) */
#define TM_TAG_CI_CHANGE_COUNTER 0xCB /* 4 bytes, see below */
#define TM_TAG_CI_SWEEP 0xCC /* 2 bytes: objects to sweep, temporary or incomplete (v2) */

/* PIN information (E0). */
#define TM_TAG_PIN_INFO 0xE0
#define TM_TAG_PIN_REF 0x83      /* 1 byte: TM_PIN_USER or TM_PIN_SO */
#define TM_TAG_PIN_FLAGS 0xC0    /* 1 byte, TM_PINF_* */
#define TM_TAG_PIN_TRIES_LEFT 0xC1
#define TM_TAG_PIN_TRIES_MAX 0xC2
#define TM_TAG_PIN_MIN_LEN 0xC3
#define TM_TAG_PIN_MAX_LEN 0xC4
#define TM_TAG_PIN_CHARSET 0xC5  /* 2 bytes: allowed classes, required */

/* Object entry (E1 in the directory) and object attributes (A5 in FCP,
 * PUT DATA, E2). */
#define TM_TAG_OBJECT 0xE1
#define TM_TAG_OBJ_CLASS 0xC1    /* 1 byte, TM_OBJ_* */
#define TM_TAG_OBJ_FLAGS 0xC2    /* 1 byte, TM_OBJF_* */
#define TM_TAG_OBJ_ID 0xC3       /* CKA_ID, at most TM_MAX_OBJ_ID bytes */
#define TM_TAG_OBJ_LABEL 0xC4    /* UTF-8, at most TM_MAX_OBJ_LABEL */
#define TM_TAG_OBJ_USAGE 0xC5    /* 1 byte, TM_USAGE_* (key pairs) */
#define TM_TAG_OBJ_APPLICATION 0xC6 /* data objects: CKA_APPLICATION */
#define TM_TAG_OBJ_KEY_ALG 0xC7  /* 1 byte, TM_KEY_* (key pairs) */
#define TM_TAG_OBJ_KEY_BITS 0xC8 /* 2 bytes (key pairs) */
#define TM_TAG_OBJ_OWNER 0xC9    /* temporary objects: who made it, opaque */
#define TM_TAG_OBJ_SUBJECT 0xCA  /* CKA_SUBJECT, DER, at most TM_MAX_OBJ_SUBJECT */
#define TM_TAG_OBJ_START 0xCB    /* CKA_START_DATE: empty or "YYYYMMDD" */
#define TM_TAG_OBJ_END 0xCC      /* CKA_END_DATE: empty or "YYYYMMDD" */
/* In GENERATE's answer: the reference of the public key object made
 * beside the private key (83). */
#define TM_TAG_PUBLIC_REF 0x84

/* GENERATE ASYMMETRIC KEY PAIR and IMPORT KEY parameters. */
#define TM_TAG_KEYGEN 0xE2
/* IMPORT KEY's private key template and its parts (big-endian). */
#define TM_TAG_PRIVATE_KEY 0x7F48
#define TM_TAG_RSA_D 0x83
#define TM_TAG_RSA_P 0x92
#define TM_TAG_RSA_Q 0x93
#define TM_TAG_RSA_DP 0x94
#define TM_TAG_RSA_DQ 0x95
#define TM_TAG_RSA_QINV 0x96
#define TM_TAG_EC_SCALAR 0x87

/* Algorithm parameters in MSE and PSO DOs. */
#define TM_TAG_PARAM_HASH 0xC1   /* 1 byte, TM_HASH_* */
#define TM_TAG_PARAM_MGF_HASH 0xC2 /* 1 byte, TM_HASH_* */
#define TM_TAG_PARAM_SALT_LEN 0xC3 /* 2 bytes */
#define TM_TAG_PARAM_LABEL 0xC4  /* OAEP label */
#define TM_TAG_PARAM_SIG_LAYOUT 0xC5 /* 1 byte, TM_SIG_LAYOUT_* (GOST) */

/* --- Values --------------------------------------------------------------- */

/* TM_TAG_CI_CAPS bits. */
#define TM_CAP_EXTENDED_LENGTH 0x0001 /* takes extended-length APDUs */
#define TM_CAP_CHAINING 0x0002        /* takes command chaining */
#define TM_CAP_INIT_TOKEN 0x0004      /* INITIALIZE TOKEN allowed */
#define TM_CAP_CHANGE_AT_FIRST_LOGON 0x0008 /* PIN set by SO must be changed */
#define TM_CAP_SO_IS_PUK 0x0010       /* SO PIN only unblocks (no admin) */
#define TM_CAP_KEY_IMPORT 0x0020      /* IMPORT KEY allowed */

/* TM_TAG_PIN_FLAGS bits. */
#define TM_PINF_INITIALIZED 0x01 /* the PIN has a value */
#define TM_PINF_FACTORY 0x02     /* still the value set at personalisation */
#define TM_PINF_MUST_CHANGE 0x04 /* set by the SO under first-logon rule */
#define TM_PINF_VERIFIED 0x08    /* verified in this card session */

/* TM_TAG_PIN_CHARSET classes. */
#define TM_CHARS_DIGIT 0x01
#define TM_CHARS_LOWER 0x02
#define TM_CHARS_UPPER 0x04
#define TM_CHARS_OTHER 0x08 /* other printable ASCII */

/* Object classes. */
enum tm_obj_class {
	TM_OBJ_CERTIFICATE = 0x01, /* X.509, DER */
	TM_OBJ_DATA = 0x02,
	TM_OBJ_KEY_PAIR = 0x03,   /* a private key (and its public values) */
	TM_OBJ_PUBLIC_KEY = 0x04, /* the public half, an object of its own */
};

/* Object flags. */
#define TM_OBJF_PRIVATE 0x01    /* listed and readable after user VERIFY */
#define TM_OBJF_MODIFIABLE 0x02 /* PUT DATA / UPDATE BINARY allowed */
#define TM_OBJF_TEMPORARY 0x04  /* one process's session object (C9 says whose) */
#define TM_OBJF_IMPORTED 0x08   /* set by the card: a key that came from outside */
#define TM_OBJF_INCOMPLETE 0x10 /* set by the card in the directory: never wholly written */

/* Key usage (key pairs). */
#define TM_USAGE_SIGN 0x01
#define TM_USAGE_DECRYPT 0x02

/* Key algorithms (key generation and TM_TAG_OBJ_KEY_ALG). */
enum tm_key_alg {
	TM_KEY_RSA = 0x01,           /* public exponent 65537 */
	TM_KEY_EC_P256 = 0x02,       /* secp256r1 */
	/* GOST R 34.10-2012 (ST RK GOST R 34.10-2015), TC26 parameter set A */
	TM_KEY_GOST2012_512 = 0x03,
	TM_KEY_GOST2012_256 = 0x04,
};

/* Operation algorithms (TM_TAG_ALGORITHM in MSE and PSO DOs). */
enum tm_op_alg {
	TM_ALG_RSA_PKCS1 = 0x01,   /* CKM_RSA_PKCS: card adds type-1 padding */
	TM_ALG_RSA_PSS = 0x02,     /* input is a hash; params C1, C2, C3 */
	TM_ALG_ECDSA = 0x04,       /* input is a hash; output r || s */
	TM_ALG_GOST = 0x05,        /* input is a Streebog digest; C5 names the layout */
	TM_ALG_RSA_DECRYPT_PKCS1 = 0x21, /* type-2 padding removed */
	TM_ALG_RSA_DECRYPT_OAEP = 0x22,  /* params C1, C2, C4 */
};

/* GOST signature layouts (TM_TAG_PARAM_SIG_LAYOUT). */
enum tm_sig_layout {
	TM_SIG_LAYOUT_RFC4491 = 0x00, /* s || r, big-endian: PKCS#11's, the default */
	TM_SIG_LAYOUT_NCA = 0x01,     /* r || s, little-endian: KalkanCrypt's */
};

/* Hash identifiers for algorithm parameters. */
enum tm_hash {
	TM_HASH_SHA1 = 0x01,
	TM_HASH_SHA224 = 0x02,
	TM_HASH_SHA256 = 0x03,
	TM_HASH_SHA384 = 0x04,
	TM_HASH_SHA512 = 0x05,
};

/* --- Limits ------------------------------------------------------------- */

#define TM_MAX_OBJ_ID 64
#define TM_MAX_OBJ_LABEL 64
#define TM_MAX_OBJ_SUBJECT 256
#define TM_MAX_OBJ_OWNER 32
#define TM_OBJ_DATE_LEN 8
#define TM_MAX_TOKEN_LABEL 32
#define TM_MAX_SERIAL 16
#define TM_MAX_PIN_LEN 32 /* the protocol's bound; a model sets its own */
#define TM_MAX_OBJECT_SIZE 32767 /* one certificate or data object */

#endif /* TUMAR_APDU_PROTOCOL_H */
