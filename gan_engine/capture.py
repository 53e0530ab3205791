"""A training iteration captured once as a CUDA graph and replayed.

An eager iteration of the 64x64 networks launches about 4,000 small kernels (spectral norm
alone recomputes ~100 weights a step), so a GPU spends its time waiting for the Python side:
an H200 ran 12 iterations/s, about 5% of its arithmetic. A CUDA graph records those launches
once and replays them with one call.

What a capture needs, and where the loop provides it:
- no random draws inside: `train.draw_step` makes them beforehand, from the loop's own
  streams in their usual order, and they are copied into the graph's static inputs;
- no reads of device values inside (losses are read by the loop every few iterations);
- state updated in place at fixed addresses: capturable fused Adam, EMA by foreach ops with
  its weight on the device, LeCam's anchors, spectral norm's vectors, BatchNorm statistics;
- a few eager iterations first, on a side stream, so optimiser state and library handles
  exist before recording (they are real iterations of the run, not thrown away).

Replaying the kernels an eager iteration launches computes what the eager iteration computes;
a restored checkpoint is copied into the same tensors, and a new `CapturedStep` is made for
every call of `train`, so a resumed run records its own graph.
"""

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

WARMUP_ITERATIONS = 3  # eager iterations before recording (PyTorch's guidance for graphs)


class CapturedStep:
    """Calls `step(inputs)` eagerly WARMUP_ITERATIONS times, then records it as a graph and
    from then on copies each call's inputs into the graph's own and replays it.

    `step` must be a fixed function of its input tensors and the training state (see the
    module docstring); its outputs are the graph's, overwritten by the next replay.
    """

    def __init__(self, step: Callable[[Any], Any], warmup: int = WARMUP_ITERATIONS):
        self.step = step
        self.warmup = warmup
        self.graph: torch.cuda.CUDAGraph | None = None
        self.static_inputs: list[Tensor] = []
        self.outputs: Any = None

    def __call__(self, inputs: Any) -> Any:
        if self.graph is None and self.warmup > 0:
            self.warmup -= 1
            return self._on_side_stream(inputs)
        if self.graph is None:
            self._record(inputs)
        for static, value in zip(self.static_inputs, tensors_of(inputs), strict=True):
            static.copy_(value, non_blocking=True)
        self.graph.replay()
        return self.outputs

    def _on_side_stream(self, inputs: Any) -> Any:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            outputs = self.step(inputs)
        torch.cuda.current_stream().wait_stream(side)
        return outputs

    def _record(self, inputs: Any) -> None:
        static = clone_tensors(inputs)
        self.static_inputs = tensors_of(static)
        self.graph = torch.cuda.CUDAGraph()
        # thread_local: the portal's worker has other threads (a lease heartbeat) that must
        # not be stopped by, nor break, a capture in progress.
        with torch.cuda.graph(self.graph, capture_error_mode="thread_local"):
            self.outputs = self.step(static)


def tensors_of(value: Any) -> list[Tensor]:
    """The tensors in nested tuples (NamedTuples included), depth first, Nones skipped."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, tuple):
        return [tensor for item in value for tensor in tensors_of(item)]
    if value is None:
        return []
    raise TypeError(f"a step's inputs are tensors in tuples, not {type(value).__name__}")


def clone_tensors(value: Any) -> Any:
    """The same nesting with every tensor copied into new memory."""
    if isinstance(value, Tensor):
        return value.clone()
    if isinstance(value, tuple):
        items = [clone_tensors(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value
