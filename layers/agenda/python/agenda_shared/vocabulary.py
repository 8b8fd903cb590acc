"""The agenda's codes and their French labels: categories, statuses, accessibility (no import: the service reads
them at cold start)."""

# Category codes (stable, ASCII) with their French label.
CATEGORIES: dict[str, str] = {
    "concert": "Concert",
    "theatre": "Théâtre",
    "exposition": "Exposition",
    "cinema": "Cinéma",
    "sport": "Sport",
    "conference": "Conférence",
    "atelier": "Atelier",
    "festival": "Festival",
    "marche": "Marché",
    "visite": "Visite",
    "danse": "Danse",
    "jeune_public": "Jeune public",
    "autre": "Autre",
}

# OpenAgenda `status` -> code, label.
STATUSES: dict[int, tuple[str, str]] = {
    1: ("scheduled", "Programmé"),
    2: ("rescheduled", "Reprogrammé"),
    3: ("moved_online", "Déplacé en ligne"),
    4: ("postponed", "Reporté"),
    5: ("full", "Complet"),
    6: ("cancelled", "Annulé"),
}
STATUS_LABELS: dict[str, str] = dict(STATUSES.values())  # code -> label

# OpenAgenda `accessibility` flags -> code (OpenAgenda's own meanings: hi hearing impairment, vi visual
# impairment, mi motor/mobility impairment, pi psychic impairment, ii intellectual impairment).
ACCESSIBILITY: dict[str, str] = {
    "hi": "hearing",
    "vi": "visual",
    "mi": "motor",
    "pi": "psychic",
    "ii": "intellectual",
}
