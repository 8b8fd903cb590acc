"""Contract test fixtures: the integration tests' own (`cloud`: the synthesized stacks provisioned into moto, a
catch-all rule putting every bus event in a queue; and the fixtures it stands on), reused rather than redefined."""

from integration.conftest import *  # noqa: F403
