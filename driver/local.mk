# driver/: tumar-pkcs11.so.  Everything is a convenience library (so unit
# tests and the fuzzer link the internals), and the module exports only
# C_GetFunctionList (and tumar-tool's tumar_GetPinInfo, driver/vendor.h).
noinst_LTLIBRARIES += driver/libtumar-driver.la
driver_libtumar_driver_la_SOURCES = \
	driver/card_tumar.c \
	driver/ckr.c driver/ckr.h \
	driver/conf.c driver/conf.h \
	driver/crypto.c \
	driver/functions.c \
	driver/keygen.c \
	driver/lock.c driver/lock.h \
	driver/log.c driver/log.h \
	driver/mech.c driver/mech.h \
	driver/module.c driver/module.h \
	driver/object.c driver/object.h \
	driver/p11.h \
	driver/readers.h \
	driver/session.c \
	driver/slot.c \
	driver/token.c driver/token.h \
	driver/transport_pcsc.c \
	driver/vendor.c driver/vendor.h
driver_libtumar_driver_la_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS)
driver_libtumar_driver_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
driver_libtumar_driver_la_LIBADD = apdu/libtumar-apdu.la $(PCSC_LIBS) $(CRYPTO_LIBS) -lpthread

# Installed where p11-kit looks for modules, with its .module file.
p11_moduledir = $(libdir)/pkcs11
p11_module_LTLIBRARIES = driver/tumar-pkcs11.la
driver_tumar_pkcs11_la_SOURCES =
driver_tumar_pkcs11_la_LIBADD = driver/libtumar-driver.la
driver_tumar_pkcs11_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^(C_GetFunctionList|tumar_GetPinInfo)$$'
p11_confdir = $(datadir)/p11-kit/modules
dist_p11_conf_DATA = driver/tumar.module
