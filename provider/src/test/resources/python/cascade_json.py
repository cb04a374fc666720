#!/usr/bin/env python3
"""Reads and writes the entries of a Cascade cache that uses the json codec, with redis-py.

    python3 cascade_json.py HOST PORT CACHE get KEY          prints the value (JSON) or "null"
    python3 cascade_json.py HOST PORT CACHE put KEY 'JSON'   stores the value
    python3 cascade_json.py HOST PORT CACHE keys FROM TO     the entry keys of integer keys FROM..TO-1

An entry is a Redis hash at  cascade:<cache>:{<tag>}:<key>  whose field "v" holds the value;
String, Long and Integer keys are their text. <tag> is the cache's partition of the key (see
entry_key below and docs/codecs.md). Needs Debian's python3-redis (or `pip install redis`).
"""
import binascii
import json
import sys
import zlib

import redis

SLOTS = 16384
SPREAD_RANGES = 256


def escape(name):
    """The cache name as it appears in keys: bytes outside [A-Za-z0-9._$-] as %XX."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-$"
    return "".join(chr(b) if b in safe else "%%%02X" % b for b in name.encode("utf-8"))


def slot(text):
    """The Redis Cluster slot of a string: CRC-16/XMODEM mod 16384 (binascii.crc_hqx)."""
    return binascii.crc_hqx(text.encode("utf-8"), 0) % SLOTS


def hash_tag(escaped, p, partitions):
    """Partition p's hash tag: <cache>#<p>, or <cache>#<p>.<n> with the smallest n whose slot
    lies in the middle half of partition p's share of the slots (Cascade's KeyLayout.hashTag)."""
    base = "%s#%d" % (escaped, p)
    if partitions == 1:
        return base
    ranges = min(partitions, SPREAD_RANGES)
    r = p % ranges
    start = r * SLOTS // ranges
    width = (r + 1) * SLOTS // ranges - start
    lo = start + width // 4
    hi = max(lo + 1, start + width - width // 4)
    if lo <= slot(base) < hi:
        return base
    n = 1
    while not lo <= slot("%s.%d" % (base, n)) < hi:
        n += 1
    return "%s.%d" % (base, n)


def entry_key(client, cache, key):
    """The Redis key of a cache entry; key is a str or an int (a String, Long or Integer key)."""
    escaped = escape(cache)
    meta = client.hgetall("cascade:%s:meta" % escaped)
    if not meta or b"destroyed" in meta:  # none, or the mark a destroyed cache leaves for a while
        raise SystemExit("no cache %r in this Redis" % cache)
    codec = meta.get(b"codec", b"java").decode()
    if codec != "json":
        raise SystemExit("cache %r uses codec %r, not json" % (cache, codec))
    partitions = int(meta[b"partitions"])
    encoded = str(key).encode("utf-8")
    p = 0 if partitions == 1 else zlib.crc32(encoded) % partitions
    return b"cascade:%s:{%s}:" % (escaped.encode(), hash_tag(escaped, p, partitions).encode()) + encoded


def main(argv):
    host, port, cache, command, key = argv[1], int(argv[2]), argv[3], argv[4], argv[5]
    client = redis.Redis(host=host, port=port)
    if key.lstrip("-").isdigit():
        key = int(key)
    if command == "keys":
        for k in range(key, int(argv[6])):
            print(entry_key(client, cache, k).decode())
        return
    name = entry_key(client, cache, key)
    if command == "get":
        raw = client.hget(name, "v")
        print(json.dumps(json.loads(raw), sort_keys=True) if raw is not None else "null")
    elif command == "put":
        value = json.loads(argv[6])
        client.hset(name, "v", json.dumps(value))
        print("stored %s at %s" % (json.dumps(value, sort_keys=True), name.decode()))
    else:
        raise SystemExit("unknown command %r: get, put or keys" % command)


if __name__ == "__main__":
    main(sys.argv)
