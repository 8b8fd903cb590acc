"""The home screen's reading of tiles, shared by the home service and the personal home (`/v1/me/home`).

Uses `transit_shared` (the departures tile merges real time): a function with this layer also needs the transit layer.
"""
