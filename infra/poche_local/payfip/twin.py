"""The local twin of PayFiP: its SOAP service and its payment page, served under `/payfip/` by the local platform's
gateway (`make run`) and called directly by tests.

Why a twin rather than a mock: the payments functions must be exercised end to end offline (create an attempt,
send the browser to the page, receive the notification, fetch the authoritative detail, sweep what was never
notified), with PayFiP's observable behaviour: the same operations, fields and faults as the DGFiP's interface
(`interface/`, validated by the tests), an idOp payable for 15 minutes, fault P5 until a result exists, fault P1
for an unknown idOp or one older than a day, a notification that is a form POST of `idOp` only (unsigned) and a
browser return to `urlredirect` with `idop` in its query string.

Fault codes other than P1/P5 are the twin's own (`TWIN-...`): the DGFiP's list of functional codes is not
published with the interface, and the callers only need to know that such a fault is functional (final).

Tests and scripts drive it without a browser through the control endpoint (`POST /payfip/_control/pay`,
`GET /payfip/_control/operations`) or `poche payfip pay` (cli.py). Thread-safe: the gateway is a threading server.
It imports nothing from the layers (the `poche` command's process has only `poche_local` on its path): its XML
parsing refuses DOCTYPEs and entities itself, as `poche_common.safexml` does for the functions.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
import secrets
import threading
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit
from xml.parsers import expat
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

PREFIX = "/payfip/"
SERVICE_PATH = "/payfip/tpa/services/securite"
PAGE_PATH = "/payfip/tpa/paiementws.web"
CONTROL_PAY_PATH = "/payfip/_control/pay"
CONTROL_OPERATIONS_PATH = "/payfip/_control/operations"
INTERFACE = Path(__file__).parent / "interface"
WSDL_FILE = "PaiementSecuriseService.wsdl"
SCHEMA_FILES = frozenset(
    {
        "PaiementSecuriseService_schema1.xsd",
        "PaiementSecuriseService_schema2.xsd",
        "PaiementSecuriseService_schema3.xsd",
    }
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/"
    "PaiementSecuriseService"
)
PARIS = ZoneInfo("Europe/Paris")
IDOP_VALIDITY = dt.timedelta(minutes=15)  # the page refuses the idOp after this
PURGE_AFTER = dt.timedelta(days=1)  # the detail answers P1 after this
RESULTS = ("P", "V", "R", "Z", "A")
RESULT_LABELS = {
    "P": "Payer par carte",
    "V": "Payer par prélèvement",
    "R": "Carte refusée",
    "Z": "Prélèvement refusé",
    "A": "Annuler",
}
ABANDON = "abandon"
FAULTS = frozenset(
    {"FonctionnelleErreur", "TechDysfonctionnementErreur", "TechIndisponibiliteErreur", "TechProtocolaireErreur"}
)
MAX_BODY = 64 * 1024

_EXER = re.compile(r"20\d{2}")
_REFDET = re.compile(r"[A-Za-z0-9]{1,30}")
_NUMCLI = re.compile(r"\d{6}")
_MONTANT = re.compile(r"[1-9]\d{0,8}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_IDOP = re.compile(r"[A-Za-z0-9-]{1,64}")

Response = tuple[int, dict[str, str], bytes]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Operation:
    """One idOp: what `creerPaiementSecurise` received, and its result once the payer chose."""

    idop: str
    created_at: dt.datetime
    numcli: str
    exer: str
    refdet: str
    objet: str
    montant: str
    mel: str
    saisie: str
    urlnotif: str
    urlredirect: str
    result: str | None = None
    paid_at: dt.datetime | None = None
    numauto: str = ""
    notified: bool = False

    def expired(self, now: dt.datetime) -> bool:
        return now - self.created_at >= IDOP_VALIDITY

    def public(self, now: dt.datetime) -> dict[str, object]:
        """The operation for the control endpoint (the client number left out, as everywhere in logs)."""
        dattrans, heurtrans = _paris(self.paid_at) if self.paid_at else ("", "")
        return {
            "idop": self.idop,
            "created_at": self.created_at.isoformat(),
            "exer": self.exer,
            "refdet": self.refdet,
            "objet": self.objet,
            "montant": int(self.montant),
            "mel": self.mel,
            "saisie": self.saisie,
            "urlnotif": self.urlnotif,
            "urlredirect": self.urlredirect,
            "result": self.result,
            "numauto": self.numauto,
            "dattrans": dattrans,
            "heurtrans": heurtrans,
            "notified": self.notified,
            "expired": self.expired(now),
        }


class TwinFault(Exception):
    """A SOAP fault the twin answers (HTTP 500), as the WSDL declares them."""

    def __init__(self, kind: str, code: str, descriptif: str, severite: int = 2) -> None:
        super().__init__(f"{kind} {code}: {descriptif}")
        self.kind = kind
        self.code = code
        self.descriptif = descriptif
        self.severite = severite


class ChoiceRefused(Exception):
    """The payer's (or the control endpoint's) choice cannot be recorded: `status` and French `text` say why."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _paris(moment: dt.datetime) -> tuple[str, str]:
    local = moment.astimezone(PARIS)
    return local.strftime("%d%m%Y"), local.strftime("%H%M")


