"""A version as a PyTorch dataset (`pip install "abid-client[torch]"`).

    from abid.torch import ImageDataset
    train = ImageDataset("breast-grades", split="train", transform=to_tensor)
    image, label = train[0]          # label: index into train.classes

The files are fetched once into the local cache (abid.cache) and checked against the archive's
MANIFEST.sha256; a folder given by path is checked the same way.
"""

from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image
from torch.utils.data import Dataset

from abid.local import read_version, resolve


class ImageDataset(Dataset):
    """`(image, class index)` pairs of a version. `classes` is the list of class names (the
    index's meaning), `samples` the `(path, class index)` pairs as torchvision's ImageFolder has
    them, and `metadata[i]` the other metadata.csv columns of sample i (for a synthetic version:
    `model`, `model_id`, `seed`)."""

    def __init__(
        self,
        slug_or_path: str | Path,
        *,
        split: str | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        classes: Sequence[str] | None = None,
        mode: str = "RGB",
        url: str | None = None,
        token: str | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        folder = resolve(slug_or_path, url=url, token=token, cache_dir=cache_dir)
        version = read_version(folder, split=split, classes=classes)
        self.root = folder
        self.classes = version.classes
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}
        self.samples = [(s.path, self.class_to_idx[s.label]) for s in version.samples]
        self.targets = [index for _, index in self.samples]
        self.metadata = [s.extra for s in version.samples]
        self.transform = transform
        self.target_transform = target_transform
        self.mode = mode

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        with Image.open(path) as opened:
            image = opened.convert(self.mode)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target
