"""The PayFiP client (`payments_shared.payfip`) against the local twin, with every envelope it sends and every
answer it reads validated against the DGFiP's XSDs; its errors (faults, transport, hostile answers) mapped to
`ProviderError` with the right `retryable` flag, and the client number never in a text."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.error
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from xml.sax import saxutils

import pytest
import xmlschema

from payments_shared.ledger import Detail, Pending, Unknown
from payments_shared.payfip import (
    MAX_AMOUNT_CENTS,
    MAX_ANSWER_BYTES,
    PayfipClient,
    PayfipConfig,
    PaymentProvider,
    PaymentRequest,
    ProviderError,
    create_envelope,
    default_post,
    detail_envelope,
    escape,
    normalize_objet,
)
from poche_local.payfip.twin import PayfipTwin

ROOT = Path(__file__).resolve().parents[3]
INTERFACE = ROOT / "infra" / "poche_local" / "payfip" / "interface"
SCHEMA = xmlschema.XMLSchema(str(INTERFACE / "PaiementSecuriseService_schema1.xsd"))
SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
NS = (
    "{http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/"
    "PaiementSecuriseService}"
)
NUMCLI = "731946"  # a value found nowhere else in the texts checked for leaks
ENDPOINT = "http://127.0.0.1:8000/payfip/tpa/services/securite"
PAGE = "http://127.0.0.1:8000/payfip/tpa/paiementws.web"
START = dt.datetime(2026, 12, 2, 16, 5, 0, tzinfo=dt.UTC)  # 17:05 in Paris (winter time)


def config(**changes: Any) -> PayfipConfig:
    values: dict[str, Any] = {"endpoint": ENDPOINT, "page_url": PAGE, "numcli": NUMCLI, "saisie": "T"}
    values.update(changes)
    return PayfipConfig(**values)


def request(**changes: Any) -> PaymentRequest:
    values: dict[str, Any] = {
        "exer": "2026",
        "refdet": "T2026000123",
        "objet": "Cantine scolaire décembre",
        "amount_cents": 4250,
        "email": "parent@example.fr",
        "urlnotif": "https://api.example.fr/v1/payments/payfip/notify",
        "urlredirect": "https://poche.example.fr/paiement/retour?from=cantine&lang=fr",
    }
    values.update(changes)
    return PaymentRequest(**values)


def body_of(envelope: bytes) -> ET.Element:
    """The one element inside the SOAP Body (the operation, its answer or the Fault)."""
    root = ET.fromstring(envelope)
    assert root.tag == f"{SOAP}Envelope"
    body = root.find(f"{SOAP}Body")
    assert body is not None and len(body) == 1
    return body[0]


def validate_answer(envelope: bytes) -> None:
    """A twin's answer: the operation's response, or a Fault whose detail is one of the WSDL's fault elements."""
    content = body_of(envelope)
    if content.tag == f"{SOAP}Fault":
        detail = content.find("detail")
        if detail is not None:
            assert len(detail) == 1
            SCHEMA.validate(detail[0])
    else:
        SCHEMA.validate(content)


class Wire:
    """The client's transport wired to the twin: every request envelope and every answer validated and kept."""

    def __init__(self, twin: PayfipTwin) -> None:
        self.twin = twin
        self.calls: list[tuple[str, bytes, dict[str, str], float]] = []
        self.answers: list[tuple[int, bytes]] = []

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        self.calls.append((url, body, dict(headers), timeout))
        SCHEMA.validate(body_of(body))
        parts = urlsplit(url)
        status, _, answer = self.twin.handle("POST", parts.path, parts.query, dict(headers), body)
        validate_answer(answer)
        self.answers.append((status, answer))
        return status, answer


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def delivered() -> list[tuple[str, bytes]]:
    return []


@pytest.fixture
def twin(clock: Clock, delivered: list[tuple[str, bytes]]) -> PayfipTwin:
    return PayfipTwin(clock=clock, deliver=lambda url, body: delivered.append((url, body)))


@pytest.fixture
def wire(twin: PayfipTwin) -> Wire:
    return Wire(twin)