def _with_idop(url: str, idop: str) -> str:
    """`url` with `idop=<idop>` added to its query string (PayFiP's browser return)."""
    parts = urlsplit(url)
    query = f"{parts.query}&idop={idop}" if parts.query else f"idop={idop}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _euros(montant: str) -> str:
    cents = int(montant)
    whole = f"{cents // 100:,}".replace(",", "\u202f")
    return f"{whole},{cents % 100:02d} €"


def default_deliver(url: str, body: bytes) -> None:
    """PayFiP's notification: a form POST to urlnotif, sent from a background thread (the page answers at once);
    a failure is logged, as PayFiP's own notifications are lost without anyone being told."""

    def send() -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 (http(s) only)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (urlnotif checked http(s))
                response.read(65536)
        except Exception as exc:  # a lost notification is a case the platform must survive
            log.warning("payfip twin: notification to %s failed: %s", url, exc)

    threading.Thread(target=send, name="payfip-notify", daemon=True).start()


class PayfipTwin:
    """PayFiP's SOAP service and payment page, in memory. `clock` gives the current UTC time (tests move it);
    `deliver(url, body)` sends a notification (default: a background POST). `numclis`: the client numbers the twin
    knows (None: any 6 digits)."""

    def __init__(
        self,
        clock: Callable[[], dt.datetime] = utc_now,
        deliver: Callable[[str, bytes], None] | None = None,
        *,
        numclis: Collection[str] | None = None,
    ) -> None:
        self._clock = clock
        self._deliver = deliver or default_deliver
        self._numclis = frozenset(numclis) if numclis is not None else None
        self._lock = threading.Lock()
        self._operations: dict[str, Operation] = {}
        self._failures: list[TwinFault] = []

    # --- for tests ------------------------------------------------------------------------------------------------

    def operations(self) -> list[dict[str, object]]:
        """Every operation the twin holds, oldest first (as the control endpoint lists them)."""
        now = self._clock()
        with self._lock:
            return [op.public(now) for op in sorted(self._operations.values(), key=lambda op: op.created_at)]

    def fail_next(self, kind: str, code: str = "T1", times: int = 1, descriptif: str = "Service indisponible") -> None:
        """Answer the next `times` SOAP calls with this fault (a technical fault, typically), whatever they ask."""
        if kind not in FAULTS:
            raise ValueError(f"{kind!r} is not a fault of the WSDL ({sorted(FAULTS)})")
        with self._lock:
            self._failures.extend(TwinFault(kind, code, descriptif) for _ in range(times))

    def choose(self, idop: str, result: str, *, notify: bool = True) -> Operation:
        """Record the payer's choice (P V R Z A) and, when `notify`, send the notification. Raises ChoiceRefused
        for an unknown, expired or already settled idOp."""
        if result not in RESULTS:
            raise ChoiceRefused(400, f"Résultat inconnu : {result!r} (attendu : {', '.join(RESULTS)}).")
        now = self._clock()
        with self._lock:
            operation = self._operations.get(idop)
            if operation is None or now - operation.created_at >= PURGE_AFTER:
                raise ChoiceRefused(404, "Opération de paiement inconnue.")
            if operation.result is not None:
                raise ChoiceRefused(409, "Cette opération de paiement a déjà été traitée.")
            if operation.expired(now):
                raise ChoiceRefused(410, "Cette opération de paiement a expiré (plus de 15 minutes) : recommencez.")
            operation.result = result
            operation.paid_at = now
            operation.numauto = f"{secrets.randbelow(10**6):06d}" if result in ("P", "V") else ""
            operation.notified = notify
            urlnotif = operation.urlnotif
        if notify:
            self._deliver(urlnotif, urlencode({"idOp": idop}).encode("ascii"))
        return operation

    # --- HTTP -----------------------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one HTTP request under `/payfip/` (status, headers, body)."""
        method = method.upper()
        params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
        try:
            if path == SERVICE_PATH:
                if method == "GET" and "wsdl" in params:
                    return 200, {"Content-Type": "text/xml; charset=utf-8"}, (INTERFACE / WSDL_FILE).read_bytes()
                if method == "POST":
                    return self._soap(headers, body)
                return _text(405, "Méthode non permise.", {"Allow": "GET, POST"})
            if path.startswith("/payfip/tpa/services/") and path.rsplit("/", 1)[-1] in SCHEMA_FILES:
                if method != "GET":
                    return _text(405, "Méthode non permise.", {"Allow": "GET"})
                content = (INTERFACE / path.rsplit("/", 1)[-1]).read_bytes()
                return 200, {"Content-Type": "text/xml; charset=utf-8"}, content
            if path == PAGE_PATH:
                if method == "GET":
                    return self._page(params.get("idop", ""))
                if method == "POST":
                    form = _form(headers, body)
                    return self._choice(form.get("idop") or params.get("idop", ""), form.get("choix", ""))
                return _text(405, "Méthode non permise.", {"Allow": "GET, POST"})
            if path == CONTROL_PAY_PATH:
                if method != "POST":
                    return _json(405, {"error": "POST only"})
                return self._control_pay(body)
            if path == CONTROL_OPERATIONS_PATH:
                if method != "GET":
                    return _json(405, {"error": "GET only"})
                return _json(200, {"operations": self.operations()})
        except Exception:  # the twin must answer like a server, never take the gateway's thread down
            log.exception("payfip twin: %s %s failed", method, path)
            return _text(500, "Erreur interne du service de paiement (twin).")
        return _text(404, "Page introuvable.")

    # --- SOAP -----------------------------------------------------------------------------------------------------

    def _soap(self, headers: dict[str, str], body: bytes) -> Response:
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if not content_type.lower().startswith("text/xml"):
            # SOAP 1.1 is text/xml; JAX-WS answers 415 to anything else
            return _text(415, "SOAP 1.1 attend Content-Type: text/xml.")
        if len(body) > MAX_BODY:
            return _soap_fault("S:Client", "Requête trop volumineuse.")
        try:
            root = parse_safe(body)
        except ValueError as exc:
            return _soap_fault("S:Client", f"Requête illisible : {exc}")
        soap_body = next((c for c in root if c.tag == f"{{{SOAP_ENV}}}Body"), None)
        if root.tag != f"{{{SOAP_ENV}}}Envelope" or soap_body is None or len(soap_body) != 1:
            return _soap_fault("S:Client", "Ce n'est pas une enveloppe SOAP 1.1.")
        call = soap_body[0]
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        try:
            if failure is not None:
                raise failure
            if call.tag == f"{{{SERVICE_NS}}}creerPaiementSecurise":
                return _soap_ok("creerPaiementSecuriseResponse", [("idOp", self._create(_arg0(call)))])
            if call.tag == f"{{{SERVICE_NS}}}recupererDetailPaiementSecurise":
                return _soap_ok("recupererDetailPaiementSecuriseResponse", self._detail(_arg0(call)))
            if call.tag == f"{{{SERVICE_NS}}}recupererDetailClient":
                return _soap_ok("recupererDetailClientResponse", self._client(_arg0(call)))
        except TwinFault as fault:
            return _declared_fault(fault)
        return _soap_fault("S:Client", f"Opération inconnue : {call.tag}")

    def _create(self, fields: dict[str, str]) -> str:
        numcli = fields.get("numcli", "")
        if not _NUMCLI.fullmatch(numcli) or (self._numclis is not None and numcli not in self._numclis):
            raise _functional("TWIN-NUMCLI", "Numéro de client (numcli) inconnu ou mal formé.")
        if fields.get("saisie", "") not in ("T", "X", "W"):
            raise _functional("TWIN-SAISIE", "Type de saisie invalide (T, X ou W).")
        if not _EXER.fullmatch(fields.get("exer", "")):
            raise _functional("TWIN-EXER", "Exercice (exer) invalide.")
        if not _REFDET.fullmatch(fields.get("refdet", "")):
            raise _functional("TWIN-REFDET", "Référence de la dette (refdet) invalide : 1 à 30 lettres ou chiffres.")
        if not _MONTANT.fullmatch(fields.get("montant", "")):
            raise _functional("TWIN-MONTANT", "Montant invalide : un nombre entier de centimes, au moins 1.")
        objet = fields.get("objet", "")
        if len(objet) > 100:
            raise _functional("TWIN-OBJET", "Objet trop long (100 caractères au plus).")
        mel = fields.get("mel", "")
        if len(mel) > 254 or not _EMAIL.fullmatch(mel):
            raise _functional("TWIN-MEL", "Adresse électronique (mel) invalide.")
        for name in ("urlnotif", "urlredirect"):
            parts = urlsplit(fields.get(name, ""))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise _functional("TWIN-URL", f"Adresse {name} invalide.")
        operation = Operation(
            idop=str(uuid.uuid4()),
            created_at=self._clock(),
            numcli=numcli,
            exer=fields["exer"],
            refdet=fields["refdet"],
            objet=objet,
            montant=fields["montant"],
            mel=mel,
            saisie=fields["saisie"],
            urlnotif=fields["urlnotif"],
            urlredirect=fields["urlredirect"],
        )
        with self._lock:
            self._operations[operation.idop] = operation
        return operation.idop

    def _detail(self, fields: dict[str, str]) -> list[tuple[str, str]]:
        idop = fields.get("idOp", "")
        now = self._clock()
        with self._lock:
            operation = self._operations.get(idop)
            if operation is not None and now - operation.created_at >= PURGE_AFTER:
                del self._operations[idop]  # PayFiP's nightly purge
                operation = None
            if operation is None:
                raise _functional("P1", "Opération inconnue.")
            if operation.result is None or operation.paid_at is None:
                raise _functional("P5", "Résultat de la transaction non connu.")
            dattrans, heurtrans = _paris(operation.paid_at)
            # schema3.xsd's order
            return [
                ("dattrans", dattrans),
                ("exer", operation.exer),
                ("heurtrans", heurtrans),
                ("idOp", operation.idop),
                ("mel", operation.mel),
                ("montant", operation.montant),
                ("numauto", operation.numauto),
                ("numcli", operation.numcli),
                ("objet", operation.objet),
                ("refdet", operation.refdet),
                ("resultrans", operation.result),
                ("saisie", operation.saisie),
            ]

    def _client(self, fields: dict[str, str]) -> list[tuple[str, str]]:
        numcli = fields.get("numCli", "")
        if not _NUMCLI.fullmatch(numcli) or (self._numclis is not None and numcli not in self._numclis):
            raise _functional("TWIN-NUMCLI", "Numéro de client (numcli) inconnu ou mal formé.")
        return [
            ("libelleN1", "COLLECTIVITE DE DEMONSTRATION"),
            ("libelleN2", "REGIE LOCALE"),
            ("libelleN3", ""),
            ("numcli", numcli),
        ]

    # --- the payment page -----------------------------------------------------------------------------------------

    def _page(self, idop: str) -> Response:
        now = self._clock()
        with self._lock:
            operation = self._operations.get(idop) if _IDOP.fullmatch(idop) else None
            if operation is None or now - operation.created_at >= PURGE_AFTER:
                return _html(404, "Opération inconnue", "<p>Opération de paiement inconnue.</p>")
            if operation.result is not None:
                return _html(409, "Paiement", "<p>Cette opération de paiement a déjà été traitée.</p>")
            if operation.expired(now):
                return _html(410, "Paiement expiré", _expired_text())
            objet, montant, saisie = operation.objet, operation.montant, operation.saisie
        buttons = "".join(
            f'<button type="submit" name="choix" value="{code}">{html.escape(label)}</button>'
            for code, label in RESULT_LABELS.items()
        )
        mode = " (mode test)" if saisie == "T" else ""
        content = (
            f"<p>Objet : <strong>{html.escape(objet)}</strong></p>"
            f"<p>Montant : <strong>{html.escape(_euros(montant))}</strong></p>"
            f'<form method="post" action="{PAGE_PATH}?idop={html.escape(idop)}">'
            f'<input type="hidden" name="idop" value="{html.escape(idop)}">{buttons}'
            f'<button type="submit" name="choix" value="{ABANDON}">Abandonner</button></form>'
        )
        return _html(200, f"Paiement PayFiP (simulation){mode}", content)

    def _choice(self, idop: str, choix: str) -> Response:
        if choix == ABANDON:
            with self._lock:
                operation = self._operations.get(idop)
                redirect = operation.urlredirect if operation is not None else None
            if redirect is None:
                return _html(404, "Opération inconnue", "<p>Opération de paiement inconnue.</p>")
            return 302, {"Location": _with_idop(redirect, idop), "Content-Type": "text/plain; charset=utf-8"}, b""
        try:
            operation = self.choose(idop, choix)
        except ChoiceRefused as refused:
            text = _expired_text() if refused.status == 410 else f"<p>{html.escape(refused.text)}</p>"
            return _html(refused.status, "Paiement", text)
        location = _with_idop(operation.urlredirect, idop)
        return 302, {"Location": location, "Content-Type": "text/plain; charset=utf-8"}, b""

    # --- control ----------------------------------------------------------------------------------------------------

    def _control_pay(self, body: bytes) -> Response:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return _json(400, {"error": 'body must be JSON: {"idop": ..., "result": "P|V|R|Z|A", "notify": true}'})
        if not isinstance(request, dict):
            return _json(400, {"error": "body must be a JSON object"})
        idop, result, notify = request.get("idop"), request.get("result"), request.get("notify", True)
        if not isinstance(idop, str) or not isinstance(result, str) or not isinstance(notify, bool):
            return _json(400, {"error": "idop and result must be strings, notify a boolean"})
        try:
            operation = self.choose(idop, result, notify=notify)
        except ChoiceRefused as refused:
            return _json(refused.status, {"error": refused.text, "idop": idop})
        return _json(
            200,
            {
                "idop": idop,
                "result": result,
                "notified": notify,
                "redirect": _with_idop(operation.urlredirect, idop),
            },
        )


