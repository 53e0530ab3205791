"""Whether a device does bf16 arithmetic, so that "bf16" in a configuration means "where it helps".

A configuration asks for bf16 (`default` and `small` do); whether it is used depends on the
device. On CUDA, the device says. On a CPU, bf16 is fast only with bf16 instructions
(AVX512-BF16 or AMX), which oneDNN reports: without them autocast's and bf16 inference's
convolutions fall back to slow kernels. Measured on a 2-core AMD EPYC without them
(docs/benchmarks.md): a `small` training step took 25 s of CPU in bf16 against 2.3 s in fp32,
and the `paper` step 196 s against 8.5 s; an Intel Xeon with them ran bf16 1.5x faster.
"""

import torch


def bf16_supported(device: torch.device | str) -> bool:
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and torch.ops.mkldnn._is_mkldnn_bf16_supported()
