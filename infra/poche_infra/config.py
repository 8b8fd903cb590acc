"""Deployment settings: the stage (dev, prod), the territory (one JSON file each) and the phases.

Chosen with CDK context: `-c stage=prod -c territory=orne -c phases=proximity`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

TERRITORIES_DIR = Path(__file__).resolve().parent.parent / "territories"
STAGES = ("dev", "prod")
PHASES = ("proximity", "services", "payments")  # in rollout order: 1, 2, 3
POWERTOOLS_VERSION = "3.37.0"  # must equal the aws-lambda-powertools pin in constraints.txt
PYTHON_RUNTIME = "python3.13"
PUSH_PLATFORMS = ("fcm", "apns")
PUSH_APPLICATION_ARN = re.compile(r"arn:aws:sns:[a-z0-9-]+:\d{12}:app/(GCM|APNS|APNS_SANDBOX)/[A-Za-z0-9_.-]{1,256}")
# Cognito feature plans (user pool tiers), cheapest first; docs/accounts.md says what each buys and costs.
FEATURE_PLANS = ("lite", "essentials", "plus")
# An address Cognito can send from: ASCII local part (CDK and SES refuse others), a lower-case domain name.
DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?P<domain>[A-Za-z0-9.-]{1,253})")
AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
FROM_NAME_MAX = 80


class ConfigError(ValueError):
    """A context value or territory file is wrong; the message says which and why."""


@dataclass(frozen=True)
class AccountEmail:
    """The sender of both user pools' e-mails (verification codes, invitations, recovery) through Amazon SES.

    `ses_verified_domain` is a domain identity verified in SES (DKIM) in `ses_region` (default: the territory's
    region, so the addresses stay in France); `from_email` is an address of that domain. docs/accounts.md lists
    what devops check before going live."""

    from_email: str
    ses_verified_domain: str
    from_name: str | None = None
    reply_to: str | None = None
    ses_region: str | None = None


PAYFIP_SAISIE = ("T", "X", "W")  # test, activation, production (DGFiP's codes)
PAYFIP_ENDPOINT = "https://www.tipi.budget.gouv.fr/tpa/services/securite"
PAYFIP_PAGE = "https://www.tipi.budget.gouv.fr/tpa/paiementws.web"


@dataclass(frozen=True)
class Payfip:
    """The territory's PayFiP account (DGFiP): its client number, the mode of its payments and the service's
    addresses. `numcli` is not a secret (it appears in PayFiP's page address) but is kept out of logs.
    `return_url`: where PayFiP sends the payer's browser back (the app's status page; PayFiP appends
    `idop=`); default, the API's own `GET /v1/payments/payfip/return`."""

    numcli: str
    saisie: str
    endpoint: str = PAYFIP_ENDPOINT
    page_url: str = PAYFIP_PAGE
    return_url: str | None = None


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
    # Accounts: the SES sender of the pools' e-mails (None: Cognito's built-in sender, about 50 e-mails a day,
    # refused in prod) and the feature plan of each pool (threat protection only with "plus").
    account_email: AccountEmail | None = None
    citizen_feature_plan: str = "lite"
    staff_feature_plan: str = "plus"
    # Online payments (phase 3): the PayFiP account; None: the payments phase cannot be deployed.
    payfip: Payfip | None = None

    def source(self, connector: str) -> str:
        return self.sources.get(connector, "bundled")


@dataclass(frozen=True)
class Settings:
    stage: str
    territory: Territory
    phases: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.is_prod and self.territory.account_email is None:
            raise ConfigError(
                f"territory {self.territory.name!r}: prod needs account_email (an SES sender of a verified domain): "
                "Cognito's built-in sender allows about 50 e-mails a day, so sign-ups would stall; see docs/accounts.md"
            )
        if "payments" in self.phases and self.territory.payfip is None:
            raise ConfigError(
                f"territory {self.territory.name!r}: the payments phase needs a payfip object (numcli, saisie) in "
                "the territory file; see docs/payments.md"
            )

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
    if data.get("account_email") is not None:
        data["account_email"] = account_email(data["account_email"], path)
    if data.get("payfip") is not None:
        data["payfip"] = payfip(data["payfip"], path)
    for key in ("citizen_feature_plan", "staff_feature_plan"):
        if key in data and data[key] not in FEATURE_PLANS:
            raise ConfigError(f"{path}: {key} {data[key]!r} is not one of {', '.join(FEATURE_PLANS)}")
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


def _object_of(kind: type, value: Any, where: str, needs: str) -> None:
    """`value` is an object whose keys are fields of the dataclass `kind`, else ConfigError naming `where`."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be an object with {needs}")
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; keys: {', '.join(sorted(known))}")


def account_email(value: Any, path: Path) -> AccountEmail:
    """The territory's `account_email` object, checked: every problem named with its key."""
    where = f"{path}: account_email"
    _object_of(AccountEmail, value, where, "from_email and ses_verified_domain (see docs/accounts.md)")
    for key in ("from_email", "ses_verified_domain"):
        if not value.get(key):
            raise ConfigError(f"{where}.{key} is required")
    domain = value["ses_verified_domain"]
    if not isinstance(domain, str) or not DOMAIN.fullmatch(domain):
        raise ConfigError(
            f"{where}.ses_verified_domain {domain!r} is not a domain name (lower case, e.g. poche.example.fr)"
        )
    for key in ("from_email", "reply_to"):
        address = value.get(key)
        if address is not None and (not isinstance(address, str) or not EMAIL.fullmatch(address)):
            raise ConfigError(f"{where}.{key} {address!r} is not an e-mail address (ASCII before the @)")
    if value["from_email"].rsplit("@", 1)[1] != domain:
        raise ConfigError(f"{where}.from_email must be an address of ses_verified_domain {domain}")
    name = value.get("from_name")
    if name is not None and (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > FROM_NAME_MAX
        or any(ord(c) < 32 or c in '<>"' for c in name)
    ):
        raise ConfigError(
            f'{where}.from_name {name!r}: 1 to {FROM_NAME_MAX} characters, without control characters, <, > or "'
        )
    region = value.get("ses_region")
    if region is not None and (not isinstance(region, str) or not AWS_REGION.fullmatch(region)):
        raise ConfigError(f"{where}.ses_region {region!r} is not an AWS region (e.g. eu-west-3)")
    return AccountEmail(**value)


def payfip(value: Any, path: Path) -> Payfip:
    """The territory's `payfip` object, checked: every problem named with its key."""
    where = f"{path}: payfip"
    _object_of(Payfip, value, where, "numcli and saisie (see docs/payments.md)")
    if not re.fullmatch(r"\d{6}", str(value.get("numcli", ""))):
        raise ConfigError(f"{where}.numcli must be the 6-digit PayFiP client number given by the DGFiP")
    if value.get("saisie") not in PAYFIP_SAISIE:
        raise ConfigError(f"{where}.saisie must be one of {', '.join(PAYFIP_SAISIE)} (test, activation, production)")
    for key in ("endpoint", "page_url", "return_url"):
        url = value.get(key)
        if url is not None and (not isinstance(url, str) or not re.fullmatch(r"https://[^\s\x00-\x1f]{4,2000}", url)):
            raise ConfigError(f"{where}.{key} {url!r} must be an https:// address")
    return Payfip(**value)


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