@pytest.fixture
def client(wire: Wire) -> PayfipClient:
    return PayfipClient(config(), post=wire)


def answering(status: int, body: bytes) -> Any:
    def post(url: str, data: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        return status, body

    return post


def raising(error: BaseException) -> Any:
    def post(url: str, data: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        raise error

    return post


def fault(kind: str, code: str, descriptif: str = "x") -> bytes:
    return (
        f'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
        f"<faultcode>S:Server</faultcode><faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.{kind}"
        f'</faultstring><detail><ns2:{kind} xmlns:ns2="{NS[1:-1]}"><code>{code}</code>'
        f"<descriptif>{descriptif}</descriptif><severite>2</severite></ns2:{kind}></detail></S:Fault></S:Body>"
        "</S:Envelope>"
    ).encode()


def answer(operation: str, inner: str) -> bytes:
    return (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        f'<ns2:{operation} xmlns:ns2="{NS[1:-1]}">{inner}</ns2:{operation}></S:Body></S:Envelope>'
    ).encode()


def failure(client: PayfipClient, call: str = "detail") -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        if call == "detail":
            client.detail("0f8e7d6c-1111-2222-3333-444455556666")
        else:
            client.create(request())
    error = caught.value
    assert NUMCLI not in str(error) and NUMCLI not in repr(error) and NUMCLI not in error.message
    return error


# --- configuration and request ----------------------------------------------------------------------------------


def test_config_never_shows_the_client_number() -> None:
    cfg = config()
    assert NUMCLI not in repr(cfg) and NUMCLI not in str(cfg) and NUMCLI not in f"{cfg}"
    assert repr(cfg) == (
        f"PayfipConfig(endpoint='{ENDPOINT}', page_url='{PAGE}', numcli='******', saisie='T', timeout_s=10.0)"
    )
    assert NUMCLI not in repr(PayfipClient(cfg))
    assert cfg.numcli == NUMCLI and cfg.timeout_s == 10.0


def test_config_defaults_to_production_urls_when_given_them() -> None:
    cfg = config(
        endpoint="https://www.tipi.budget.gouv.fr/tpa/services/securite",
        page_url="https://www.tipi.budget.gouv.fr/tpa/paiementws.web",
        saisie="W",
        timeout_s=5,
    )
    assert PayfipClient(cfg).page("abc-123") == "https://www.tipi.budget.gouv.fr/tpa/paiementws.web?idop=abc-123"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"numcli": "12345"}, "numcli must be exactly 6 digits"),
        ({"numcli": "12345a"}, "numcli must be exactly 6 digits"),
        ({"numcli": "1234567"}, "numcli must be exactly 6 digits"),
        ({"saisie": "M"}, "saisie must be one of T (test), X (activation), W (production)"),
        ({"endpoint": "http://payfip.example.fr/tpa/services/securite"}, "endpoint must use https"),
        ({"endpoint": "ftp://127.0.0.1/x"}, "endpoint must be an absolute http(s) URL"),
        ({"endpoint": "https://u:p@payfip.example.fr/x"}, "endpoint must not carry credentials"),
        ({"page_url": "/tpa/paiementws.web"}, "page_url must be an absolute http(s) URL"),
        ({"page_url": PAGE + "?a=1"}, "page_url must have no query nor fragment"),
        ({"timeout_s": 0}, "timeout_s must be in ]0, 60] seconds"),
        ({"timeout_s": 61}, "timeout_s must be in ]0, 60] seconds"),
        ({"timeout_s": True}, "timeout_s must be a number of seconds"),
    ],
)
def test_config_refuses_what_cannot_work(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="PayFiP") as caught:
        config(**changes)
    assert message in str(caught.value)
    assert "12345" not in str(caught.value)  # a wrong client number is not echoed either


