"""The networks: shapes per resolution, attention, spectral norm, initialisation, sizes."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from gan_engine.artifacts import block_ratio
from gan_engine.nets import (
    ConditionalBatchNorm2d,
    SelfAttention,
    bilinear_upsample2x,
    blur_downsample2x,
    build_discriminator,
    build_generator,
    pad_edges,
    parameter_count,
    pooled_conv,
    upsample2x,
    upsampled_conv3x3,
)
from gan_engine.presets import PRESETS, make_config


@pytest.mark.parametrize(("resolution", "attention"), [(32, 16), (64, 32), (128, 32)])
def test_generator_and_discriminator_shapes_per_resolution(resolution, attention):
    config = make_config(
        "tiny", {"resolution": resolution, "attention_resolution": attention, "width": 4}
    )
    G, D = build_generator(config, 3), build_discriminator(config, 3)
    z, y = torch.randn(2, config.z_dim), torch.tensor([0, 2])
    images = G(z, y)
    assert images.shape == (2, 3, resolution, resolution)
    assert images.min() >= -1 and images.max() <= 1
    assert D(images, y).shape == (2,)


def test_attention_sits_at_the_configured_size_in_both_networks_and_starts_with_zero_gain():
    config = make_config("paper", {"width": 4})  # 64x64, attention at 32x32
    G, D = build_generator(config, 3), build_discriminator(config, 3)
    seen = {}
    for name, net in (("G", G), ("D", D)):
        net.attention.register_forward_hook(lambda m, i, o, name=name: seen.setdefault(name, o))
        assert net.attention.gain.item() == 0.0
    with torch.no_grad():
        D(G(torch.randn(2, config.z_dim), torch.tensor([0, 1])), torch.tensor([0, 1]))
    assert seen["G"].shape[-1] == seen["D"].shape[-1] == 32


def test_zero_attention_gain_makes_attention_an_identity():
    attention = SelfAttention(16)
    x = torch.randn(2, 16, 8, 8)
    assert torch.equal(attention(x), x)


def test_no_attention_when_attention_resolution_is_zero():
    config = make_config("tiny", {"attention_resolution": 0})
    assert build_generator(config, 3).attention is None
    assert build_discriminator(config, 3).attention is None


def _spectrally_normalised(module: nn.Module) -> bool:
    return parametrize.is_parametrized(module, "weight")


@pytest.mark.parametrize("build", [build_generator, build_discriminator])
def test_every_convolution_and_linear_layer_is_spectrally_normalised(build):
    net = build(PRESETS["tiny"], 3)
    layers = [m for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert layers and all(_spectrally_normalised(m) for m in layers)


def test_class_embeddings_projection_normalised_in_d_plain_in_g_batchnorm():
    G, D = build_generator(PRESETS["tiny"], 3), build_discriminator(PRESETS["tiny"], 3)
    assert _spectrally_normalised(D.embedding)
    norms = [m for m in G.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert norms and not any(_spectrally_normalised(m.gain) for m in norms)
    assert all(torch.equal(m.gain.weight, torch.ones_like(m.gain.weight)) for m in norms)


def test_weights_start_orthogonal():
    G = build_generator(PRESETS["tiny"], 3)
    weight = G.blocks[0].conv2.parametrizations.weight.original.flatten(1)
    rows = min(weight.shape)
    gram = weight @ weight.T if weight.shape[0] <= weight.shape[1] else weight.T @ weight
    assert torch.allclose(gram, torch.eye(rows), atol=1e-5)


def test_reference_architecture_has_about_12m_generator_parameters_for_3_classes():
    G = build_generator(PRESETS["paper"], 3)
    assert 12.0e6 < parameter_count(G) < 12.6e6
    assert [block.conv1.out_channels for block in G.blocks] == [512, 256, 128, 64]


def test_generator_padding_mode_follows_the_config():
    for preset, mode in (("paper", "zeros"), ("default", "reflect"), ("small", "reflect")):
        G = build_generator(make_config(preset, {"width": 4}), 3)
        assert G.blocks[0].conv1.padding_mode == mode
        assert G.to_rgb.padding_mode == mode


def test_broadcast_upsampling_equals_nearest_interpolation():
    low = torch.randn(2, 5, 4, 3)
    assert torch.equal(upsample2x(low), F.interpolate(low, scale_factor=2, mode="nearest"))


def test_bilinear_upsampling_equals_interpolation_and_keeps_channels_last():
    low = torch.randn(2, 5, 4, 3, dtype=torch.float64)
    reference = F.interpolate(low, scale_factor=2, mode="bilinear", align_corners=False)
    assert torch.allclose(bilinear_upsample2x(low), reference, atol=1e-12)
    nhwc = bilinear_upsample2x(low.contiguous(memory_format=torch.channels_last))
    assert nhwc.is_contiguous(memory_format=torch.channels_last) and not nhwc.is_contiguous()
    assert torch.allclose(nhwc, reference, atol=1e-12)


def test_bilinear_generator_upsamples_every_block_bilinearly_and_trains():
    config = make_config("tiny", {"g_upsampling": "bilinear"})
    G = build_generator(config, 3)
    block = G.blocks[0]
    x, y = torch.randn(2, block.conv1.in_channels, 4, 4), torch.tensor([0, 2])
    block.eval()  # stored BatchNorm statistics: the block is a fixed function of x
    h = F.relu(block.bn1(x, y))
    expected = block.conv2(F.relu(block.bn2(block.conv1(bilinear_upsample2x(h)), y)))
    expected = expected + block.shortcut(bilinear_upsample2x(x))  # 1x1 conv commutes
    assert torch.allclose(block(x, y), expected, atol=1e-5)
    assert all(b.upsampling == "bilinear" for b in G.blocks)
    images = G(torch.randn(4, config.z_dim), torch.tensor([0, 1, 2, 0]))
    images.square().mean().backward()
    assert (
        images.shape == (4, 3, 32, 32)
        and G.linear.parametrizations.weight.original.grad.abs().sum() > 0
    )


def test_shortcuts_upsample_as_configured_and_the_main_branch_stays_nearest():
    G = build_generator(make_config("tiny", {"g_shortcut_upsampling": "bilinear"}), 3)
    block = G.blocks[0]
    x, y = torch.randn(2, block.conv1.in_channels, 4, 4), torch.tensor([0, 2])
    block.eval()
    h = F.relu(block.bn1(x, y))
    expected = block.conv2(F.relu(block.bn2(block.conv1(upsample2x(h)), y)))
    expected = expected + block.shortcut(bilinear_upsample2x(x))
    assert torch.allclose(block(x, y), expected, atol=1e-5)
    assert all((b.upsampling, b.shortcut_upsampling) == ("nearest", "bilinear") for b in G.blocks)


def _initial_block_ratio(changes: dict, period: int) -> float:
    """The block ratio of an untrained `small` generator's samples (batch statistics, as at
    the first iterations), stretched to the full pixel range."""
    G = build_generator(make_config("small", changes), 3)
    with torch.no_grad():
        images = G(
            torch.randn(64, 128, generator=torch.Generator().manual_seed(1)), torch.arange(64) % 3
        )
    stretched = (images - images.amin()) / (images.amax() - images.amin())
    return block_ratio((stretched * 255).round().to(torch.uint8), period)


def test_bilinear_shortcuts_take_the_block_grid_out_of_an_untrained_generator():
    """Nearest up-sampling with no convolution after it (the shortcuts) adds pure 2 x 2
    blocks at every scale: most of the grid an untrained G draws."""
    assert _initial_block_ratio({}, 8) > 1.2
    assert _initial_block_ratio({"g_shortcut_upsampling": "bilinear"}, 8) < 1.1


def test_linear_output_is_the_tanh_outputs_argument():
    """Same weights, same input: the linear generator returns what the tanh one squashes, so
    its overshoot past the colour range (which D can see and punish) is not hidden."""
    tanh_g = build_generator(make_config("tiny"), 3).eval()
    linear_g = build_generator(make_config("tiny", {"g_output": "linear"}), 3).eval()
    linear_g.load_state_dict(tanh_g.state_dict())
    z, y = torch.randn(3, 32), torch.tensor([0, 1, 2])
    with torch.no_grad():
        linear_out, tanh_out = linear_g(z, y), tanh_g(z, y)
    assert torch.allclose(torch.tanh(linear_out), tanh_out, atol=1e-6)
    assert not torch.allclose(linear_out, tanh_out, atol=1e-3)


def test_a_margin_keeps_the_generators_padding_away_from_the_image_corners():
    """Same weights, zero vs reflect padding: without a margin the corner pixels change with
    the padding ~100x more than the centre (the padding is part of them); with an 8-pixel
    margin (a 48 px canvas for a 32 px image) the change at the corners falls over 10x."""

    def corner_change(margin: int) -> tuple[float, float]:
        outputs = []
        for mode in ("zeros", "reflect"):
            G = build_generator(make_config("tiny", {"g_margin": margin, "g_padding": mode}), 3)
            z = torch.randn(16, 32, generator=torch.Generator().manual_seed(0))
            with torch.no_grad():
                outputs.append(G.eval()(z, torch.zeros(16, dtype=torch.long)))
        change = (outputs[0] - outputs[1]).abs().mean(dim=(0, 1))
        corners = torch.stack([change[0, 0], change[0, -1], change[-1, 0], change[-1, -1]])
        return float(corners.mean()), float(change[12:20, 12:20].mean())

    corner_plain, centre_plain = corner_change(0)
    corner_margin, _ = corner_change(8)
    assert corner_plain > 20 * centre_plain
    assert corner_margin < corner_plain / 10
    G = build_generator(make_config("tiny", {"g_margin": 8}), 3)
    assert G.base == 6 and G(torch.randn(2, 32), torch.tensor([0, 1])).shape == (2, 3, 32, 32)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect"])
def test_phase_decomposed_upsampled_convolution_equals_convolving_the_upsampled_image(
    padding_mode,
):
    conv = nn.Conv2d(6, 4, 3, padding=1, padding_mode=padding_mode)
    x = torch.randn(2, 6, 5, 7, requires_grad=True)
    reference = conv(upsample2x(x))
    assert torch.allclose(upsampled_conv3x3(x, conv), reference, atol=1e-5)
    (grad_fast,) = torch.autograd.grad(upsampled_conv3x3(x, conv).square().sum(), x)
    (grad_reference,) = torch.autograd.grad(reference.square().sum(), x)
    assert torch.allclose(grad_fast, grad_reference, atol=1e-4)


@pytest.mark.parametrize("kernel", [1, 3])
def test_pooled_convolution_equals_pooling_the_convolution(kernel):
    conv = nn.Conv2d(5, 4, kernel, padding=kernel // 2)
    x = torch.randn(2, 5, 8, 6, requires_grad=True)
    reference = F.avg_pool2d(conv(x), 2)
    assert torch.allclose(pooled_conv(x, conv), reference, atol=1e-5)
    (grad_fused,) = torch.autograd.grad(pooled_conv(x, conv).square().sum(), x)
    (grad_reference,) = torch.autograd.grad(reference.square().sum(), x)
    assert torch.allclose(grad_fused, grad_reference, atol=1e-4)


def test_blur_downsampling_is_the_1331_filter_at_stride_2_with_edges_replicated():
    """Against a depthwise convolution with the outer product of [1, 3, 3, 1] / 8: the
    reference StyleGAN2's down-sampling computes, here with replicated edges."""
    x = torch.randn(2, 5, 8, 6, dtype=torch.float64)
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0], dtype=torch.float64) / 8
    kernel = (taps[:, None] * taps[None, :]).expand(5, 1, 4, 4)
    reference = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), kernel, stride=2, groups=5)
    assert torch.allclose(blur_downsample2x(x), reference, atol=1e-12)
    nhwc = blur_downsample2x(x.contiguous(memory_format=torch.channels_last))
    assert nhwc.is_contiguous(memory_format=torch.channels_last) and not nhwc.is_contiguous()
    assert torch.allclose(nhwc, reference, atol=1e-12)
    constant = torch.full((1, 2, 8, 8), 0.7, dtype=torch.float64)
    assert torch.allclose(blur_downsample2x(constant), constant[:, :, :4, :4])  # edges whole


