"""Shared runtime code of every Poche function (shipped as the `common` Lambda layer)."""