def test_objet_is_normalised_and_cut_at_a_word() -> None:
    assert normalize_objet("  Cantine  scolaire – décembre\tl'école  ") == "Cantine scolaire decembre l ecole"
    assert normalize_objet("Facture n°12/2026 : eau & assainissement") == "Facture n12 2026 eau assainissement"
    long = " ".join(["restauration"] * 12)  # 155 characters
    cut = normalize_objet(long)
    assert cut == " ".join(["restauration"] * 7) and len(cut) == 90
    assert normalize_objet("x" * 150) == "x" * 100
    assert request(objet="Crèche été 2026").objet == "Creche ete 2026"
    assert len(request(objet=long).objet) == 90


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exer": "1999"}, "exer must be a year 20xx"),
        ({"exer": "26"}, "exer must be a year 20xx"),
        ({"refdet": "A" * 31}, "refdet must be 1 to 30 letters or digits"),
        ({"refdet": "T-2026"}, "refdet must be 1 to 30 letters or digits"),
        ({"refdet": ""}, "refdet must be 1 to 30 letters or digits"),
        ({"objet": "« — »"}, "objet must contain at least one letter or digit"),
        ({"amount_cents": 0}, f"amount_cents must be in 1..{MAX_AMOUNT_CENTS}"),
        ({"amount_cents": MAX_AMOUNT_CENTS + 1}, f"amount_cents must be in 1..{MAX_AMOUNT_CENTS}"),
        ({"amount_cents": 12.5}, "amount_cents must be an integer number of cents"),
        ({"amount_cents": True}, "amount_cents must be an integer number of cents"),
        ({"email": "parent.example.fr"}, "email must be a plausible address"),
        ({"email": "parent@localhost"}, "email must be a plausible address"),
        ({"email": "a b@example.fr"}, "email must be a plausible address"),
        ({"email": "p@" + "a" * 250 + ".fr"}, "email must be a plausible address of at most 254"),
        ({"urlnotif": "http://api.example.fr/notify"}, "urlnotif must use https"),
        ({"urlredirect": "javascript:alert(1)"}, "urlredirect must be an absolute http(s) URL"),
    ],
)
def test_request_refuses_what_payfip_would(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        request(**changes)
    assert message in str(caught.value)


def test_request_bounds_are_inclusive() -> None:
    assert request(amount_cents=1).amount_cents == 1
    assert request(amount_cents=MAX_AMOUNT_CENTS).amount_cents == MAX_AMOUNT_CENTS
    assert request(refdet="A" * 30).refdet == "A" * 30


# --- the envelopes ----------------------------------------------------------------------------------------------


def test_create_envelope_follows_schema2() -> None:
    envelope = create_envelope(config(), request(objet="Cantine <décembre> & goûters"))
    operation = body_of(envelope)
    SCHEMA.validate(operation)
    assert operation.tag == f"{NS}creerPaiementSecurise"
    (arg0,) = list(operation)
    assert arg0.tag == "arg0"
    assert [(child.tag, child.text) for child in arg0] == [
        ("exer", "2026"),
        ("mel", "parent@example.fr"),
        ("montant", "4250"),
        ("numcli", NUMCLI),
        ("objet", "Cantine decembre gouters"),
        ("refdet", "T2026000123"),
        ("saisie", "T"),
        ("urlnotif", "https://api.example.fr/v1/payments/payfip/notify"),
        ("urlredirect", "https://poche.example.fr/paiement/retour?from=cantine&lang=fr"),
    ]
    assert b"&amp;lang=fr" in envelope  # escaped on the wire


def test_escape_is_saxutils_escape() -> None:
    text = "a&b <c> d&amp; \"e\" 'f' é"
    assert escape(text) == saxutils.escape(text) == "a&amp;b &lt;c&gt; d&amp;amp; \"e\" 'f' é"


def test_import_stays_light() -> None:
    """Cold start: the module must not pull urllib.request/http.client/ssl (only the default transport does)."""
    code = (
        "import sys; import payments_shared.payfip; "
        "print(sorted(m for m in ('urllib.request', 'http.client', 'ssl', 'xml.sax.saxutils') if m in sys.modules))"
    )
    paths = os.pathsep.join(str(ROOT / p) for p in ("layers/common/python", "layers/payments/python"))
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_detail_envelope_follows_schema3() -> None:
    operation = body_of(detail_envelope("ab-12"))
    SCHEMA.validate(operation)
    assert operation.tag == f"{NS}recupererDetailPaiementSecurise"
    assert [(c.tag, [(g.tag, g.text) for g in c]) for c in operation] == [("arg0", [("idOp", "ab-12")])]


# --- against the twin -------------------------------------------------------------------------------------------


def test_create_sends_soap11_and_returns_the_idop(client: PayfipClient, wire: Wire, twin: PayfipTwin) -> None:
    provider: PaymentProvider = client
    idop = provider.create(request())
    ((url, _, headers, timeout),) = wire.calls
    assert url == ENDPOINT
    assert headers == {"Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": '""'}
    assert timeout == 10.0
    assert wire.answers[0][0] == 200
    (operation,) = twin.operations()
    assert operation["idop"] == idop
    assert {k: operation[k] for k in ("exer", "refdet", "objet", "montant", "mel", "saisie", "result")} == {
        "exer": "2026",
        "refdet": "T2026000123",
        "objet": "Cantine scolaire decembre",
        "montant": 4250,
        "mel": "parent@example.fr",
        "saisie": "T",
        "result": None,
    }
    assert operation["urlredirect"] == "https://poche.example.fr/paiement/retour?from=cantine&lang=fr"
    assert provider.page(idop) == f"{PAGE}?idop={idop}"


def test_detail_is_pending_until_a_result_then_the_detail(
    client: PayfipClient, twin: PayfipTwin, clock: Clock, wire: Wire
) -> None:
    idop = client.create(request())
    assert client.detail(idop) == Pending()
    assert client.detail(idop) == Pending()  # safe to repeat
    assert wire.answers[-1][0] == 500  # P5 travels as a SOAP fault
    clock.now = START + dt.timedelta(minutes=3)
    twin.choose(idop, "P")
    detail = client.detail(idop)
    assert isinstance(detail, Detail)
    numauto = twin.operations()[0]["numauto"]
    assert isinstance(numauto, str) and len(numauto) == 6 and numauto.isdigit()
    assert detail == Detail(
        idop=idop,
        resultrans="P",
        montant=4250,
        exer="2026",
        refdet="T2026000123",
        numauto=numauto,
        dattrans="02122026",
        heurtrans="1708",  # 16:08 UTC is 17:08 in Paris
    )
    assert detail.transaction_at() == START + dt.timedelta(minutes=3)


def test_detail_dates_are_paris_time_in_summer(client: PayfipClient, twin: PayfipTwin, clock: Clock) -> None:
    clock.now = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in Paris
    idop = client.create(request())
    twin.choose(idop, "R")
    detail = client.detail(idop)
    assert isinstance(detail, Detail)
    assert (detail.resultrans, detail.numauto, detail.dattrans, detail.heurtrans) == ("R", "", "02072026", "0030")


def test_unknown_and_purged_idops_are_unknown(client: PayfipClient, clock: Clock) -> None:
    assert client.detail("0f8e7d6c-1111-2222-3333-444455556666") == Unknown()
    idop = client.create(request())
    clock.now = START + dt.timedelta(hours=23, minutes=59)
    assert client.detail(idop) == Pending()
    clock.now = START + dt.timedelta(days=1)
    assert client.detail(idop) == Unknown()


def test_functional_fault_on_create_is_final(wire: Wire, twin: PayfipTwin) -> None:
    strict = PayfipTwin(numclis={"111111"})
    client = PayfipClient(config(), post=Wire(strict))
    error = failure(client, "create")
    assert (error.code, error.retryable) == ("TWIN-NUMCLI", False)
    assert "creerPaiementSecurise: FonctionnelleErreur" in error.message
    assert strict.operations() == []


@pytest.mark.parametrize("kind", ["TechDysfonctionnementErreur", "TechIndisponibiliteErreur", "TechProtocolaireErreur"])
@pytest.mark.parametrize("call", ["create", "detail"])
def test_technical_faults_are_retryable(client: PayfipClient, twin: PayfipTwin, kind: str, call: str) -> None:
    twin.fail_next(kind, code="T3", descriptif="Service momentanément indisponible")
    error = failure(client, call)
    assert (error.code, error.retryable) == ("T3", True)
    operation = "creerPaiementSecurise" if call == "create" else "recupererDetailPaiementSecurise"
    assert error.message == f"{operation}: {kind} Service momentanément indisponible"
    assert client.detail("0f8e7d6c-1111-2222-3333-444455556666") == Unknown()  # the next call works


def test_other_functional_faults_on_detail_are_final(client: PayfipClient, twin: PayfipTwin) -> None:
    twin.fail_next("FonctionnelleErreur", code="P2", descriptif="Paramètre invalide")
    error = failure(client)
    assert (error.code, error.retryable) == ("P2", False)


def test_p5_on_create_is_not_a_pending_answer(client: PayfipClient, twin: PayfipTwin) -> None:
    twin.fail_next("FonctionnelleErreur", code="P5")
    error = failure(client, "create")
    assert (error.code, error.retryable) == ("P5", False)


def test_fault_texts_quoting_the_client_number_are_scrubbed() -> None:
    client = PayfipClient(
        config(), post=answering(500, fault("FonctionnelleErreur", "R3", f"client {NUMCLI} non actif"))
    )
    error = failure(client, "create")
    assert error.message == "creerPaiementSecurise: FonctionnelleErreur client ****** non actif"
    assert error.retryable is False


# --- transport and hostile answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TimeoutError("timed out"), "timeout"),
        (urllib.error.URLError(TimeoutError("timed out")), "timeout"),
        (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")), "network"),
        (ConnectionResetError(104, "Connection reset by peer"), "network"),
        (ProviderError("oversize", f"answer larger than {MAX_ANSWER_BYTES} bytes", retryable=True), "oversize"),
    ],
)
def test_transport_failures_are_retryable(error: BaseException, code: str) -> None:
    failed = failure(PayfipClient(config(), post=raising(error)))
    assert (failed.code, failed.retryable) == (code, True)


