"""Reusable constructs: one per capability, the stacks stay thin."""
