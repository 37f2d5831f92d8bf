#!/usr/bin/env python3
"""A minimal NBD server whose block status answers are wrong or odd in
ways that well-behaved servers (qemu-nbd, nbdkit) never show, for
test_nbd_hostile_server:

    nbd_odd_server.py SOCKET MODE SIZE SEG

The export is SIZE bytes of segments of SEG bytes; segment k reads as
zeros (base:allocation: hole,zero) when k % 3 == 2, else as the byte
0x40 + k % 64 (data).  MODE says how block status answers:

    long    correct extents from the request's offset, running on for
            three segments past the end of the request
    empty   an extent of length 0
    none    no extent at all
    twice   the extents, sent twice

Only what libnbd asks for is implemented: fixed newstyle, structured
replies, base:allocation, NBD_OPT_GO, reads and block status.  One client
at a time.
"""
import os
import socket
import struct
import sys

OPT_MAGIC = 0x49484156454F5054
REP_MAGIC = 0x3E889045565A9
REQ_MAGIC = 0x25609513
SREP_MAGIC = 0x668E33EF
OPT_GO, OPT_STRUCTURED_REPLY, OPT_SET_META_CONTEXT = 7, 8, 10
REP_ACK, REP_INFO, REP_META_CONTEXT, REP_ERR_UNSUP = 1, 3, 4, 0x80000001
CMD_READ, CMD_DISC, CMD_BLOCK_STATUS = 0, 2, 7
REPLY_NONE, REPLY_OFFSET_DATA, REPLY_BLOCK_STATUS = 0, 1, 5
BASE_ALLOCATION_ID = 1

sock_path, mode, size, seg = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                              int(sys.argv[4]))


def zero(k):
    return k % 3 == 2


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def opt_reply(conn, opt, rtype, data=b""):
    conn.sendall(struct.pack(">QIII", REP_MAGIC, opt, rtype, len(data)) + data)


def negotiate(conn):
    conn.sendall(b"NBDMAGIC" + struct.pack(">QH", OPT_MAGIC, 3))
    recv_exact(conn, 4)                       # client flags
    while True:
        magic, opt, length = struct.unpack(">QII", recv_exact(conn, 16))
        data = recv_exact(conn, length)
        if opt == OPT_STRUCTURED_REPLY:
            opt_reply(conn, opt, REP_ACK)
        elif opt == OPT_SET_META_CONTEXT:
            name_len = struct.unpack(">I", data[:4])[0]
            pos = 4 + name_len
            count = struct.unpack(">I", data[pos:pos + 4])[0]
            pos += 4
            for _ in range(count):
                qlen = struct.unpack(">I", data[pos:pos + 4])[0]
                query = data[pos + 4:pos + 4 + qlen]
                pos += 4 + qlen
                if query == b"base:allocation":
                    opt_reply(conn, opt, REP_META_CONTEXT,
                              struct.pack(">I", BASE_ALLOCATION_ID) + query)
            opt_reply(conn, opt, REP_ACK)
        elif opt == OPT_GO:
            # NBD_INFO_EXPORT: size, flags HAS_FLAGS | READ_ONLY
            opt_reply(conn, opt, REP_INFO, struct.pack(">HQH", 0, size, 3))
            opt_reply(conn, opt, REP_ACK)
            return
        else:
            opt_reply(conn, opt, REP_ERR_UNSUP)


def chunk(conn, flags, rtype, handle, payload):
    conn.sendall(struct.pack(">IHHQI", SREP_MAGIC, flags, rtype, handle,
                             len(payload)) + payload)


def extents(offset, count):
    """(length, flags) from offset to three segments past the end."""
    out = []
    pos, end = offset, min(size, offset + count + 3 * seg)
    while pos < end:
        k = pos // seg
        n = min((k + 1) * seg, size) - pos
        out.append((n, 3 if zero(k) else 0))
        pos += n
    return out


def block_status(conn, handle, offset, count):
    if mode == "none":
        chunk(conn, 1, REPLY_NONE, handle, b"")
        return
    descs = [(0, 0)] if mode == "empty" else extents(offset, count)
    payload = struct.pack(">I", BASE_ALLOCATION_ID) + b"".join(
        struct.pack(">II", n, f) for n, f in descs)
    if mode == "twice":
        chunk(conn, 0, REPLY_BLOCK_STATUS, handle, payload)
    chunk(conn, 1, REPLY_BLOCK_STATUS, handle, payload)


def read(conn, handle, offset, count):
    data = bytearray()
    pos, end = offset, offset + count
    while pos < end:
        k = pos // seg
        n = min((k + 1) * seg, end) - pos
        data += bytes([0 if zero(k) else 0x40 + k % 64]) * n
        pos += n
    chunk(conn, 1, REPLY_OFFSET_DATA, handle,
          struct.pack(">Q", offset) + bytes(data))


def serve(conn):
    negotiate(conn)
    while True:
        magic, flags, cmd, handle, offset, count = struct.unpack(
            ">IHHQQI", recv_exact(conn, 28))
        if cmd == CMD_DISC:
            return
        if cmd == CMD_READ:
            read(conn, handle, offset, count)
        elif cmd == CMD_BLOCK_STATUS:
            block_status(conn, handle, offset, count)
        else:
            raise ValueError("unexpected command %d" % cmd)


def main():
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    listener.bind(sock_path)
    listener.listen(4)
    while True:
        conn, _ = listener.accept()
        try:
            serve(conn)
        except (EOFError, ConnectionError):
            pass
        conn.close()


main()
