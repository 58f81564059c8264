"""Every package's public API (its ``__all__``) names only public objects that it really exports."""

import importlib

import pytest

PACKAGES = [
    "model",
    "model.comments",
    "model.engine",
    "model.highlights",
    "serve.batch",
    "serve.db",
    "serve.schemas",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_public_names_that_exist(name: str) -> None:
    package = importlib.import_module(name)
    private = [n for n in package.__all__ if n.startswith("_")]
    assert private == [], f"{name}.__all__ exports private names; import them from their own module"
    assert [n for n in package.__all__ if not hasattr(package, n)] == []
