"""The payments service's numbers, named."""

from __future__ import annotations

LOOKUPS_PER_MINUTE = 10  # debt look-ups and payment starts per caller and minute (references cannot be enumerated)
MAX_PAYER_DEBTS = 200  # debts listed for one payer at most
MAX_EMAIL_LENGTH = 254
