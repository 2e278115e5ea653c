# emulator/: tumar-emu.  Everything but main() is a convenience library,
# so unit tests and fuzzers drive the applet without sockets.
noinst_LTLIBRARIES += emulator/libtumar-emu.la
emulator_libtumar_emu_la_SOURCES = \
	emulator/applet.c emulator/applet.h emulator/applet_internal.h \
	emulator/applet_info.c \
	emulator/applet_import.c \
	emulator/applet_keys.c \
	emulator/applet_objects.c \
	emulator/applet_pin.c \
	emulator/card.c emulator/card.h \
	emulator/faults.c emulator/faults.h \
	emulator/image.c emulator/image.h \
	emulator/keys.c emulator/keys.h \
	emulator/models.c emulator/models.h \
	emulator/profile.c emulator/profile.h \
	emulator/server.c emulator/server.h \
	emulator/vpcd.c emulator/vpcd.h
emulator_libtumar_emu_la_LIBADD = apdu/libtumar-apdu.la $(CRYPTO_LIBS)

bin_PROGRAMS += emulator/tumar-emu
emulator_tumar_emu_SOURCES = emulator/main.c
emulator_tumar_emu_LDADD = emulator/libtumar-emu.la $(CRYPTO_LIBS)
