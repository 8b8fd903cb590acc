"""OpenAPI description of the citizen's personal routes: each route declared once, its shapes generated from
`models.py` (merged into the API's document).

`HomeResponse` (the answer of `GET /v1/me/home`) is described by the home service; the merged document holds both.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from .models import MODELS, REQUESTS
from .validation import MAX_DEVICES, MAX_LAYOUT_TILES, MAX_TOPICS

SECURITY_SCHEMES: dict[str, Any] = {
    "citizenJwt": spec.bearer_jwt(
        "ID token of the citizens' user pool (`poche user create --email … --citizen` prints one locally)."
    )
}
SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS, requests=REQUESTS)

_ID_PATH = {"in": "path", "required": True, "schema": {"type": "string"}}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "L'ETag de la disposition lue (ou `*`). Obligatoire dès qu'une disposition existe.",
}
_ERRORS = {
    "401": spec.unauthorized_response(
        "Jeton absent, falsifié ou expiré (réponse de la passerelle), ou compte supprimé (problème).",
        problem_too=True,
    ),
}
_operation = partial(spec.signed_in_operation, tag="espace personnel", scheme="citizenJwt", errors=_ERRORS)
_ok = spec.private_json_ok


def _on_one(operation_id: str, summary: str, done: str, unknown: str, id_name: str) -> dict[str, Any]:
    """An action on one of my items, named in the path: 204 when done, 404 when it is not (or no longer) mine."""
    return _operation(
        operation_id,
        summary,
        {"204": {"description": done}, "404": spec.problem_response(unknown)},
        parameters=[{**_ID_PATH, "name": id_name}],
    )


PATHS: dict[str, Any] = {
    "/v1/me/home/layout": {
        "get": _operation(
            "getHomeLayout",
            "Mon écran d'accueil enregistré (vide tant que rien n'est enregistré), avec son ETag.",
            {"200": _ok("La disposition.", "HomeLayout"), "304": {"description": "Non modifié."}},
        ),
        "put": _operation(
            "putHomeLayout",
            f"Enregistrer mon écran d'accueil (au plus {MAX_LAYOUT_TILES} tuiles, vérifiées dans le catalogue).",
            {
                "200": _ok("La disposition enregistrée et son nouvel ETag.", "HomeLayout"),
                "400": spec.problem_response("Corps invalide, ou plus de 30 tuiles."),
                "412": spec.problem_response("If-Match ne correspond plus à la disposition enregistrée."),
                "422": spec.problem_response(
                    "Tuile inconnue ou paramètre manquant/inconnu : `invalid_params` la nomme."
                ),
                "428": spec.problem_response("If-Match manquant alors qu'une disposition existe."),
            },
            "HomeLayoutChange",
            parameters=[_IF_MATCH],
        ),
    },
    "/v1/me/home": {
        "get": _operation(
            "getMyHome",
            "Le contenu de mes tuiles enregistrées, comme POST /v1/home le donne.",
            {"200": spec.json_response("Une entrée par tuile enregistrée.", "HomeResponse")},
        )
    },
    "/v1/me/subscriptions": {
        "get": _operation("getSubscriptions", "Mes abonnements.", {"200": _ok("Les abonnements.", "Subscriptions")}),
        "put": _operation(
            "putSubscriptions",
            f"Remplacer mes abonnements (au plus {MAX_TOPICS}).",
            {
                "200": _ok("Les abonnements enregistrés.", "Subscriptions"),
                "400": spec.problem_response("Corps invalide, ou plus de 50 abonnements."),
                "409": spec.problem_response("Modifiés en même temps par un autre appareil : relire et réessayer."),
                "422": spec.problem_response(
                    "Établissement, ligne ou commune inconnus, doublon, mode ou heure invalides."
                ),
            },
            "SubscriptionsChange",
        ),
    },
    "/v1/me/devices": {
        "post": _operation(
            "registerDevice",
            f"Enregistrer un appareil pour les notifications (au plus {MAX_DEVICES} par compte).",
            {
                "200": _ok("Ce jeton était déjà enregistré : l'appareil existant.", "Device"),
                "201": _ok("L'appareil enregistré (en-tête Location).", "Device"),
                "400": spec.problem_response("Plateforme ou jeton invalide."),
                "409": spec.problem_response("Ce jeton est en cours de retrait d'un autre compte : réessayer."),
                "422": spec.problem_response(f"Déjà {MAX_DEVICES} appareils, ou jeton refusé."),
                "503": spec.problem_response("Notifications non disponibles sur cette plateforme (push-unavailable)."),
            },
            "DeviceRegistration",
        ),
        "get": _operation("listDevices", "Mes appareils.", {"200": _ok("Les appareils.", "DeviceList")}),
    },
    "/v1/me/devices/{device_id}": {
        "delete": _on_one(
            "deleteDevice",
            "Retirer un appareil (il ne reçoit plus de notifications).",
            "Retiré.",
            "Appareil inconnu.",
            "device_id",
        )
    },
    "/v1/me/notifications": {
        "get": _operation(
            "listNotifications",
            "Mes notifications, les plus récentes d'abord.",
            {
                "200": _ok("Une page de notifications.", "NotificationList"),
                "400": spec.problem_response("limit ou cursor."),
            },
            parameters=spec.page_parameters(20),
        )
    },
    "/v1/me/notifications/{note_id}/read": {
        "post": _on_one(
            "markNotificationRead",
            "Marquer une notification comme lue (sans effet si elle l'est déjà).",
            "Lue.",
            "Notification inconnue.",
            "note_id",
        )
    },
    "/v1/me/export": {
        "get": _operation(
            "exportMyData",
            "Tout ce que la plateforme conserve sur moi (RGPD, droit d'accès et portabilité).",
            {"200": _ok("Les données.", "PersonalExport")},
        )
    },
    "/v1/me": {
        "delete": _operation(
            "deleteMyAccount",
            "Supprimer mon compte et toutes mes données (RGPD, droit à l'effacement). Mes jetons encore valides "
            "sont ensuite refusés (401).",
            {
                "204": {
                    "description": "Suppression enregistrée (les jetons sont refusés dès maintenant) et terminée, "
                    "ou terminée sous peu par la file des suppressions."
                },
                "503": spec.problem_response(
                    "Suppression enregistrée mais ni terminée ni mise en file (erasure-pending) : renvoyer la demande."
                ),
            },
        )
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths, schemas and the citizens' security scheme."""
    return spec.service_document(PATHS, SCHEMAS, SECURITY_SCHEMES)
