"""Shop photos made from Fashion-MNIST test images: the maker lives in fmnist.bench.shop_photos, which the
`python -m fmnist bench augmentation` measurement shares with these tests."""

from fmnist.bench.shop_photos import SHOP_FORMATS, make_shop_photo

__all__ = ["SHOP_FORMATS", "make_shop_photo"]
