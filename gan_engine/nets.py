"""SAGAN-style class-conditional generator and discriminator (BigGAN-PyTorch / StudioGAN shape).

Small blocks composed by short networks. The channel plan follows the resolution, so width
(`ch`) and resolution decide the depth:

- G: linear z -> 4x4x(16ch); up-sampling GenBlocks, each halving the channels, ending at ch
  channels at full size (64x64: 16ch->8ch->4ch->2ch->ch; 128x128 starts 16ch->16ch, as in
  BigGAN); self-attention after the block whose output has `attention_resolution` pixels a
  side; BN-ReLU-conv3x3-tanh (or no tanh). Up-sampling is nearest-neighbour (SAGAN's) or
  bilinear, chosen apart for the blocks' 1x1 shortcuts.
- D: optimized first block 3->ch (down-sampling), then DiscBlocks doubling the channels while
  down-sampling to 4x4, capped at 16ch, and one last block at 4x4 without down-sampling
  (64x64: ch->2ch->4ch->8ch->16ch); self-attention after the block with `attention_resolution`
  pixels a side; ReLU, global sum pool, linear + projection of the class embedding.
  Down-sampling is 2x2 average pooling (SAGAN's) or the [1, 3, 3, 1] blur StyleGAN2's D uses.

Spectral norm wraps every convolution and linear layer of both networks and D's class
embedding; the conditional BatchNorm embeddings of G are left plain (SNGAN's choice: they are
per-class gains, not maps whose Lipschitz constant matters). All weights start orthogonal.
"""

import math
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from gan_engine.config import TrainConfig

MAX_MULTIPLIER = 16  # channels never exceed 16 * width (BigGAN's plan)
BN_EPS = 1e-4


def _sn(module: nn.Module) -> nn.Module:
    """Orthogonal init, then spectral norm: the init must reach the weight SN normalises."""
    nn.init.orthogonal_(module.weight)
    if getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)
    return spectral_norm(module, eps=1e-6)


