"""PayFiP (DGFiP) behind a small port: create a payment (an idOp), ask its authoritative result, and the URL of
its payment page.

Why a hand-written SOAP client: the service has two document/literal SOAP 1.1 operations with flat string fields
(the interface files are in `infra/poche_local/payfip/interface/`), and this module runs in AWS Lambda where a
cold start pays for every import. A SOAP library (zeep: lxml, requests...) would cost far more than the envelopes,
which are string templates with every value escaped (`escape`: what `xml.sax.saxutils.escape` does, written here
because importing `xml.sax.saxutils` imports `urllib.request`, hence `http.client`, `ssl` and `email`). Answers
are parsed with `poche_common.safexml` (no DOCTYPE, no entities, bounded depth) and matched by local name, since
JAX-WS picks its own prefixes. `urllib.request` is imported only when the default transport first sends something.

What the rules above this port rely on (`ledger.judge`): `detail` answers `Detail` once a result exists,
`Pending` on fault P5 (no result yet), `Unknown` on fault P1 (unknown or purged idOp). Every other failure is a
`ProviderError` whose `retryable` flag says whether asking again later may work: functional faults (the request
itself is refused) are final; technical faults, HTTP 5xx, timeouts and answers that cannot be read are not.

The client number (numcli) identifies the authority's PayFiP contract: it never reaches a log. The config's
`repr` hides it and every `ProviderError` message is scrubbed of it.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from . import keys
from .errors import ProviderError, one_line
from .ledger import Answer, Detail, Pending, Unknown

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

PRODUCTION_ENDPOINT = "https://www.tipi.budget.gouv.fr/tpa/services/securite"
PRODUCTION_PAGE_URL = "https://www.tipi.budget.gouv.fr/tpa/paiementws.web"

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/"
    "PaiementSecuriseService"
)
# The WSDL's binding: SOAP 1.1 over HTTP, document/literal, soapAction "" for every operation.
SOAP_HEADERS: Mapping[str, str] = {"Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": '""'}

SAISIES = frozenset({"T", "X", "W"})  # test, activation, production
NUMCLI = re.compile(r"\d{6}")
MIN_AMOUNT_CENTS = 1
MAX_AMOUNT_CENTS = 100_000_000  # neither the XSD nor the DGFiP's notes give a maximum: a bound against typos
OBJET_MAX = 100
EMAIL_MAX = 254
URL_MAX = 2000
MAX_ANSWER_BYTES = 256 * 1024  # PayFiP's answers are a few hundred bytes; more is not PayFiP talking
MAX_TIMEOUT_S = 60.0

FUNCTIONAL_FAULT = "FonctionnelleErreur"
TECHNICAL_FAULTS = frozenset({"TechDysfonctionnementErreur", "TechIndisponibiliteErreur", "TechProtocolaireErreur"})
PENDING_CODE = "P5"  # no result yet for this idOp
UNKNOWN_CODE = "P1"  # unknown idOp (never created, or purged after about a day)

_EMAIL = re.compile(
    r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Post = Callable[[str, bytes, Mapping[str, str], float], tuple[int, bytes]]
"""The transport: (url, body, headers, timeout in seconds) -> (HTTP status, body). Raises `ProviderError`
(timeout, oversize answer, network) or `OSError`/`TimeoutError`, which the client maps to a retryable error."""


def _one_line(text: str, limit: int) -> str:
    return one_line(text, limit)


def _check_url(value: str, what: str) -> None:
    """An absolute http(s) URL; plain http only to the machine itself (the local twin)."""
    if not isinstance(value, str) or not value or len(value) > URL_MAX or _CONTROL.search(value) or " " in value:
        raise ValueError(f"{what} must be an absolute URL of at most {URL_MAX} characters, without spaces")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{what} must be an absolute http(s) URL, got {value[:80]!r}")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ValueError(f"{what} must use https (plain http is accepted only for 127.0.0.1/localhost)")
    if parts.username or parts.password:
        raise ValueError(f"{what} must not carry credentials")


@dataclass(frozen=True)
class PayfipConfig:
    """How to reach PayFiP for one authority. `numcli` (6 digits) is its contract number: never shown by
    `repr`/`str`. `saisie`: T test, X activation (the DGFiP's acceptance step), W production."""

    endpoint: str
    page_url: str
    numcli: str = field(repr=False)
    saisie: str
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        _check_url(self.endpoint, "PayFiP endpoint")
        _check_url(self.page_url, "PayFiP page_url")
        if urlsplit(self.page_url).query or urlsplit(self.page_url).fragment:
            raise ValueError("PayFiP page_url must have no query nor fragment (the idop is appended to it)")
        if not isinstance(self.numcli, str) or not NUMCLI.fullmatch(self.numcli):
            raise ValueError("PayFiP numcli must be exactly 6 digits (the value is not shown)")
        if self.saisie not in SAISIES:
            raise ValueError(
                f"PayFiP saisie must be one of T (test), X (activation), W (production), got {self.saisie!r}"
            )
        if isinstance(self.timeout_s, bool) or not isinstance(self.timeout_s, int | float):
            raise ValueError("PayFiP timeout_s must be a number of seconds")
        if not 0 < self.timeout_s <= MAX_TIMEOUT_S:
            raise ValueError(f"PayFiP timeout_s must be in ]0, {MAX_TIMEOUT_S:g}] seconds, got {self.timeout_s!r}")

    def __repr__(self) -> str:
        return (
            f"PayfipConfig(endpoint={self.endpoint!r}, page_url={self.page_url!r}, numcli='******', "
            f"saisie={self.saisie!r}, timeout_s={self.timeout_s!r})"
        )

    __str__ = __repr__


def normalize_objet(text: str) -> str:
    """The label as PayFiP takes it: letters, digits and spaces (accents dropped, apostrophes and hyphens become
    spaces, other signs removed, spaces collapsed), cut to 100 characters at the last word that fits.

    Why truncate rather than refuse: the label only helps the payer and the accountant recognise the debt, which
    exer and refdet identify; refusing a payment over a long label would block the citizen for nothing. The
    restricted alphabet is what PayFiP integrations long in use send (eopayment normalises the same way); the
    callers store this normalised label, so what the ledger holds is what PayFiP shows."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['’\-_/]", " ", ascii_text)
    ascii_text = re.sub(r"[^A-Za-z0-9\s]", "", ascii_text)
    words = ascii_text.split()
    label = " ".join(words)
    if len(label) <= OBJET_MAX:
        return label
    cut = label[: OBJET_MAX + 1].rsplit(" ", 1)[0] if " " in label[: OBJET_MAX + 1] else ""
    return (cut or label[:OBJET_MAX]).rstrip()


@dataclass(frozen=True)
class PaymentRequest:
    """One attempt to pay a debt, checked against what PayFiP accepts: exer a year (20xx), refdet alphanumeric
    (≤ 30), `objet` normalised by `normalize_objet` (≤ 100, never refused for its length; refused only when
    nothing is left), amount in integer cents within [MIN_AMOUNT_CENTS, MAX_AMOUNT_CENTS], a plausible e-mail
    (≤ 254), and absolute http(s) URLs for the notification and the browser's return."""

    exer: str
    refdet: str
    objet: str
    amount_cents: int
    email: str
    urlnotif: str
    urlredirect: str

    def __post_init__(self) -> None:
        if not isinstance(self.exer, str) or not keys.EXER.fullmatch(self.exer):
            raise ValueError(f"exer must be a year 20xx, got {self.exer!r}")
        if not isinstance(self.refdet, str) or not keys.REFDET.fullmatch(self.refdet):
            raise ValueError(f"refdet must be 1 to 30 letters or digits, got {str(self.refdet)[:40]!r}")
        objet = normalize_objet(self.objet) if isinstance(self.objet, str) else ""
        if not objet:
            raise ValueError("objet must contain at least one letter or digit")
        object.__setattr__(self, "objet", objet)
        if isinstance(self.amount_cents, bool) or not isinstance(self.amount_cents, int):
            raise ValueError(f"amount_cents must be an integer number of cents, got {self.amount_cents!r}")
        if not MIN_AMOUNT_CENTS <= self.amount_cents <= MAX_AMOUNT_CENTS:
            raise ValueError(f"amount_cents must be in {MIN_AMOUNT_CENTS}..{MAX_AMOUNT_CENTS}, got {self.amount_cents}")
        if not isinstance(self.email, str) or len(self.email) > EMAIL_MAX or not _EMAIL.fullmatch(self.email):
            raise ValueError(f"email must be a plausible address of at most {EMAIL_MAX} characters")
        _check_url(self.urlnotif, "urlnotif")
        _check_url(self.urlredirect, "urlredirect")


class PaymentProvider(Protocol):
    """The port the payments functions use (PayFiP here, the local twin in `make run`, fakes in unit tests)."""

    def create(self, request: PaymentRequest) -> str:
        """Register the attempt; its idOp (valid 15 minutes for the payment page). Raises ProviderError."""
        ...

    def detail(self, idop: str) -> Answer:
        """The authoritative state of an attempt: Detail, Pending (P5) or Unknown (P1). Safe to repeat.
        Raises ProviderError."""
        ...

    def page(self, idop: str) -> str:
        """The URL the payer's browser goes to for this idOp."""
        ...


# --- the wire ------------------------------------------------------------------------------------------------------

_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:pai="{SERVICE_NS}">'
    "<soap:Body><pai:{operation}><arg0>{fields}</arg0></pai:{operation}></soap:Body></soap:Envelope>"
)


