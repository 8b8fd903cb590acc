"""Stacks: `Core`, then one per rollout phase."""
