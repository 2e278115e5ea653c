# JaCarta PKI speaking its own LASER protocol (docs/emulator.md): the
# jacarta-pki model's values with applet = laser.  Until the shipped
# jacarta-pki model switches to LASER, this is how to run one:
#   tumar-emu --profile-file docs/examples/jacarta-laser.profile --card jl.img
key = jacarta-laser
name = JaCarta PKI
manufacturer = Aladdin R.D.
atr = 3B DC 18 FF 81 91 FE 1F C3 80 73 C8 21 13 66 01 06 11 59 00 01 28
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
algorithms = rsa:1024-4096
applet = laser