# --- answers ---------------------------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _refuse(*_: object) -> NoReturn:
    raise _Refused("DOCTYPE and entity declarations are refused")


def parse_safe(data: bytes, max_depth: int = 64) -> ET.Element:
    """The document's root, every DOCTYPE, entity declaration and external entity refused before anything is
    expanded, depth bounded (ValueError otherwise): requests come from code under test, hostile ones included."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _Refused(f"nested deeper than {max_depth}")
        builder.start(name(tag), {name(key): value for key, value in attributes.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(name(tag))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ValueError(str(exc)) from None
    except expat.ExpatError as exc:
        raise ValueError(f"not well-formed XML ({expat.ErrorString(exc.code)})") from None
    root: ET.Element = builder.close()
    return root


def _functional(code: str, descriptif: str) -> TwinFault:
    return TwinFault("FonctionnelleErreur", code, descriptif)


def _arg0(call: ET.Element) -> dict[str, str]:
    """The fields of the operation's `arg0` (unqualified elements, as the XSDs declare them)."""
    arg0 = next((child for child in call if child.tag == "arg0"), None)
    if arg0 is None:
        return {}
    return {child.tag: (child.text or "") for child in arg0 if isinstance(child.tag, str)}


def _envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="{SOAP_ENV}"><S:Body>{body}</S:Body></S:Envelope>'
    ).encode()


