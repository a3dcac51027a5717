"""Checks files written by ExportTests.Export_files_for_numpy with NumPy and an independent CRC32C.

Usage: REVERIE_RL_EXPORT_DIR=/tmp/x dotnet test --filter Export_files_for_numpy
       /usr/bin/python3 tests/Reverie.Rl.Tests/Interop/verify_with_numpy.py /tmp/x
"""
import glob, json, os, struct, sys
import numpy as np

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

root = sys.argv[1]
for sub in ("replay", "replay_stored"):
    index = json.load(open(os.path.join(root, sub, "index.json")))
    total = 0
    for c in index["chunks"]:
        z = np.load(os.path.join(root, sub, c["file"]))
        n = c["count"]
        assert z["state"].dtype == np.float32 and z["state"].shape == (n, 2), z["state"].shape
        assert z["image"].dtype == np.uint8 and z["image"].shape == (n, 2, 2, 1)
        assert z["reward"].shape == (n,) and z["is_first"].dtype == np.bool_
        pos = z["state"][:, 1].astype(int)
        assert (pos == np.arange(c["start"], c["start"] + n)).all()
        assert (z["reward"] == pos * 0.5).all() and (z["is_first"] == (pos % 3 == 0)).all()
        assert (z["image"][:, 0, 0, 0] == pos % 256).all()
        total += n
    assert total == 10, total
    print(sub, "ok:", len(index["chunks"]), "chunks,", total, "steps")

(path,) = glob.glob(os.path.join(root, "events.out.tfevents.*"))
data = open(path, "rb").read()
pos, records = 0, []
while pos < len(data):
    header = data[pos:pos + 8]
    (length,) = struct.unpack("<Q", header)
    assert struct.unpack("<I", data[pos + 8:pos + 12])[0] == masked(header)
    body = data[pos + 12:pos + 12 + length]
    assert struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])[0] == masked(body)
    records.append(body)
    pos += 16 + length
assert b"brain.Event:2" in records[0]
print("events ok:", len(records), "records, CRCs verified")
