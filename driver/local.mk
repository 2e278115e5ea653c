# SPDX-License-Identifier: LGPL-2.1-or-later
# driver/: tumar-pkcs11.so.  Everything is a convenience library (so unit
# tests and the fuzzer link the internals), and the module exports only
# C_GetFunctionList (and tumar-tool's tumar_GetPinInfo, driver/vendor.h).
noinst_LTLIBRARIES += driver/libtumar-driver.la
driver_libtumar_driver_la_SOURCES = \
	driver/card_laser.c \
	driver/card_tumar.c \
	driver/ckr.c driver/ckr.h \
	driver/conf.c driver/conf.h \
	driver/crypto.c \
	driver/functions.c \
	driver/gost_attr.c driver/gost_attr.h \
	driver/key_import.c driver/key_import.h \
	driver/keygen.c \
	driver/laser.h \
	driver/laser_io.c \
	driver/laser_keygen.c \
	driver/laser_objects.c \
	driver/laser_pad.c \
	driver/laser_sm.c \
	driver/lock.c driver/lock.h \
	driver/log.c driver/log.h \
	driver/mech.c driver/mech.h \
	driver/module.c driver/module.h \
	driver/object.c driver/object.h driver/object_view.c \
	driver/owner.c driver/owner.h \
	driver/p11.h driver/p11_gost.h \
	driver/readers.h \
	driver/session.c \
	driver/session_key.c driver/session_key.h \
	driver/session_object.c driver/session_object.h \
	driver/slot.c \
	driver/template.c driver/template.h \
	driver/token.c driver/token.h \
	driver/transport_pcsc.c \
	driver/vendor.c driver/vendor.h
driver_libtumar_driver_la_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS)
driver_libtumar_driver_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
driver_libtumar_driver_la_LIBADD = apdu/libtumar-apdu.la $(PCSC_LIBS) $(CRYPTO_LIBS) -lpthread

# Installed where p11-kit looks for modules (configure: p11-kit's own
# directories), with a .module file that names it.  No .la beside it:
# p11-kit and applications load every file in that directory.  (Without
# the .la, libtool's uninstall does not know the .so: the hook removes it.)
p11_module_LTLIBRARIES = driver/tumar-pkcs11.la
driver_tumar_pkcs11_la_SOURCES =
driver_tumar_pkcs11_la_LIBADD = driver/libtumar-driver.la
driver_tumar_pkcs11_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^(C_GetFunctionList|tumar_GetPinInfo)$$'
install-data-hook: install-p11-module-hook
install-p11-module-hook:
	rm -f "$(DESTDIR)$(p11_moduledir)/tumar-pkcs11.la"
uninstall-hook: uninstall-p11-module-hook
uninstall-p11-module-hook:
	rm -f "$(DESTDIR)$(p11_moduledir)/tumar-pkcs11.so" "$(DESTDIR)$(p11_confdir)/tumar.module"

# tumar.module names the module by the path it is installed at: p11-kit
# resolves a bare file name against its own module directory only, and
# the module directory may be another (--with-p11-module-dir).
install-data-local: driver/tumar.module
	$(MKDIR_P) "$(DESTDIR)$(p11_confdir)"
	sed 's|@MODULE@|$(p11_moduledir)/tumar-pkcs11.so|' "$(srcdir)/driver/tumar.module" \
		>"$(DESTDIR)$(p11_confdir)/tumar.module"
	chmod 644 "$(DESTDIR)$(p11_confdir)/tumar.module"
EXTRA_DIST += driver/tumar.module