@pytest.mark.parametrize(
    ("status", "body", "code", "retryable"),
    [
        (503, b"<html>Service Unavailable</html>", "http-503", True),
        (502, b"", "http-502", True),
        (429, b"", "http-429", True),
        (404, b"<html>Not Found</html>", "http-404", False),
        (302, b"", "http-302", False),
        (500, b"<html><body>Internal error</body></html>", "malformed", True),
        (500, b"not xml at all", "malformed", True),
        (200, b"<?xml version='1.0'?><a><b></a>", "malformed", True),
        (200, answer("creerPaiementSecuriseResponse", "<return><idOp>x</idOp></return>"), "malformed", True),
        (200, answer("recupererDetailPaiementSecuriseResponse", ""), "malformed", True),
        (
            500,
            b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
            b"<faultcode>S:Server</faultcode><faultstring>java.lang.NullPointerException</faultstring>"
            b"</S:Fault></S:Body></S:Envelope>",
            "fault",
            True,
        ),
    ],
)
def test_unusable_answers(status: int, body: bytes, code: str, retryable: bool) -> None:
    error = failure(PayfipClient(config(), post=answering(status, body)))
    assert (error.code, error.retryable) == (code, retryable)


def test_doctype_and_entities_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>&lol2;</S:Body></S:Envelope>'
    )
    error = failure(PayfipClient(config(), post=answering(200, bomb)))
    assert (error.code, error.retryable) == ("malformed", True)
    assert "DOCTYPE" in error.message
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    error = failure(PayfipClient(config(), post=answering(200, xxe)))
    assert (error.code, error.retryable) == ("malformed", True)


