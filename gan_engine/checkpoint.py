"""Checkpoint files: written atomically, read without unpickling code, RNG states included.

A checkpoint is a dict of tensors and plain values, so `torch.load(weights_only=True)` reads it
and a file from elsewhere cannot run code. It is written to a temporary file in the same folder
and moved into place with os.replace, so a worker killed mid-write leaves the previous
checkpoint intact, never half a file.
"""

import os
import random
from pathlib import Path

import numpy as np
import torch

CHECKPOINT_FORMAT = "gan_engine.checkpoint/1"
EXPORT_FORMAT = "gan_engine.generator/1"


def save_atomic(payload: dict, path: Path) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(path: Path, expected_format: str | None = None) -> dict:
    """Read a checkpoint or export onto the CPU; check its format tag when one is expected."""
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    found = payload.get("format") if isinstance(payload, dict) else None
    if found not in (CHECKPOINT_FORMAT, EXPORT_FORMAT):
        raise ValueError(f"{path} is not a gan_engine checkpoint or export")
    if expected_format is not None and found != expected_format:
        raise ValueError(f"{path} is a {found} file, expected {expected_format}")
    return payload


def global_rng_state() -> dict:
    """torch's, numpy's and Python's global generators. The loop draws from generators it owns,
    but a callback or an evaluator may draw from these; saving them keeps resumes exact."""
    numpy_state = np.random.get_state(legacy=False)
    state = {
        "torch": torch.get_rng_state(),
        "python": random.getstate(),
        "numpy": {
            "key": torch.from_numpy(numpy_state["state"]["key"].astype(np.int64)),
            "pos": int(numpy_state["state"]["pos"]),
            "has_gauss": int(numpy_state["has_gauss"]),
            "gauss": float(numpy_state["gauss"]),
        },
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_global_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    numpy_state = state["numpy"]
    np.random.set_state(
        {
            "bit_generator": "MT19937",
            "state": {
                "key": numpy_state["key"].numpy().astype(np.uint32),
                "pos": numpy_state["pos"],
            },
            "has_gauss": numpy_state["has_gauss"],
            "gauss": numpy_state["gauss"],
        }
    )
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
