#!/usr/bin/env python3
"""Make the binary bad-trace corpus from tiny-good.mtr (a copy of
traces/examples/tiny.mtt in .mtr form).  Run by hand when the format
changes; the files it writes are committed and checked by cli-trace.sh."""
import struct
import zlib

good = open("tiny-good.mtr", "rb").read()
hlen = struct.unpack_from("<I", good, 12)[0]
header = good[16:16 + hlen]
first_block = 16 + hlen + 4


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def with_header(new_header):
    return (good[:12] + struct.pack("<I", len(new_header)) + new_header +
            struct.pack("<I", zlib.crc32(new_header)) + good[first_block:])


write("wrong-magic.mtr", b"\x89MTX" + good[4:])
write("newer-version.mtr", good[:8] + struct.pack("<HH", 2, 0) + good[12:])
write("truncated-header.mtr", good[:40])
write("truncated-block.mtr", good[:first_block + 30])
write("truncated-footer.mtr", good[:-1])
block = bytearray(good)
block[first_block + 25] ^= 0x40
write("flipped-block.mtr", bytes(block))
absurd = bytearray(good)
struct.pack_into("<I", absurd, first_block + 4, 0xFFFFFFFF)
write("absurd-count.mtr", bytes(absurd))
write("absurd-header-length.mtr", good[:12] + struct.pack("<I", 0x7FFFFFFF) + good[16:])
# the opcode string table with 'load' renamed: the header checksum is redone,
# so only the name can give it away
write("unknown-opcode.mtr", with_header(header.replace(b"load\0store", b"conv\0store")))
write("trailing-garbage.mtr", good + b"extra")
foot = bytearray(good)
foot[-20] ^= 0x01
write("bad-footer.mtr", bytes(foot))
