"""The local platform: the synthesized templates run on embedded AWS emulation (moto), offline."""
