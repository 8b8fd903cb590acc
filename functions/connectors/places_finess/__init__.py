"""Connector `places-finess`: the etalab FINESS establishments extract (cs1100502) -> health places of the
territory (hospitals, pharmacies, centres and maisons de santé)."""
