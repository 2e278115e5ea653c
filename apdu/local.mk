# SPDX-License-Identifier: LGPL-2.1-or-later
# apdu/: the library that the driver, the emulator and the tools share.
noinst_LTLIBRARIES += apdu/libtumar-apdu.la
apdu_libtumar_apdu_la_SOURCES = \
	apdu/apdu.c apdu/apdu.h \
	apdu/buf.c apdu/buf.h \
	apdu/gost.c apdu/gost.h \
	apdu/hash.c apdu/hash.h \
	apdu/laser.h \
	apdu/laser_attr.c apdu/laser_attr.h \
	apdu/laser_fcp.c apdu/laser_fcp.h \
	apdu/laser_sm.c apdu/laser_sm.h \
	apdu/pcscd_log.c apdu/pcscd_log.h \
	apdu/protocol.h \
	apdu/pubkey.c apdu/pubkey.h \
	apdu/rc.c apdu/rc.h \
	apdu/sw.c apdu/sw.h \
	apdu/tlv.c apdu/tlv.h \
	apdu/trace.c apdu/trace.h \
	apdu/trace_join.c apdu/trace_join.h \
	apdu/opensc_log.c apdu/opensc_log.h \
	apdu/pcsc_spy_log.c apdu/pcsc_spy_log.h \
	apdu/hexdump.c apdu/hexdump.h \
	apdu/transceive.c apdu/transceive.h
apdu_libtumar_apdu_la_LIBADD = $(CRYPTO_LIBS) -lpthread
