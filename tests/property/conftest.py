"""Hypothesis for the property suite: deterministic (derandomized, no example database) and fast.

The profile is registered and loaded here; the property modules do not choose their own settings but for
`max_examples` where a property is costlier. `derandomize=True` makes every run try the same examples, so a
failure is reproducible on any machine and the suite never turns red by chance.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "poche",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("poche")
