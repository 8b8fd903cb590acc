"""The shapes of the citizen's personal routes, written once: the OpenAPI document is generated from them, and the
test suite checks that `validation.py` (which answers the French 400/422 problems, naming each faulty entry) agrees
with the request bodies here.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from poche_common.openapi import OneOf, Page, absent

from .validation import KINDS, MAX_LAYOUT_TILES, MAX_TOKEN, MAX_TOPICS, MODES, PLATFORMS

Kind = Annotated[str, OneOf(KINDS)]
Mode = Annotated[str, OneOf(MODES)]
Platform = Annotated[str, OneOf(PLATFORMS)]
Params = Annotated[dict[str, str], Field(examples=[{"commune": "61001"}])]
HourMinute = Annotated[str, Field(pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]
Updated = Annotated[dt.datetime | None, Field(description="Dernière modification (Paris).")]
Ignored = Annotated[Any, Field(description="Accepté et ignoré, pour pouvoir renvoyer tel quel ce qui a été lu.")]
TOPIC_ID = "UAI (school), identifiant de ligne (route), code INSEE (traffic, news) ; null ou absent pour emergency."
QUIET = (
    "Pas de notification poussée dans cette plage (Europe/Paris) : différée, jamais perdue, sauf les alertes du "
    "département."
)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrivatePage(Page):
    as_of: dt.datetime


class DeviceRegistration(BaseModel):
    platform: Platform
    token: str = Field(
        min_length=1,
        max_length=MAX_TOKEN,
        pattern="^[!-~]+$",
        description="Jeton de l'appareil (FCM ou APNs : ASCII visible, sans espace) ; jamais conservé.",
    )


class Device(BaseModel):
    id: str = Field(pattern="^[0-9a-f]{32}$")
    platform: Platform
    created_at: dt.datetime


class DeviceList(PrivatePage):
    items: list[Device]


class Notification(BaseModel):
    id: str = Field(examples=["1795942800-0b9f6c1e-8d2a-4c5b-9e7f-2a1d3c4b5e6f"])
    kind: Kind
    topic_id: str | None
    title: str
    body: str
    url: str = Field(examples=["/v1/schools/0610003X/notices"])
    occurred_at: dt.datetime
    read: bool
    read_at: dt.datetime | None


class NotificationList(PrivatePage):
    items: list[Notification]


class LayoutTile(_Closed):
    type: str = Field(examples=["news"])
    params: Params


class HomeLayout(BaseModel):
    tiles: list[LayoutTile] = Field(max_length=MAX_LAYOUT_TILES)
    updated_at: Updated


class HomeLayoutChange(_Closed):
    """Les tuiles sont vérifiées dans le catalogue (/v1/tiles/catalogue) : un type inconnu, un paramètre manquant
    ou qui n'est pas celui du type, une commune ou un arrêt inconnus donnent un 422."""

    tiles: list[LayoutTile] = Field(max_length=MAX_LAYOUT_TILES)
    updated_at: Ignored = None


class Topic(_Closed):
    kind: Kind
    id: str | None = Field(description=TOPIC_ID)
    mode: Mode


class TopicChange(_Closed):
    kind: Kind
    id: str | None = Field(default=None, description=TOPIC_ID)
    mode: Mode


class QuietHours(_Closed):
    start: HourMinute
    end: HourMinute


class Subscriptions(BaseModel):
    topics: list[Topic] = Field(max_length=MAX_TOPICS)
    quiet_hours: QuietHours | None = Field(description=QUIET)
    updated_at: Updated = None


class SubscriptionsChange(_Closed):
    """Remplace tous les abonnements ; `quiet_hours` absent vaut null. Un établissement, une ligne ou une commune
    inconnus, un doublon ou une plage vide donnent un 422."""

    topics: list[TopicChange] = Field(max_length=MAX_TOPICS)
    quiet_hours: QuietHours | None = Field(default=None, description=QUIET)
    updated_at: Ignored = None


class Account(BaseModel):
    """Le compte (adresse électronique, création, statut)."""

    email: str | None = None
    email_verified: bool = absent()
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    status: str | None = None
    enabled: bool = absent()
    attributes: dict[str, str] = absent()


class PersonalExport(BaseModel):
    account: Account | None
    home_layout: HomeLayout | None
    subscriptions: Subscriptions | None
    devices: list[Device] = absent()
    notifications: list[Notification] = absent()
    items: list[dict[str, Any]] = Field(description="Chaque élément conservé, tel qu'il est stocké.")
    subscriber_index: list[dict[str, Any]] = Field(
        description="Les copies de vos abonnements qui servent à trouver les abonnés d'un sujet."
    )
    as_of: dt.datetime
    stale: bool


MODELS = (DeviceList, NotificationList, HomeLayout, Subscriptions, PersonalExport)
REQUESTS = (DeviceRegistration, HomeLayoutChange, SubscriptionsChange)