def escape(value: str) -> str:
    """Text content for XML: `&`, `<`, `>` escaped (the same result as `xml.sax.saxutils.escape`)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _envelope(operation: str, fields: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields)
    return _ENVELOPE.format(operation=operation, fields=body).encode("utf-8")


def create_envelope(config: PayfipConfig, request: PaymentRequest) -> bytes:
    """`creerPaiementSecurise`'s request, its fields in the order of schema2.xsd."""
    return _envelope(
        "creerPaiementSecurise",
        [
            ("exer", request.exer),
            ("mel", request.email),
            ("montant", str(request.amount_cents)),
            ("numcli", config.numcli),
            ("objet", request.objet),
            ("refdet", request.refdet),
            ("saisie", config.saisie),
            ("urlnotif", request.urlnotif),
            ("urlredirect", request.urlredirect),
        ],
    )


def detail_envelope(idop: str) -> bytes:
    """`recupererDetailPaiementSecurise`'s request (schema3.xsd: RecupererDetailPaiementSecuriseRequest)."""
    return _envelope("recupererDetailPaiementSecurise", [("idOp", idop)])


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _texts(element: ET.Element) -> dict[str, str]:
    return {_local(child.tag): (child.text or "").strip() for child in element}


def default_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
    """POST with urllib: one deadline for the whole exchange, no redirect followed (a SOAP endpoint that
    redirects is misconfigured), at most MAX_ANSWER_BYTES read. Non-2xx statuses are returned, not raised."""
    import urllib.error
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 (https, checked)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        status = int(response.status if response.status is not None else response.code)
        # read1: what has arrived (one socket read at most), so a server sending a byte at a time meets the deadline
        read = getattr(response, "read1", response.read)
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise ProviderError("timeout", f"no complete answer within {timeout:g} s", retryable=True)
            chunk = read(16384)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise ProviderError("oversize", f"answer larger than {MAX_ANSWER_BYTES} bytes", retryable=True)
            chunks.append(chunk)
    return status, b"".join(chunks)


