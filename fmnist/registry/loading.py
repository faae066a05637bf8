"""Loading a saved model without trusting its files: the checksum first, then the architecture this app builds
from its own code, then only weights of the shapes that architecture expects (see fmnist.registry)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fmnist.atomic import file_sha256
from fmnist.registry import weights_file
from fmnist.registry.folder import RegistryError
from fmnist.registry.weights_file import DamagedWeights, RefusedWeights

if TYPE_CHECKING:
    from fmnist.registry import ModelInfo

log = logging.getLogger(__name__)


class DamagedModel(RegistryError):
    """A model's file is damaged: it does not match its checksum, or its weights cannot be read."""


class RefusedModel(RegistryError):
    """A model was refused: its architecture is unknown or its weights do not fit the architecture."""


def load_info(info: ModelInfo):
    """Load a listed model (see fmnist.registry.load); DamagedModel or RefusedModel say why one is not loaded, and are logged."""
    expected = info.metadata.get("sha256")
    try:
        actual = file_sha256(info.path)
    except OSError:
        log.exception('Model "%s": its weights file %s cannot be read', info.name, info.path)
        raise DamagedModel(f'The file of model "{info.name}" cannot be read (a damaged file); it was not loaded.') from None
    if actual != expected:
        log.error('Model "%s" is damaged: %s has sha256 %s, its metadata records %s', info.name, info.path, actual, expected)
        raise DamagedModel(
            f'The file of model "{info.name}" does not match its recorded checksum (a damaged file); it was not loaded.'
        )
    architecture = info.metadata.get("architecture")
    from fmnist.model import architectures  # Imported lazily: TensorFlow is slow to start.

    # A record from before the network builder (or before one of its settings) means the network of that time.
    settings = architectures.stored_architecture(architecture, info.metadata.get("architecture_settings"))
    try:
        model = architectures.build(architecture, settings) if isinstance(architecture, str) else None
    except ValueError as error:
        if architecture in architectures.BUILDERS:
            log.warning('Model "%s" refused: its network settings %r: %s', info.name, settings, error)
            raise RefusedModel(f'The model "{info.name}" was refused: {error} It was not loaded.') from None
        model = None
    except (TypeError, AttributeError):
        log.warning('Model "%s" refused: malformed network settings %r', info.name, settings)
        raise RefusedModel(
            f'The model "{info.name}" was refused: its network settings are malformed; it was not loaded.'
        ) from None
    if model is None:
        log.warning('Model "%s" refused: unknown architecture %r', info.name, architecture)
        raise RefusedModel(
            f'The model "{info.name}" was refused: its architecture "{architecture}" is not one this app builds '
            f"({', '.join(architectures.BUILDERS)}); it was not loaded."
        )
    try:
        model.set_weights(weights_file.read(info.path, model.get_weights()))
    except RefusedWeights as reason:
        log.warning('Model "%s" refused: %s', info.name, reason)
        raise RefusedModel(f'The model "{info.name}" was refused: {reason}; it was not loaded.') from None
    except DamagedWeights:
        log.exception('Model "%s" is damaged: its weights file %s cannot be read', info.name, info.path)
        raise DamagedModel(f'The weights of model "{info.name}" cannot be read (a damaged file); it was not loaded.') from None
    return model