def test_oversize_answers_are_refused() -> None:
    big = answer("recupererDetailPaiementSecurise", "<return>" + "x" * MAX_ANSWER_BYTES + "</return>")
    error = failure(PayfipClient(config(), post=answering(200, big)))
    assert (error.code, error.retryable) == ("oversize", True)


@pytest.mark.parametrize(
    ("inner", "missing"),
    [
        ("<idOp>a-1</idOp><montant>10</montant><exer>2026</exer><refdet>R1</refdet>", "resultrans"),
        ("<idOp>a-1</idOp><resultrans>P</resultrans><exer>2026</exer><refdet>R1</refdet>", "montant"),
    ],
)
def test_detail_without_its_fields_is_malformed(inner: str, missing: str) -> None:
    body = answer("recupererDetailPaiementSecuriseResponse", f"<return>{inner}</return>")
    error = failure(PayfipClient(config(), post=answering(200, body)))
    assert (error.code, error.retryable) == ("malformed", True)
    assert error.message == f"recupererDetailPaiementSecurise: detail without {missing}"


def test_detail_with_a_montant_that_is_not_cents_is_malformed() -> None:
    inner = "<idOp>a-1</idOp><resultrans>P</resultrans><montant>42,50</montant><exer>2026</exer><refdet>R1</refdet>"
    body = answer("recupererDetailPaiementSecuriseResponse", f"<return>{inner}</return>")
    error = failure(PayfipClient(config(), post=answering(200, body)))
    assert (error.code, error.retryable) == ("malformed", True)


