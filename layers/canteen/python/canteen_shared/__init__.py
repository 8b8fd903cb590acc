"""Code shared by the canteen domain's functions (the canteen service and the `canteen-menus-scdl` connector,
which keeps the home screen's `canteen-menu` tile): the public views and the read of a canteen's meals.
Shipped as the `canteen` layer (`layers/canteen/python`)."""
