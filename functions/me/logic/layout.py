"""The saved home screen: its layout (ETag, If-Match) and its tiles' content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from me_shared.keys import LAYOUT
from poche_common.errors import PreconditionFailedError, PreconditionRequiredError
from poche_common.observability import logger, metrics

from ..ports import Expectation, LostUpdateError, PersonalData, TileTypes
from ..validation import expectation, validate_layout
from ..views import EMPTY_LAYOUT_ETAG, layout_item, layout_view
from .caller import Caller, validated


def current(store: PersonalData, caller: Caller) -> dict[str, Any]:
    """The saved layout's view (`{"tiles": [], "updated_at": null}` when none)."""
    return layout_view(store.read(caller.sub, [LAYOUT]).layout)


def save(
    store: PersonalData, catalogue: TileTypes, caller: Caller, body: Any, if_match: str | None, now: dt.datetime
) -> dict[str, Any]:
    """Replaces the layout if `If-Match` names the current one (412 otherwise; 428 without it while one exists);
    tiles checked against the catalogue (422 naming them). Returns the saved layout's view."""
    tiles = validated(store, caller, lambda: validate_layout(body, catalogue.types()))
    expected = expectation(if_match, EMPTY_LAYOUT_ETAG)
    item = layout_item(tiles, now)
    try:
        store.put_layout(caller.sub, item, expected or Expectation(absent=True))
    except LostUpdateError:
        if expected is None:
            raise PreconditionRequiredError(
                "Un écran d'accueil est déjà enregistré : envoyez son ETag dans If-Match pour le remplacer."
            ) from None
        raise PreconditionFailedError(
            "L'écran d'accueil a changé depuis votre lecture (If-Match ne correspond plus) : relisez-le."
        ) from None
    logger.info("home layout saved", extra={"tiles": len(tiles)})
    return layout_view(item)


def home(store: PersonalData, catalogue: TileTypes, reader: Any, caller: Caller, now: dt.datetime) -> dict[str, Any]:
    """The saved tiles' content, exactly as POST /v1/home answers it (`reader`: a `home_shared.store.BatchReader`
    of the tiles' tables, whose round trips are counted)."""
    tiles = current(store, caller)["tiles"]
    # Imported here: composing tiles (real time merge, projections) is this route's alone; the other routes do not
    # pay for it at cold start.
    from home_shared.compose import compose

    answers = compose(tiles, catalogue.types(), reader, now) if tiles else []
    round_trips = reader.round_trips + 1
    logger.info("personal home composed", extra={"tiles": len(answers), "round_trips": round_trips})
    metrics.add_metric("HomeRoundTrips", "Count", round_trips)
    return {"tiles": answers}
