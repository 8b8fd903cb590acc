"""Code shared by the transit domain's functions (the transit service and the home screen)."""
