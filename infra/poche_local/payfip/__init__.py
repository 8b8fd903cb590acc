"""The local twin of PayFiP (DGFiP's online payment service) for `make run` and tests: `twin.PayfipTwin` serves
the SOAP service and the payment page under `/payfip/`; `cli` is `poche payfip pay`."""

from __future__ import annotations

from .twin import PayfipTwin

__all__ = ["PayfipTwin"]
