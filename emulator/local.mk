# SPDX-License-Identifier: LGPL-2.1-or-later
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
	emulator/chip.c emulator/chip.h \
	emulator/chip_laser.c \
	emulator/chip_tumar.c \
	emulator/card_manager.c emulator/card_manager.h \
	emulator/exchange.c emulator/exchange.h \
	emulator/faults.c emulator/faults.h \
	emulator/image.c emulator/image.h \
	emulator/image_file.c emulator/image_file.h \
	emulator/inspect_print.c emulator/inspect_print.h \
	emulator/keys.c emulator/keys.h \
	emulator/laser_access.c \
	emulator/laser_applet.c emulator/laser_applet.h emulator/laser_internal.h \
	emulator/laser_card.c emulator/laser_card.h \
	emulator/laser_factory.c emulator/laser_factory.h \
	emulator/laser_files.c \
	emulator/laser_image.c emulator/laser_image.h \
	emulator/laser_keys.c \
	emulator/laser_pin.c \
	emulator/laser_sm.c \
	emulator/models.c emulator/models.h \
	emulator/profile.c emulator/profile.h \
	emulator/server.c emulator/server.h \
	emulator/stop_point.c emulator/stop_point.h \
	emulator/vpcd.c emulator/vpcd.h
emulator_libtumar_emu_la_LIBADD = apdu/libtumar-apdu.la $(CRYPTO_LIBS)

bin_PROGRAMS += emulator/tumar-emu
emulator_tumar_emu_SOURCES = emulator/main.c
emulator_tumar_emu_LDADD = emulator/libtumar-emu.la $(CRYPTO_LIBS)
