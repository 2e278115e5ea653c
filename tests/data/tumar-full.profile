# A test token, not a product: the Tumar applet with every capability it
# has (RSA 1024-4096, EC P-256, GOST 512 and 256, C_InitToken, key import,
# extended length).
# No shipped model has them all since JaCarta PKI speaks LASER; the tests
# of those capabilities run on this one (tests/support/test_models.c and
# start_emu_profile in tests/integration/lib.sh).  Its ATR says
# "TUMAR-FULL", so no driver takes it for a real card.
key = tumar-full
name = Tumar Full
manufacturer = Tumar tests
atr = 3B 8A 01 54 55 4D 41 52 2D 46 55 4C 4C EA
user_pin = 1234567890
user_tries = 10
user_min = 4
user_max = 16
so_pin = 00000000
so_tries = 10
so_min = 4
so_max = 16
memory = 73728
extended_length = yes
max_command = 4096
max_response = 4096
algorithms = rsa:1024-4096, ec-p256, gost-512, gost-256
init_token = yes
key_import = yes
applet = tumar
