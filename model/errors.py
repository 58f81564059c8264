"""Named exceptions. Each message says what was expected and what came in."""

from __future__ import annotations


class NotecheckError(Exception):
    """Base class of every error notecheck raises on purpose."""


class InvalidParameterError(NotecheckError, ValueError):
    """A parameter has a value outside what it accepts."""


class InvalidNoteError(NotecheckError, ValueError):
    """A note (or a field of it) does not follow the note schema."""


class TrainingDataError(NotecheckError, ValueError):
    """The training data cannot train a model (e.g. it holds only one class)."""


class OutputError(NotecheckError):
    """An output cannot be written (disk full, no permission, read-only file system); the message names the path."""


class ModelLoadError(NotecheckError):
    """A model artifact cannot be loaded."""


class WrongModelTask(ModelLoadError):
    """A model directory holds a model of another task (an ad model where a sentiment model is wanted)."""

    def __init__(self, directory: object, found: object, expected: str) -> None:
        super().__init__(f"{directory}: model card task is {found!r}, expected {expected!r}.")
        self.found = found
        self.expected = expected


class ModelIntegrityError(ModelLoadError):
    """The model file's sha256 does not match the one recorded in its model card (tampered or corrupted)."""


class UntrustedTypesError(ModelLoadError):
    """The model file contains object types that are not on notecheck's trusted list."""


class ModelVersionError(ModelLoadError):
    """The model was saved under a different scikit-learn (or text preparation) version than the running one."""


class NotFittedError(NotecheckError, AttributeError):
    """The model has not been fitted yet."""
