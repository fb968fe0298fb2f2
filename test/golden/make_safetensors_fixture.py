#!/usr/bin/env python3
"""Write a safetensors fixture for rnam's reader, independently of the TypeScript code.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_safetensors_fixture.py

Writes test/fixtures/safetensors/torch_written.safetensors and expected.json.

Debian has no python3-safetensors package (apt-cache policy python3-safetensors
finds nothing), so this script does not use the safetensors library: it encodes
the format by hand with struct/json, following the published format description
(8-byte little-endian u64 header length, UTF-8 JSON header padded with spaces,
then the data region, covered exactly). The tensor *values and their bytes*
come from torch (Debian's python3-torch): torch does the rounding to F16 and
BF16 and provides the raw little-endian bytes of every dtype, and the expected
float32 results are torch's own conversions to float32. Tensors are laid out
the way the reference implementation does it (larger dtypes first, then by
name), so the header order differs from the data order.

expected.json holds, for each tensor, its dtype, shape and the expected float32
values as uint32 bit patterns (exact, and able to carry -0, inf and NaN), plus
the metadata.
"""

import json
import os
import struct
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "safetensors")

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
# Integer views with the same element size, to take raw bytes of any float dtype.
BITS = {"F64": torch.int64, "F32": torch.int32, "F16": torch.int16, "BF16": torch.int16}
FORMAT = {"F64": "q", "F32": "i", "F16": "h", "BF16": "h"}

nan, inf = float("nan"), float("inf")

TENSORS = {
    "f32.matrix": ("F32", [2, 3], [0.0, -1.5, 3.25, 1e-3, -2.5e8, 7.0]),
    "f32.scalar": ("F32", [], [42.0]),
    "f32.empty": ("F32", [0, 3], []),
    "f32.special": ("F32", [5], [-0.0, inf, -inf, 1e-45, 3.4028234663852886e38]),
    # Rounded to float32 on read: 1e300 overflows to inf, 1e-40 becomes a float32 subnormal.
    "f64.vector": ("F64", [5], [1 / 3, -1e-40, 1e300, 0.1, -123456789.123456789]),
    # Subnormal 2^-24, the largest half 65504, -inf, NaN, -0, a value that rounds (0.333).
    "f16.cube": ("F16", [2, 2, 2], [2.0 ** -24, 65504.0, -inf, nan, -0.0, 0.333, 1.0, -2.0]),
    "bf16.row": ("BF16", [1, 4], [1 / 3, -1e30, 3.0, 2.0 ** -130]),
}

METADATA = {"format": "pt", "producer": "test/golden/make_safetensors_fixture.py", "unicode": "ünïcødé ✓"}


def raw_bytes(t, dtype):
    ints = t.reshape(-1).view(BITS[dtype]).tolist()
    return struct.pack("<%d%s" % (len(ints), FORMAT[dtype]), *ints)


def main():
    size = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}
    made = {}
    for name, (dtype, shape, values) in TENSORS.items():
        t = torch.tensor(values, dtype=torch.float64).to(DTYPES[dtype]).reshape(shape)
        made[name] = (dtype, shape, t)

    # Data order: by element size (descending), then name, like the reference writer.
    order = sorted(made, key=lambda n: (-size[made[n][0]], n))
    data = b""
    header = {"__metadata__": METADATA}
    for name in order:
        dtype, shape, t = made[name]
        chunk = raw_bytes(t, dtype)
        assert len(chunk) == t.numel() * size[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(chunk)]}
        data += chunk

    # Header keys in name order, unlike the data: the reader must follow the offsets.
    header = {k: header[k] for k in sorted(header)}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    blob = struct.pack("<Q", len(text)) + text + data

    expected = {"metadata": METADATA, "tensors": {}}
    for name, (dtype, shape, t) in made.items():
        as_f32 = t.to(torch.float32).reshape(-1)
        bits = [b & 0xFFFFFFFF for b in as_f32.view(torch.int32).tolist()]
        expected["tensors"][name] = {"dtype": dtype, "shape": shape, "float32_bits": bits}

    # Sanity checks on the encoding itself.
    n = struct.unpack("<Q", blob[:8])[0]
    assert n % 8 == 0 and json.loads(blob[8:8 + n].decode("utf-8")) == header
    assert sum(e["data_offsets"][1] - e["data_offsets"][0] for k, e in header.items() if k != "__metadata__") == len(data)

    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "torch_written.safetensors"), "wb") as f:
        f.write(blob)
    with open(os.path.join(OUT_DIR, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d bytes, %d tensors to %s" % (len(blob), len(made), OUT_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main())