class Conv2d(nn.Conv2d):
    """nn.Conv2d whose reflect and replicate padding are built from slices (`pad_edges`).

    torch pads with dedicated kernels whose backward pass on a GPU adds with atomics, in an
    order that changes from run to run; slices and concatenation have an ordinary, repeatable
    backward. Same parameters and state_dict keys as nn.Conv2d, so saved networks load.
    """

    def _conv_forward(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        if self.padding_mode == "zeros":
            return super()._conv_forward(x, weight, bias)
        padded = pad_edges(x, self.padding[0], self.padding_mode)
        return F.conv2d(padded, weight, bias, self.stride, 0, self.dilation, self.groups)


def pad_edges(x: Tensor, width: int, mode: str) -> Tensor:
    """Pad the height and width of an N x C x H x W image by `width` pixels, mirrored
    ("reflect", the edge pixel not repeated) or repeated ("replicate"), from slices: see
    `Conv2d` for why. A channels_last image is padded as its N x H x W x C view, so the result
    stays channels_last (a GPU would otherwise convert it back before the convolution: one
    more copy of the padded image)."""
    return on_spatial_dims(x, lambda t, dims: _pad_dims(t, width, mode, dims))


def on_spatial_dims(x: Tensor, fn) -> Tensor:
    """fn(t, (height dim, width dim)) applied to x, on its N x H x W x C view where x is
    channels_last, so the result keeps x's memory format."""
    if is_channels_last(x):
        return fn(x.permute(0, 2, 3, 1), (1, 2)).permute(0, 3, 1, 2)
    return fn(x, (2, 3))


def _pad_dims(x: Tensor, width: int, mode: str, dims: tuple[int, int]) -> Tensor:
    for dim in dims:
        size = x.shape[dim]
        if mode == "reflect":
            before = x.narrow(dim, 1, width).flip(dim)
            after = x.narrow(dim, size - 1 - width, width).flip(dim)
        elif mode == "replicate":
            before = x.narrow(dim, 0, 1).expand_as(x.narrow(dim, 0, width))
            after = x.narrow(dim, size - 1, 1).expand_as(before)
        else:
            raise ValueError(f"padding {mode!r} is not reflect or replicate")
        x = torch.cat([before, x, after], dim)
    return x


def sn_conv(c_in: int, c_out: int, kernel: int, padding_mode: str = "zeros") -> nn.Module:
    return _sn(Conv2d(c_in, c_out, kernel, padding=kernel // 2, padding_mode=padding_mode))


def sn_linear(c_in: int, c_out: int, bias: bool = True) -> nn.Module:
    return _sn(nn.Linear(c_in, c_out, bias=bias))


def is_channels_last(x: Tensor) -> bool:
    """Whether x is stored N x H x W x C (and is not also plainly contiguous, as a 1-channel
    or 1x1 image is both)."""
    return (
        x.dim() == 4
        and x.is_contiguous(memory_format=torch.channels_last)
        and (not x.is_contiguous())
    )


def upsample2x(x: Tensor) -> Tensor:
    """Nearest-neighbour 2x up-sampling by broadcasting: same result as F.interpolate, ~6x
    faster on a CPU, and a plain sum in the backward pass. The result keeps x's memory format:
    a channels_last image is up-sampled as its N x H x W x C view (mixing layouts in the sums
    that follow sends a GPU to its slow strided kernels)."""
    n, c, h, w = x.shape
    if is_channels_last(x):
        nhwc = x.permute(0, 2, 3, 1)[:, :, None, :, None, :]
        return nhwc.expand(n, h, 2, w, 2, c).reshape(n, 2 * h, 2 * w, c).permute(0, 3, 1, 2)
    return x[:, :, :, None, :, None].expand(n, c, h, 2, w, 2).reshape(n, c, 2 * h, 2 * w)


def bilinear_upsample2x(x: Tensor) -> Tensor:
    """Bilinear 2x up-sampling, the same function as F.interpolate(mode="bilinear",
    align_corners=False) (edges clamped), from slices and weighted sums.

    Each output pixel mixes its two nearest input pixels with weights 3/4 and 1/4 along each
    axis, i.e. the [1, 3, 3, 1] / 4 filter StyleGAN2 up-samples with: unlike nearest
    up-sampling it leaves no step at the edge of every 2 x 2 block for the convolutions to
    smooth away. Built from slices, like `pad_edges`, so the backward pass adds in a fixed
    order on a GPU too (interpolate's bilinear backward uses atomics there); a channels_last
    image stays channels_last.
    """
    return on_spatial_dims(x, _bilinear_dims)


def _bilinear_dims(x: Tensor, dims: tuple[int, int]) -> Tensor:
    for dim in dims:
        size = x.shape[dim]
        before = torch.cat([x.narrow(dim, 0, 1), x.narrow(dim, 0, size - 1)], dim)
        after = torch.cat([x.narrow(dim, 1, size - 1), x.narrow(dim, size - 1, 1)], dim)
        even = torch.lerp(x, before, 0.25)
        odd = torch.lerp(x, after, 0.25)
        x = torch.stack([even, odd], dim + 1).flatten(dim, dim + 1)
    return x


UPSAMPLERS = {"nearest": upsample2x, "bilinear": bilinear_upsample2x}

# Where conv(upsample2x(x)) is computed by its phase decomposition; elsewhere (GPUs) one
# convolution of the up-sampled input is as fast and launches 1 kernel instead of ~10.
PHASE_DECOMPOSED_DEVICES = ("cpu",)


def upsampled_conv3x3(x: Tensor, conv: nn.Conv2d, upsampling: str = "nearest") -> Tensor:
    """conv(up-sampled x) for a 3x3 convolution with padding 1, the fastest way the device
    has: nearest up-sampling on a CPU by `phase_decomposed_conv3x3` (PHASE_DECOMPOSED_DEVICES),
    anything else by up-sampling first (UPSAMPLERS)."""
    if upsampling == "nearest" and x.device.type in PHASE_DECOMPOSED_DEVICES:
        return phase_decomposed_conv3x3(x, conv)
    return conv(UPSAMPLERS[upsampling](x))


def phase_decomposed_conv3x3(x: Tensor, conv: nn.Conv2d) -> Tensor:
    """conv(upsample2x(x)) for a 3x3 convolution with padding 1, computed on x itself.

    After nearest up-sampling each output pixel's 3x3 window covers only 2x2 distinct input
    pixels, so each of the four output phases (even/odd row, even/odd column) is a 2x2
    convolution of x whose taps are sums of the 3x3 taps: 2.25x fewer multiply-adds and no
    up-sampled copy (measured 1.4-2x faster per layer on a 2-core CPU). Same function, same
    weights; only the rounding differs. Reflect padding of the up-sampled image is replicate
    padding of x (and zeros stay zeros).
    """
    if conv.padding_mode not in ("zeros", "reflect"):
        raise ValueError(f"padding {conv.padding_mode!r} has no phase decomposition here")
    n, _, h, w = x.shape
    if conv.padding_mode == "reflect":
        padded = pad_edges(x, 1, "replicate")
    else:
        padded = F.pad(x, (1, 1, 1, 1))
    weight = conv.weight.float()
    phases = [
        F.conv2d(padded[:, :, a : a + h + 1, b : b + w + 1], kernel.to(x.dtype), conv.bias)
        for a, rows in enumerate(_phase_taps(weight, dim=2))
        for b, kernel in enumerate(_phase_taps(rows, dim=3))
    ]
    out = torch.stack(phases, dim=-1).unflatten(-1, (2, 2))  # n, c, h, w, row phase, col phase
    return out.permute(0, 1, 2, 4, 3, 5).reshape(n, -1, 2 * h, 2 * w)


def _phase_taps(weight: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    """The 2-tap kernels a 3-tap kernel (w0, w1, w2) along `dim` becomes on an up-sampled
    input: even outputs see (x[i-1], x[i]) with taps (w0, w1 + w2), odd outputs (x[i], x[i+1])
    with taps (w0 + w1, w2)."""
    w0, w1, w2 = weight.unbind(dim)
    return torch.stack([w0, w1 + w2], dim), torch.stack([w0 + w1, w2], dim)


def pooled_conv(x: Tensor, conv: nn.Conv2d) -> Tensor:
    """avg_pool2d(conv(x), 2) as one convolution with stride 2, for a zero-padded k x k conv
    with padding k // 2 (k odd).

    Averaging 2 x 2 outputs of a k x k kernel is a (k + 1) x (k + 1) kernel (the sum of the
    kernel shifted by each of the four offsets, over 4) applied at every other pixel: the same
    function, with 2.25x fewer multiply-adds for a 3 x 3 kernel (1x for 1 x 1) and no pooling
    pass. The pooling layer's backward pass was D's costliest kernel on a GPU (7.5% of an
    iteration on an H200, more than all convolutions' forward passes).
    """
    if conv.padding_mode != "zeros" or conv.stride != (1, 1):
        raise ValueError("pooled_conv takes a zero-padded convolution with stride 1")
    weight = conv.weight
    shifted = [F.pad(weight, (b, 1 - b, a, 1 - a)) for a in (0, 1) for b in (0, 1)]
    fused = torch.stack(shifted).sum(0) / 4
    return F.conv2d(x, fused, conv.bias, stride=2, padding=conv.padding)


def blur_downsample2x(x: Tensor) -> Tensor:
    """Halve the image with the [1, 3, 3, 1] / 8 low-pass filter along each axis (StyleGAN2's
    down-sampling filter), edges replicated.

    2x2 average pooling is a box filter: the half of the spectrum above the new Nyquist
    frequency folds back onto the low frequencies instead of being removed, so D's blocks see
    a pattern at G's up-sampling period (a block grid) mixed into whatever else is there. A
    D whose down-sampling weakens its signal at those frequencies is a candidate for the grid
    G draws (Schwarz et al., NeurIPS 2021: docs/quality.md). Built from slices like
    `bilinear_upsample2x`: 1.5x faster than a depthwise convolution on a CPU, and a
    channels_last image stays channels_last.
    """
    return on_spatial_dims(x, _blur_halve_dims)


def _blur_halve_dims(x: Tensor, dims: tuple[int, int]) -> Tensor:
    """Output i = (x[2i-1] + 3 x[2i] + 3 x[2i+1] + x[2i+2]) / 8 along each dim in turn."""
    for dim in dims:
        half = x.shape[dim] // 2
        pairs = x.unflatten(dim, (half, 2))
        even, odd = pairs.select(dim + 1, 0), pairs.select(dim + 1, 1)
        before = torch.cat([even.narrow(dim, 0, 1), odd.narrow(dim, 0, half - 1)], dim)
        after = torch.cat([even.narrow(dim, 1, half - 1), odd.narrow(dim, half - 1, 1)], dim)
        x = (3 * (even + odd) + before + after) / 8
    return x


def downsampled_conv(x: Tensor, conv: nn.Conv2d, downsampling: str) -> Tensor:
    """The down-sampled output of a zero-padded convolution of x: average-pooled by
    `pooled_conv` ("box"), or blurred and halved ("blur"), before the convolution where it is
    1x1 (the two commute, and the convolution then runs on a quarter of the pixels), after it
    otherwise."""
    if downsampling == "box":
        return pooled_conv(x, conv)
    if conv.kernel_size == (1, 1):
        return conv(blur_downsample2x(x))
    return blur_downsample2x(conv(x))


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm whose gain and bias are looked up per class (gain starts at 1, bias at 0)."""

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPS, affine=False)
        self.gain = nn.Embedding(num_classes, channels)
        self.bias = nn.Embedding(num_classes, channels)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        gain, bias = self.gain(y)[:, :, None, None], self.bias(y)[:, :, None, None]
        if self.bn.training:
            # In the normalised image's precision: fp32 class gains would promote a bf16
            # image to fp32 here, and the next convolution would cast it back.
            normalised = self.bn(x)
            return torch.addcmul(bias.to(normalised.dtype), normalised, gain.to(normalised.dtype))
        # With stored statistics, normalisation and class affine fold into one multiply-add.
        scale = gain * torch.rsqrt(self.bn.running_var + self.bn.eps)[:, None, None]
        return torch.addcmul(bias - self.bn.running_mean[:, None, None] * scale, x, scale)


class SelfAttention(nn.Module):
    """BigGAN's self-attention: query/key with C/8 channels, value with C/2, keys and values
    max-pooled 2x2; the output is added with a learned gain that starts at 0, so a new network
    begins as a plain ResNet and learns how much attention to use."""

    def __init__(self, channels: int):
        super().__init__()
        self.qk_channels = max(1, channels // 8)
        self.v_channels = max(1, channels // 2)
        self.query = sn_conv(channels, self.qk_channels, 1)
        self.key = sn_conv(channels, self.qk_channels, 1)
        self.value = sn_conv(channels, self.v_channels, 1)
        self.out = sn_conv(self.v_channels, channels, 1)
        self.gain = nn.Parameter(torch.zeros(()))

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        query = self.query(x).flatten(2)
        key = F.max_pool2d(self.key(x), 2).flatten(2)
        value = F.max_pool2d(self.value(x), 2).flatten(2)
        logits = query.transpose(1, 2) @ key
        # dtype given: under bf16 autocast the softmax (which accumulates in fp32 anyway)
        # would otherwise write an fp32 copy of the N x HW x HW/4 map, forward and backward.
        attention = torch.softmax(logits, dim=-1, dtype=logits.dtype)
        attended = (value @ attention.transpose(1, 2)).view(n, self.v_channels, h, w)
        return x + self.gain * self.out(attended)


class GenBlock(nn.Module):
    """cBN-ReLU-up-conv3x3-cBN-ReLU-conv3x3, plus a 1x1-conv shortcut, up-sampled.

    Both up-samplings are computed the cheap way round: conv1 by `upsampled_conv3x3`, and the
    shortcut convolves before up-sampling (a 1x1 convolution commutes with any up-sampling
    that treats channels alike, nearest or bilinear), at a quarter of StudioGAN's
    up-then-conv cost.

    The shortcut may up-sample differently from the main branch (`shortcut_upsampling`, "same"
    or a mode of UPSAMPLING_MODES): with nearest, no convolution follows it, so it adds a pure
    2 x 2 block image at every scale, and an untrained generator's block grid is nearly all of
    it (docs/quality.md).
    """

    def __init__(
        self,
        c_in: int,
        c_out: int,
        num_classes: int,
        padding_mode: str,
        upsampling: str,
        shortcut_upsampling: str = "same",
    ):
        super().__init__()
        self.upsampling = upsampling
        self.shortcut_upsampling = (
            upsampling if shortcut_upsampling == "same" else shortcut_upsampling
        )
        self.bn1 = ConditionalBatchNorm2d(c_in, num_classes)
        self.conv1 = sn_conv(c_in, c_out, 3, padding_mode)
        self.bn2 = ConditionalBatchNorm2d(c_out, num_classes)
        self.conv2 = sn_conv(c_out, c_out, 3, padding_mode)
        self.shortcut = sn_conv(c_in, c_out, 1)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        h = upsampled_conv3x3(F.relu(self.bn1(x, y)), self.conv1, self.upsampling)
        h = self.conv2(F.relu(self.bn2(h, y)))
        return h + UPSAMPLERS[self.shortcut_upsampling](self.shortcut(x))


class DiscOptBlock(nn.Module):
    """First D block: conv3x3-ReLU-conv3x3-pool, plus pool-conv1x1 (no ReLU on raw pixels)."""

    def __init__(self, c_in: int, c_out: int, downsampling: str = "box"):
        super().__init__()
        self.downsampling = downsampling
        self.conv1 = sn_conv(c_in, c_out, 3)
        self.conv2 = sn_conv(c_out, c_out, 3)
        self.shortcut = sn_conv(c_in, c_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = downsampled_conv(F.relu(self.conv1(x)), self.conv2, self.downsampling)
        return h + downsampled_conv(x, self.shortcut, self.downsampling)


class DiscBlock(nn.Module):
    """ReLU-conv3x3-ReLU-conv3x3[-pool], plus a conv1x1[-pool] shortcut where shapes change."""

    def __init__(self, c_in: int, c_out: int, downsample: bool, downsampling: str = "box"):
        super().__init__()
        self.downsample = downsample
        self.downsampling = downsampling
        self.conv1 = sn_conv(c_in, c_out, 3)
        self.conv2 = sn_conv(c_out, c_out, 3)
        self.shortcut = sn_conv(c_in, c_out, 1) if downsample or c_in != c_out else None

    def forward(self, x: Tensor) -> Tensor:
        h = F.relu(self.conv1(F.relu(x)))
        if not self.downsample:
            return self.conv2(h) + (x if self.shortcut is None else self.shortcut(x))
        return downsampled_conv(h, self.conv2, self.downsampling) + downsampled_conv(
            x, self.shortcut, self.downsampling
        )


def generator_channels(resolution: int, width: int) -> list[int]:
    """Channels at 4x4, 8x8, ..., resolution: halving upwards from width at full size, capped."""
    steps = int(math.log2(resolution // 4))
    return [width * min(2 ** (steps - i), MAX_MULTIPLIER) for i in range(steps + 1)]


class Generator(nn.Module):
    """z (N x z_dim), class (N,) -> image (N x 3 x resolution x resolution), in [-1, 1] with
    the tanh output (SAGAN's); the linear output (StyleGAN's) can overshoot and is clamped
    where it becomes pixels (`data.to_uint8`). Why a linear output: a tanh that saturates
    passes almost no gradient, so a region G has driven past the colour range (the white
    patches of pale tiles) stays there whatever D says; without it D sees the overshoot, which
    no real image has, and pulls it back.

    With a margin, G draws a canvas `margin` pixels wider on every side (its 4 x 4 start grows
    by whole half cells) and returns the centre: every pixel of the image is then an interior
    pixel of every convolution, so the way G pads its borders (zeros drew frames, reflection
    folds its kernels onto themselves twice at a corner) never reaches the image, as in
    StyleGAN3's margins.
    """

    def __init__(
        self,
        *,
        num_classes: int,
        resolution: int,
        width: int,
        z_dim: int,
        attention_resolution: int,
        padding_mode: str,
        upsampling: str = "nearest",
        shortcut_upsampling: str = "same",
        output: str = "tanh",
        margin: int = 0,
    ):
        super().__init__()
        self.num_classes, self.z_dim = num_classes, z_dim
        self.squash = output == "tanh"
        self.margin = margin
        channels = generator_channels(resolution, width)
        self.bottom = channels[0]
        self.base = 4 + 2 * margin * 4 // resolution  # margin is a whole number of half cells
        self.linear = sn_linear(z_dim, self.base * self.base * channels[0])
        self.blocks = nn.ModuleList(
            GenBlock(c_in, c_out, num_classes, padding_mode, upsampling, shortcut_upsampling)
            for c_in, c_out in zip(channels, channels[1:], strict=False)
        )
        sizes = [4 * 2 ** (i + 1) for i in range(len(self.blocks))]
        self.attention_after = sizes.index(attention_resolution) if attention_resolution else -1
        self.attention = (
            SelfAttention(channels[self.attention_after + 1]) if attention_resolution else None
        )
        self.bn = nn.BatchNorm2d(width, eps=BN_EPS)
        self.to_rgb = sn_conv(width, 3, 3, padding_mode)

    def forward(self, z: Tensor, y: Tensor) -> Tensor:
        h = self.linear(z).view(len(z), self.bottom, self.base, self.base)
        for i, block in enumerate(self.blocks):
            h = block(h, y)
            if i == self.attention_after:
                h = self.attention(h)
        rgb = self.to_rgb(F.relu(self.bn(h)))
        if self.margin:
            rgb = rgb[:, :, self.margin : -self.margin, self.margin : -self.margin]
        return torch.tanh(rgb) if self.squash else rgb


def discriminator_channels(resolution: int, width: int) -> list[int]:
    """Output channels of each D block: doubling from width, capped; one more block at 4x4."""
    blocks = int(math.log2(resolution // 4)) + 1
    return [width * min(2**i, MAX_MULTIPLIER) for i in range(blocks)]


class Discriminator(nn.Module):
    """Image, class -> one logit per image: linear(features) + <class embedding, features>."""

    def __init__(
        self,
        *,
        num_classes: int,
        resolution: int,
        width: int,
        attention_resolution: int,
        downsampling: str = "box",
    ):
        super().__init__()
        channels = discriminator_channels(resolution, width)
        blocks: list[nn.Module] = [DiscOptBlock(3, channels[0], downsampling)]
        for i, (c_in, c_out) in enumerate(zip(channels, channels[1:], strict=False)):
            blocks.append(
                DiscBlock(c_in, c_out, downsample=i < len(channels) - 2, downsampling=downsampling)
            )
        self.blocks = nn.ModuleList(blocks)
        sizes = [max(resolution // 2 ** (i + 1), 4) for i in range(len(blocks))]
        self.attention_after = sizes.index(attention_resolution) if attention_resolution else -1
        self.attention = (
            SelfAttention(channels[self.attention_after]) if attention_resolution else None
        )
        self.linear = sn_linear(channels[-1], 1)
        self.embedding = _sn(nn.Embedding(num_classes, channels[-1]))

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        h = x
        for i, block in enumerate(self.blocks):
            h = block(h)
            if i == self.attention_after:
                h = self.attention(h)
        h = F.relu(h).sum(dim=(2, 3))
        return self.linear(h).squeeze(1) + (self.embedding(y) * h).sum(dim=1)


def build_generator(config: TrainConfig, num_classes: int) -> Generator:
    """The generator `config` describes, initialised from config.seed (see `_seeded_init`)."""
    with _seeded_init(config.seed):
        return Generator(
            num_classes=num_classes,
            resolution=config.resolution,
            width=config.width,
            z_dim=config.z_dim,
            attention_resolution=config.attention_resolution,
            padding_mode=config.g_padding,
            upsampling=config.g_upsampling,
            shortcut_upsampling=config.g_shortcut_upsampling,
            output=config.g_output,
            margin=config.g_margin,
        )


def build_discriminator(config: TrainConfig, num_classes: int) -> Discriminator:
    with _seeded_init(config.seed + 1):
        return Discriminator(
            num_classes=num_classes,
            resolution=config.resolution,
            width=config.width,
            attention_resolution=config.attention_resolution,
            downsampling=config.d_downsampling,
        )


@contextmanager
def _seeded_init(seed: int):
    """Initialisation (orthogonal weights, spectral-norm vectors) draws from torch's global
    generator; fork it and seed it, so the same config gives the same initial network and
    building one never changes the random stream of the caller (nor a resumed run's)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
