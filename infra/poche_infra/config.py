"""Deployment settings: the stage (dev, prod), the territory (one JSON file each) and the phases.

Chosen with CDK context: `-c stage=prod -c territory=orne -c phases=proximity`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TERRITORIES_DIR = Path(__file__).resolve().parent.parent / "territories"
STAGES = ("dev", "prod")
PHASES = ("proximity",)  # later: "services", "payments", in rollout order
POWERTOOLS_VERSION = "3.37.0"  # must equal the aws-lambda-powertools pin in constraints.txt
PYTHON_RUNTIME = "python3.13"
PUSH_PLATFORMS = ("fcm", "apns")
PUSH_APPLICATION_ARN = re.compile(r"arn:aws:sns:[a-z0-9-]+:\d{12}:app/(GCM|APNS|APNS_SANDBOX)/[A-Za-z0-9_.-]{1,256}")


class ConfigError(ValueError):
    """A context value or territory file is wrong; the message says which and why."""


@dataclass(frozen=True)
class Territory:
    name: str
    title: str
    departement: str
    region: str
    cors_allow_origins: list[str]
    api_throttle: dict[str, int]
    sources: dict[str, str] = field(default_factory=dict)
    schedules: dict[str, str] = field(default_factory=dict)
    # Mobile push: the SNS platform application of each platform ("fcm", "apns"), created out of band with the
    # FCM / APNs credentials. Empty: push is not configured (registering a device answers 503).
    push_applications: dict[str, str] = field(default_factory=dict)

    def source(self, connector: str) -> str:
        return self.sources.get(connector, "bundled")


@dataclass(frozen=True)
class Settings:
    stage: str
    territory: Territory
    phases: tuple[str, ...]

    @property
    def prefix(self) -> str:
        """Stack name prefix, e.g. `Poche-dev`."""
        return f"Poche-{self.stage}"

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    def parameter(self, path: str) -> str:
        """Name of a contract parameter in SSM: `/poche/<stage>/<path>`."""
        return f"/poche/{self.stage}/{path.strip('/')}"


def load_territory(name: str, directory: Path = TERRITORIES_DIR) -> Territory:
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ConfigError(f"territory {name!r}: use the lower-case file name of a territory in {directory}")
    path = directory / f"{name}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.json")))
        raise ConfigError(f"unknown territory {name!r}: no {path} (known: {known})")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    try:
        territory = Territory(**data)
    except TypeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not re.fullmatch(r"\d{2,3}|2[AB]", territory.departement):
        raise ConfigError(f"{path}: departement {territory.departement!r} is not a département code")
    for platform, arn in territory.push_applications.items():
        if platform not in PUSH_PLATFORMS or not PUSH_APPLICATION_ARN.fullmatch(str(arn)):
            raise ConfigError(
                f"{path}: push_applications[{platform!r}] must be one of {', '.join(PUSH_PLATFORMS)} naming an SNS "
                "platform application ARN (arn:aws:sns:<region>:<account>:app/<GCM|APNS|APNS_SANDBOX>/<name>)"
            )
    return territory


def settings_from_context(context: dict[str, Any]) -> Settings:
    stage = str(context.get("stage") or "dev")
    if stage not in STAGES:
        raise ConfigError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
    raw_phases = str(context.get("phases") or ",".join(PHASES))
    phases = tuple(p.strip() for p in raw_phases.split(",") if p.strip())
    unknown = [p for p in phases if p not in PHASES]
    if unknown:
        raise ConfigError(f"unknown phase(s) {', '.join(unknown)}; known phases: {', '.join(PHASES)}")
    return Settings(stage=stage, territory=load_territory(str(context.get("territory") or "orne")), phases=phases)