def _soap_ok(element: str, fields: list[tuple[str, str]]) -> Response:
    values = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields)
    body = f'<ns2:{element} xmlns:ns2="{SERVICE_NS}"><return>{values}</return></ns2:{element}>'
    return 200, {"Content-Type": "text/xml; charset=utf-8"}, _envelope(body)


def _declared_fault(fault: TwinFault) -> Response:
    """A fault the WSDL declares: faultstring the Java exception's name, detail the fault element (schema1.xsd)."""
    detail = (
        f'<ns2:{fault.kind} xmlns:ns2="{SERVICE_NS}"><code>{escape(fault.code)}</code>'
        f"<descriptif>{escape(fault.descriptif)}</descriptif><libelle>{escape(fault.descriptif)}</libelle>"
        f"<severite>{fault.severite}</severite></ns2:{fault.kind}>"
    )
    body = (
        f"<S:Fault><faultcode>S:Server</faultcode>"
        f"<faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.{fault.kind}</faultstring>"
        f"<detail>{detail}</detail></S:Fault>"
    )
    return 500, {"Content-Type": "text/xml; charset=utf-8"}, _envelope(body)


def _soap_fault(code: str, text: str) -> Response:
    body = f"<S:Fault><faultcode>{code}</faultcode><faultstring>{escape(text)}</faultstring></S:Fault>"
    return 500, {"Content-Type": "text/xml; charset=utf-8"}, _envelope(body)


def _form(headers: dict[str, str], body: bytes) -> dict[str, str]:
    del headers  # browsers send application/x-www-form-urlencoded; the twin reads the body as such regardless
    text = body[:MAX_BODY].decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}


def _expired_text() -> str:
    return "<p>Cette opération de paiement a expiré (plus de 15 minutes) : recommencez depuis le site.</p>"


def _html(status: int, title: str, content: str) -> Response:
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    return status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, page.encode("utf-8")


def _text(status: int, text: str, extra: dict[str, str] | None = None) -> Response:
    return status, {"Content-Type": "text/plain; charset=utf-8", **(extra or {})}, text.encode("utf-8")


def _json(status: int, value: object) -> Response:
    return status, {"Content-Type": "application/json"}, json.dumps(value, ensure_ascii=False).encode("utf-8")