def test_create_answer_without_a_usable_idop_is_malformed() -> None:
    body = answer("creerPaiementSecuriseResponse", "<return><idOp>a b</idOp></return>")
    error = failure(PayfipClient(config(), post=answering(200, body)), "create")
    assert (error.code, error.retryable) == ("malformed", True)


def test_idops_are_checked_before_any_call() -> None:
    calls: list[str] = []

    def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        calls.append(url)
        return 200, b""

    client = PayfipClient(config(), post=post)
    with pytest.raises(ValueError, match="not an idOp"):
        client.detail("a&b")
    with pytest.raises(ValueError, match="not an idOp"):
        client.page("../x")
    assert calls == []


# --- the default transport, against a real local server ---------------------------------------------------------


class _Server(http.server.BaseHTTPRequestHandler):
    mode = "ok"
    seen: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append((self.path, dict(self.headers.items()), body))
        if self.mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(20):
                try:
                    self.wfile.write(b"<")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
            return
        payload = b"<" * (MAX_ANSWER_BYTES + 10) if self.mode == "big" else b"<ok/>"
        self.send_response(500 if self.mode == "error" else 200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Server]]]:
    class Handler(_Server):
        seen: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    handler = Handler
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/payfip/tpa/services/securite", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_default_post_sends_and_reads(server: tuple[str, type[_Server]]) -> None:
    url, handler = server
    assert default_post(url, b"<x/>", {"Content-Type": "text/xml"}, 5) == (200, b"<ok/>")
    ((path, headers, body),) = handler.seen
    assert (path, headers["Content-Type"], body) == ("/payfip/tpa/services/securite", "text/xml", b"<x/>")
    handler.mode = "error"
    assert default_post(url, b"<x/>", {}, 5) == (500, b"<ok/>")


def test_default_post_does_not_follow_redirects(server: tuple[str, type[_Server]]) -> None:
    url, handler = server
    handler.mode = "redirect"
    assert default_post(url, b"<x/>", {}, 5) == (302, b"")
    assert len(handler.seen) == 1


def test_default_post_bounds_the_answer(server: tuple[str, type[_Server]]) -> None:
    url, handler = server
    handler.mode = "big"
    with pytest.raises(ProviderError) as caught:
        default_post(url, b"<x/>", {}, 5)
    assert (caught.value.code, caught.value.retryable) == ("oversize", True)


def test_default_post_has_one_deadline(server: tuple[str, type[_Server]]) -> None:
    url, handler = server
    handler.mode = "slow"  # a byte every 0.1 s: no read times out, the whole exchange does
    started = time.monotonic()
    client = PayfipClient(config(endpoint=url, timeout_s=0.5))
    error = failure(client)
    assert (error.code, error.retryable) == ("timeout", True)
    assert time.monotonic() - started < 1.5


def test_default_post_refused_connection_is_retryable() -> None:
    closed = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    port = closed.server_address[1]
    closed.server_close()
    client = PayfipClient(config(endpoint=f"http://127.0.0.1:{port}/payfip/tpa/services/securite", timeout_s=2))
    error = failure(client)
    assert (error.code, error.retryable) == ("network", True)
