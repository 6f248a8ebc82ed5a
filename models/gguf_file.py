"""GGUF model files checked before llama.cpp sees them, and the errors every backend raises.

A wrong or incomplete file the user picked gets a message that says what is wrong and what to do,
instead of llama.cpp's bare "failed to load". The header is parsed here without loading tensors.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class BackendUnavailable(RuntimeError):
    """A chat backend cannot be used now; str(exc) is one line that says what to do."""


class BadModelFile(BackendUnavailable):
    """A user-chosen model file is missing, not GGUF, incomplete or not loadable."""


_GGUF_SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


@dataclass(frozen=True)
class GgufInfo:
    version: int
    architecture: str
    n_tensors: int
    expected_bytes: int  # where the last tensor's data ends


def read_gguf_header(path: Path) -> GgufInfo:
    """Parse a GGUF header without loading tensors (0.1–0.3 s for the shipped model; llama.cpp is not needed).

    Raises BadModelFile: missing, not GGUF, unsupported version, header cut short.
    """
    from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

    if not path.is_file():
        raise BadModelFile(f"model file not found: {path}; choose an existing .gguf file or the embedded model")
    with path.open("rb") as f:
        head = f.read(4)
        if head != b"GGUF":
            raise BadModelFile(f"{path} is not a GGUF model file (it starts with {head!r}); choose a .gguf file "
                               f"(llama.cpp's format) or the embedded model")
        size = path.stat().st_size
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            try:
                return _parse_header(m, size, GGML_QUANT_SIZES, GGMLQuantizationType)
            except (struct.error, IndexError, ValueError, KeyError) as exc:
                raise BadModelFile(f"{path} is damaged or incomplete (its header cannot be read: {exc}); "
                                   f"download it again or choose another file") from exc


def _parse_header(m: mmap.mmap, size: int, quant_sizes: Any, quant_type: Any) -> GgufInfo:
    pos = 4

    def take(fmt: str) -> Any:
        nonlocal pos
        value = struct.unpack_from("<" + fmt, m, pos)[0]
        pos += struct.calcsize("<" + fmt)
        return value

    def string() -> bytes:
        nonlocal pos
        n = take("Q")
        if pos + n > size:
            raise ValueError("string runs past the end of the file")
        s = m[pos:pos + n]
        pos += n
        return s

    def skip(vtype: int) -> Any:
        nonlocal pos
        if vtype == 8:
            return string()
        if vtype == 9:
            etype, count = take("I"), take("Q")
            if etype in _GGUF_SCALAR:
                pos += struct.calcsize("<" + _GGUF_SCALAR[etype]) * count
            else:
                for _ in range(count):
                    skip(etype)
            return None
        return take(_GGUF_SCALAR[vtype])

    version = take("I")
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} is not supported (2 or 3 are)")
    n_tensors, n_kv = take("Q"), take("Q")
    arch, alignment = "", 32
    for _ in range(n_kv):
        key = string()
        value = skip(take("I"))
        if key == b"general.architecture" and isinstance(value, bytes):
            arch = value.decode("utf-8", "replace")
        elif key == b"general.alignment" and isinstance(value, int):
            alignment = value
    end = 0
    for _ in range(n_tensors):
        string()
        dims = [take("Q") for _ in range(take("I"))]
        ttype, offset = take("I"), take("Q")
        block, type_bytes = quant_sizes[quant_type(ttype)]
        n = 1
        for d in dims:
            n *= d
        end = max(end, offset + n // block * type_bytes)
    data_start = (pos + alignment - 1) // alignment * alignment
    return GgufInfo(version, arch, n_tensors, data_start + end)


def check_gguf(path: Path) -> GgufInfo:
    """A GGUF file that is complete; else BadModelFile saying what is wrong and what to do."""
    info = read_gguf_header(path)
    size = path.stat().st_size
    if size < info.expected_bytes:
        raise BadModelFile(f"{path} is incomplete ({size:,} of {info.expected_bytes:,} bytes; an interrupted "
                           f"download?); download it again or choose another file")
    return info


def gguf_architecture(path: Path) -> str:
    try:
        return read_gguf_header(path).architecture or "unknown"
    except BadModelFile:
        return "unknown"