class PayfipClient:
    """`PaymentProvider` over PayFiP's SOAP service. `post` is the transport (tests wire it to the local twin)."""

    def __init__(self, config: PayfipConfig, post: Post | None = None) -> None:
        self.config = config
        self._post: Post = post or default_post

    def __repr__(self) -> str:
        return f"PayfipClient({self.config!r})"

    def create(self, request: PaymentRequest) -> str:
        answer = self._call("creerPaiementSecurise", create_envelope(self.config, request))
        if isinstance(answer, str):
            raise self._error(answer, f"creerPaiementSecurise refused ({answer})", retryable=False)
        idop = _texts(answer).get("idOp", "")
        if not keys.IDOP.fullmatch(idop):
            raise self._error("malformed", "creerPaiementSecurise answered no usable idOp", retryable=True)
        return idop

    def detail(self, idop: str) -> Answer:
        if not isinstance(idop, str) or not keys.IDOP.fullmatch(idop):
            raise ValueError(f"not an idOp: {str(idop)[:70]!r}")
        answer = self._call("recupererDetailPaiementSecurise", detail_envelope(idop))
        if answer == PENDING_CODE:
            return Pending()
        if answer == UNKNOWN_CODE:
            return Unknown()
        if isinstance(answer, str):  # _call only returns P1/P5 as codes
            raise self._error(answer, "unexpected fault", retryable=False)
        fields = _texts(answer)
        missing = [name for name in ("idOp", "resultrans", "montant", "exer", "refdet") if not fields.get(name)]
        if missing:
            raise self._error(
                "malformed", f"recupererDetailPaiementSecurise: detail without {', '.join(missing)}", retryable=True
            )
        if not fields["montant"].isascii() or not fields["montant"].isdigit():
            raise self._error(
                "malformed", "recupererDetailPaiementSecurise: montant is not a number of cents", retryable=True
            )
        return Detail(
            idop=fields["idOp"],
            resultrans=fields["resultrans"],
            montant=int(fields["montant"]),
            exer=fields["exer"],
            refdet=fields["refdet"],
            numauto=fields.get("numauto", ""),
            dattrans=fields.get("dattrans", ""),
            heurtrans=fields.get("heurtrans", ""),
        )

    def page(self, idop: str) -> str:
        if not isinstance(idop, str) or not keys.IDOP.fullmatch(idop):
            raise ValueError(f"not an idOp: {str(idop)[:70]!r}")
        return f"{self.config.page_url}?idop={idop}"

    # --- one exchange ------------------------------------------------------------------------------------------------

    def _error(self, code: str, message: str, *, retryable: bool) -> ProviderError:
        """A ProviderError whose texts never carry the client number, even when PayFiP's own text quotes it."""
        numcli = self.config.numcli
        return ProviderError(code.replace(numcli, "******"), message.replace(numcli, "******"), retryable=retryable)

    def _call(self, operation: str, envelope: bytes) -> ET.Element | str:
        """The `return` element of the operation's answer, or the fault code P1/P5 (the only functional faults
        with a meaning for the caller); every other outcome raises ProviderError."""
        from poche_common.errors import FeedFormatError
        from poche_common.safexml import parse_xml

        try:
            status, body = self._post(self.config.endpoint, envelope, SOAP_HEADERS, float(self.config.timeout_s))
        except ProviderError as error:
            raise self._error(error.code, error.message, retryable=error.retryable) from None
        except TimeoutError:
            raise self._error(
                "timeout", f"{operation}: no answer within {self.config.timeout_s:g} s", retryable=True
            ) from None
        except OSError as error:  # URLError, connection refused or reset, DNS...
            reason = getattr(error, "reason", None) or error.strerror or type(error).__name__
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise self._error(
                    "timeout", f"{operation}: no answer within {self.config.timeout_s:g} s", retryable=True
                ) from None
            raise self._error("network", f"{operation}: {reason}", retryable=True) from None
        if len(body) > MAX_ANSWER_BYTES:
            raise self._error("oversize", f"{operation}: answer larger than {MAX_ANSWER_BYTES} bytes", retryable=True)
        if status not in (200, 500):
            retryable = status >= 500 or status in (408, 429)
            raise self._error(f"http-{status}", f"{operation}: HTTP status {status}", retryable=retryable)
        try:
            root = parse_xml(body)
        except FeedFormatError as error:
            raise self._error("malformed", f"{operation}: unreadable answer ({error})", retryable=True) from None
        soap_body = _child(root, "Body") if _local(root.tag) == "Envelope" else None
        content = next(iter(soap_body), None) if soap_body is not None else None
        if content is None:
            raise self._error("malformed", f"{operation}: not a SOAP envelope (HTTP {status})", retryable=True)
        if _local(content.tag) == "Fault":
            return self._fault(operation, content)
        if status != 200 or _local(content.tag) != f"{operation}Response":
            raise self._error(
                "malformed", f"{operation}: unexpected answer {_local(content.tag)!r} (HTTP {status})", retryable=True
            )
        result = _child(content, "return")
        if result is None:
            raise self._error("malformed", f"{operation}: answer without its return element", retryable=True)
        return result

    def _fault(self, operation: str, fault: ET.Element) -> str:
        detail = _child(fault, "detail")
        kinds = list(detail) if detail is not None else []
        kind_element = next((k for k in kinds if _local(k.tag) in TECHNICAL_FAULTS | {FUNCTIONAL_FAULT}), None)
        faultstring = (_texts(fault).get("faultstring") or "").rsplit(".", 1)[-1]
        if kind_element is None:  # a fault without PayFiP's detail: the server or a proxy in front of it failed
            raise self._error("fault", f"{operation}: SOAP fault without detail ({faultstring})", retryable=True)
        kind = _local(kind_element.tag)
        fields = _texts(kind_element)
        code = fields.get("code") or kind
        text = fields.get("descriptif") or fields.get("libelle") or fields.get("message") or ""
        if kind == FUNCTIONAL_FAULT:
            if operation == "recupererDetailPaiementSecurise" and code in (PENDING_CODE, UNKNOWN_CODE):
                return code
            raise self._error(code, f"{operation}: {kind} {text}".rstrip(), retryable=False)
        raise self._error(code, f"{operation}: {kind} {text}".rstrip(), retryable=True)
