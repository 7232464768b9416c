#!/usr/bin/python3
"""An independent safetensors writer (struct + json only), laid out the way Python's
`safetensors` writes files but without its header padding, and with the JSON keys in an
order that differs from the data order. Writes a tiny dense Emovox model whose forward pass
tests/model/test_model_python.c computes by hand.

usage: write_safetensors.py OUTPUT
"""
import json
import struct
import sys


def f16(v):
    return struct.pack("<e", v)


def bf16(v):
    return struct.pack("<f", v)[2:4]  # the upper half of the F32 (values chosen exactly)


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    # name -> (dtype, shape, bytes); the data section is laid out in this order
    tensors = [
        ("layers.0.bias", "BF16", [3], b"".join(bf16(v) for v in (0.5, -0.25, 0.125))),
        ("norm.mean", "F64", [2], struct.pack("<2d", 0.1, 0.05)),
        ("layers.0.weight", "F32", [3, 2], struct.pack("<6f", 1.5, -2.0, 0.5, 0.25, -1.0, 3.0)),
        ("norm.std", "F16", [2], f16(0.25) + f16(0.125)),
    ]
    header = {}
    offsets = {}
    pos = 0
    for name, dtype, shape, data in tensors:
        offsets[name] = {"dtype": dtype, "shape": shape, "data_offsets": [pos, pos + len(data)]}
        pos += len(data)
    # keys deliberately not in data order, metadata last
    for name in ("norm.std", "layers.0.weight", "norm.mean", "layers.0.bias"):
        header[name] = offsets[name]
    header["__metadata__"] = {
        "format": "emovox-model",
        "format_version": "1",
        "name": "python-dense",
        "architecture": json.dumps([{"type": "dense", "activation": "linear"},
                                    {"type": "softmax"}]),
        "features": json.dumps({"sample_rate": 16000, "n_fft": 512, "win_length": 400,
                                "hop_length": 160, "n_mels": 64, "fmin": 0, "fmax": 8000,
                                "n_mfcc": 40, "inputs": ["zcr", "rms"], "frame_stride": 1}),
        "labels": json.dumps(["neutral", "fear", "boredom"]),
        "normalization": json.dumps({"mode": "global", "tau_s": 5.0, "prior_frames": 50}),
        "provenance": json.dumps({"command": "write_safetensors.py"}),
    }
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, data in tensors:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