def test_blur_downsampling_removes_more_of_a_block_grid_than_average_pooling():
    """A 4-px block pattern aligned with the pooling cells (as G's grid is: both count from
    the image's corner in powers of two): 2x2 averaging passes it whole, the blur halves it."""
    stripes = torch.tensor([1.0, 1.0, -1.0, -1.0]).repeat(8)
    grid = stripes[None, None, None, :].expand(1, 1, 32, 32)
    box_left = F.avg_pool2d(grid, 2)[..., 4:-4].abs().mean()
    blur_left = blur_downsample2x(grid)[..., 4:-4].abs().mean()
    assert box_left == pytest.approx(1.0) and blur_left == pytest.approx(0.5)


def test_blur_discriminator_halves_every_block_with_the_blur_and_keeps_the_parameters():
    """Same parameters (a box-pooled checkpoint's weights load), a different function."""
    box = build_discriminator(make_config("tiny"), 3)
    blur = build_discriminator(make_config("tiny", {"d_downsampling": "blur"}), 3)
    blur.load_state_dict(box.state_dict())
    assert all(block.downsampling == "blur" for block in blur.blocks)
    x, y = torch.randn(4, 3, 32, 32, requires_grad=True), torch.tensor([0, 1, 2, 0])
    block = blur.blocks[0]
    expected = blur_downsample2x(block.conv2(F.relu(block.conv1(x))))
    expected = expected + block.shortcut(blur_downsample2x(x))
    assert torch.allclose(block(x), expected, atol=1e-5)
    logits = blur(x, y)
    assert not torch.allclose(logits, box(x, y), atol=1e-3)
    (grad,) = torch.autograd.grad(logits.sum(), x)
    assert grad.abs().sum() > 0


def test_pooled_convolution_refuses_padding_it_cannot_fold():
    with pytest.raises(ValueError, match="zero-padded"):
        pooled_conv(torch.randn(1, 2, 4, 4), nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect"))


def test_upsampling_and_edge_padding_keep_a_channels_last_image_channels_last():
    x = torch.randn(2, 5, 4, 3)
    nhwc = x.contiguous(memory_format=torch.channels_last)
    up = upsample2x(nhwc)
    assert torch.equal(up, upsample2x(x))
    assert up.is_contiguous(memory_format=torch.channels_last) and not up.is_contiguous()
    for mode in ("reflect", "replicate"):
        padded = pad_edges(nhwc, 1, mode)
        assert torch.equal(padded, F.pad(x, (1, 1, 1, 1), mode=mode))
        assert padded.is_contiguous(memory_format=torch.channels_last)


def test_conditional_batchnorm_keeps_the_image_precision():
    bn = ConditionalBatchNorm2d(4, num_classes=3)  # fp32 class gains, as trained under autocast
    out = bn(torch.randn(6, 4, 5, 5, dtype=torch.bfloat16), torch.tensor([0, 1, 2, 0, 1, 2]))
    assert out.dtype == torch.bfloat16
