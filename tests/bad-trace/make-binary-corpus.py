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


# Files with hand-made records: every checksum is right, so only the
# record rules can catch them.
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def rebuild(records, count):
    head = good[:first_block]
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = comp.compress(records) + comp.flush()
    block = (b"MTRB" + struct.pack("<IIII", count, len(records), len(data), zlib.crc32(data)) + data)
    index_off = len(head) + len(block)
    index = b"MTRI" + struct.pack("<I", 1)
    entries = struct.pack("<QQ", 0, len(head))
    index += entries + struct.pack("<I", zlib.crc32(entries))
    body = head + block + index
    foot = b"MTRF" + struct.pack("<IQQQI", 0, count, 1, index_off, zlib.crc32(body))
    foot += struct.pack("<I", zlib.crc32(foot)) + b"\x89MTREND\n"
    return body + foot


VEC, MAC, BARRIER, VMAX = 1, 0, 12, 6
barrier = bytes([VEC, BARRIER, 0]) + varint(0)
# bit 11: dependencies; the second barrier waits for an id before the first
write("dependency-before-start.mtr",
      rebuild(barrier + bytes([VEC, BARRIER, 0]) + varint(1 << 11) + bytes([1]) + varint(7), 2))
write("opcode-not-in-table.mtr", rebuild(bytes([VEC, 200, 0]) + varint(0), 1))
write("op-on-wrong-unit.mtr", rebuild(bytes([MAC, VMAX, 0]) + varint(0), 1))
# bit 0: batch, zigzag(2^33) does not fit 32 bits
write("batch-too-large.mtr", rebuild(bytes([VEC, BARRIER, 0]) + varint(1) + varint(1 << 34), 1))
write("record-cut-short.mtr", rebuild(bytes([VEC, BARRIER, 0]) + varint(1 << 8) + b"\x80\x80\x80\x80", 1))
write("unknown-field-bit.mtr", rebuild(bytes([VEC, BARRIER, 0]) + varint(1 << 30), 1))
