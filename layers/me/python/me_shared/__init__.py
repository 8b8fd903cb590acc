"""Code shared by the `me` function (the personal API) and `me_erasure` (the erasure queue's worker): the keys of
the `personal` table, the tombstone, device ownership and the erasure itself (layer `layers/me`)."""
