# A token of your own, for tumar-emu --profile-file (docs/emulator.md lists
# every key).  This one: 6-12 digit PINs, short APDUs only, 32 KB.
key = mytoken
name = My Token
manufacturer = Example LLP
atr = 3B 88 01 4B 41 5A 54 4F 4B 45 4E 82
user_pin = 123456
user_tries = 5
user_min = 6
user_max = 12
user_chars = digits
user_require = digits
so_pin = 12345678
so_tries = 10
so_min = 8
so_max = 16
memory = 32768
extended_length = no
change_at_first_logon = yes
algorithms = rsa:1024-2048, ec-p256
