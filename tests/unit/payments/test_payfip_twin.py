"""The local PayFiP twin (`poche_local.payfip`): its SOAP answers checked against the DGFiP's interface, its
payment page (choices, notification, browser return, 15-minute expiry, purge after a day), the control endpoint,
thread safety, and `poche payfip pay` against a twin served over real HTTP."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.server
import json
import logging
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
import xmlschema
from xmlschema.extras.wsdl import Wsdl11Document

from poche_local.payfip import PayfipTwin, cli
from poche_local.payfip.twin import default_deliver

INTERFACE = Path(__file__).resolve().parents[3] / "infra" / "poche_local" / "payfip" / "interface"
SCHEMA = xmlschema.XMLSchema(str(INTERFACE / "PaiementSecuriseService_schema1.xsd"))
SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
TNS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/"
    "PaiementSecuriseService"
)
SERVICE = "/payfip/tpa/services/securite"
PAGE = "/payfip/tpa/paiementws.web"
START = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)  # 10:30 in Paris
XML = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FIELDS = {
    "exer": "2026",
    "mel": "parent@example.fr",
    "montant": "4250",
    "numcli": "123456",
    "objet": "Cantine decembre",
    "refdet": "T2026000123",
    "saisie": "T",
    "urlnotif": "http://127.0.0.1:8000/v1/payments/payfip/notify",
    "urlredirect": "http://127.0.0.1:8000/paiement/retour",
}
# The interface files, byte for byte as the DGFiP publishes them (SOURCES §14): a change here is a change of contract.
DIGESTS = {
    "PaiementSecuriseService.wsdl": "461e94ed4870ef5708fc300bc6598f0beafaa683b7551345830c13e53593b170",
    "PaiementSecuriseService_schema1.xsd": "4c3562dbe4246fd5bc773893b68852d601164993c6701e2f69b8624e01f836a2",
    "PaiementSecuriseService_schema2.xsd": "b6a1912a00a87485c28b97f85ad136de4074b9463ba53441cbf5035df92a334e",
    "PaiementSecuriseService_schema3.xsd": "6726d27412f610021b77d9afc189165c2735b902ef6e8ac063dff8604279a760",
}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def delivered() -> list[tuple[str, bytes]]:
    return []


@pytest.fixture
def twin(clock: Clock, delivered: list[tuple[str, bytes]]) -> PayfipTwin:
    return PayfipTwin(clock=clock, deliver=lambda url, body: delivered.append((url, body)))


def envelope(operation: str, fields: dict[str, str]) -> bytes:
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    text = (
        f'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="{TNS}"><soap:Body>'
        f"<p:{operation}><arg0>{inner}</arg0></p:{operation}></soap:Body></soap:Envelope>"
    )
    return text.encode()


def soap(twin: PayfipTwin, operation: str, fields: dict[str, str]) -> tuple[int, ET.Element]:
    """Call the twin; the answer's content (response or Fault), validated against the interface."""
    status, headers, body = twin.handle("POST", SERVICE, "", dict(XML), envelope(operation, fields))
    assert headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(body)
    assert root.tag == f"{SOAP}Envelope"
    (content,) = list(root.find(f"{SOAP}Body") or [])
    if content.tag == f"{SOAP}Fault":
        assert status == 500
        detail = content.find("detail")
        if detail is not None:
            SCHEMA.validate(detail[0])
    else:
        assert status == 200
        SCHEMA.validate(content)
    return status, content


def create(twin: PayfipTwin, **changes: str) -> str:
    status, content = soap(twin, "creerPaiementSecurise", {**FIELDS, **changes})
    assert status == 200, ET.tostring(content)
    assert content.tag == f"{{{TNS}}}creerPaiementSecuriseResponse"
    idop = content.findtext("return/idOp")
    assert idop is not None and re.fullmatch(r"[0-9a-f-]{36}", idop)
    return idop


def fault_of(content: ET.Element) -> dict[str, str]:
    assert content.tag == f"{SOAP}Fault"
    detail = content.find("detail")
    assert detail is not None
    (kind,) = list(detail)
    return {"kind": kind.tag, **{child.tag: child.text or "" for child in kind}}


def detail(twin: PayfipTwin, idop: str) -> dict[str, str] | str:
    """The detail's fields, or the fault code."""
    _, content = soap(twin, "recupererDetailPaiementSecurise", {"idOp": idop})
    if content.tag == f"{SOAP}Fault":
        return fault_of(content)["code"]
    answer = content.find("return")
    assert answer is not None
    return {child.tag: child.text or "" for child in answer}


# --- interface --------------------------------------------------------------------------------------------------


def test_interface_files_are_the_published_ones() -> None:
    for name, digest in DIGESTS.items():
        assert hashlib.sha256((INTERFACE / name).read_bytes()).hexdigest() == digest, name
    readme = (INTERFACE / "README.md").read_text()
    assert "eopayment" in readme and "/tpa/services/securite?wsdl" in readme


def test_wsdl_loads_with_its_schemas_from_the_folder() -> None:
    wsdl = Wsdl11Document(str(INTERFACE / "PaiementSecuriseService.wsdl"))
    (binding,) = wsdl.bindings.values()
    assert (binding.soap_transport, binding.soap_style) == ("http://schemas.xmlsoap.org/soap/http", "document")
    operations = {name[0]: op for name, op in binding.operations.items()}
    assert set(operations) == {"creerPaiementSecurise", "recupererDetailPaiementSecurise", "recupererDetailClient"}
    for op in operations.values():
        assert op.soap_action == ""
        assert set(op.faults) == {
            "FonctionnelleErreur",
            "TechDysfonctionnementErreur",
            "TechIndisponibiliteErreur",
            "TechProtocolaireErreur",
        }


def test_wsdl_and_schemas_are_served(twin: PayfipTwin) -> None:
    status, headers, body = twin.handle("GET", SERVICE, "wsdl", {}, b"")
    assert (status, headers["Content-Type"]) == (200, "text/xml; charset=utf-8")
    assert body == (INTERFACE / "PaiementSecuriseService.wsdl").read_bytes()
    status, _, body = twin.handle("GET", "/payfip/tpa/services/PaiementSecuriseService_schema2.xsd", "", {}, b"")
    assert (status, body) == (200, (INTERFACE / "PaiementSecuriseService_schema2.xsd").read_bytes())
    assert twin.handle("GET", "/payfip/tpa/services/../../etc/passwd", "", {}, b"")[0] == 404
    assert twin.handle("GET", "/payfip/nothing", "", {}, b"")[0] == 404
    assert twin.handle("DELETE", SERVICE, "", {}, b"")[0] == 405


# --- SOAP -------------------------------------------------------------------------------------------------------


def test_create_records_the_operation(twin: PayfipTwin) -> None:
    idop = create(twin)
    (operation,) = twin.operations()
    assert operation == {
        "idop": idop,
        "created_at": "2026-12-02T09:30:00+00:00",
        "exer": "2026",
        "refdet": "T2026000123",
        "objet": "Cantine decembre",
        "montant": 4250,
        "mel": "parent@example.fr",
        "saisie": "T",
        "urlnotif": FIELDS["urlnotif"],
        "urlredirect": FIELDS["urlredirect"],
        "result": None,
        "numauto": "",
        "dattrans": "",
        "heurtrans": "",
        "notified": False,
        "expired": False,
    }
    assert create(twin) != idop  # one idOp per attempt


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"numcli": "12345"}, "TWIN-NUMCLI"),
        ({"saisie": "M"}, "TWIN-SAISIE"),
        ({"exer": "26"}, "TWIN-EXER"),
        ({"refdet": "T-1"}, "TWIN-REFDET"),
        ({"refdet": "A" * 31}, "TWIN-REFDET"),
        ({"montant": "0"}, "TWIN-MONTANT"),
        ({"montant": "42.50"}, "TWIN-MONTANT"),
        ({"objet": "x" * 101}, "TWIN-OBJET"),
        ({"mel": "parent"}, "TWIN-MEL"),
        ({"urlnotif": "ftp://x/y"}, "TWIN-URL"),
        ({"urlredirect": ""}, "TWIN-URL"),
    ],
)
def test_create_validation_faults(twin: PayfipTwin, changes: dict[str, str], code: str) -> None:
    status, content = soap(twin, "creerPaiementSecurise", {**FIELDS, **changes})
    found = fault_of(content)
    assert (status, found["kind"], found["code"], found["severite"]) == (
        500,
        f"{{{TNS}}}FonctionnelleErreur",
        code,
        "2",
    )
    assert found["descriptif"]
    assert content.findtext("faultstring") == "fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur"
    assert twin.operations() == []


def test_known_client_numbers(clock: Clock) -> None:
    twin = PayfipTwin(clock=clock, deliver=lambda url, body: None, numclis={"123456"})
    create(twin)
    _, content = soap(twin, "creerPaiementSecurise", {**FIELDS, "numcli": "654321"})
    assert fault_of(content)["code"] == "TWIN-NUMCLI"
    _, content = soap(twin, "recupererDetailClient", {"numCli": "123456"})
    assert content.findtext("return/numcli") == "123456"


def test_detail_p5_then_result_then_p1(twin: PayfipTwin, clock: Clock) -> None:
    idop = create(twin)
    assert detail(twin, idop) == "P5"
    clock.now = START + dt.timedelta(minutes=4, seconds=30)
    twin.choose(idop, "V", notify=False)
    found = detail(twin, idop)
    assert isinstance(found, dict)
    assert re.fullmatch(r"\d{6}", found.pop("numauto"))
    assert found == {
        "dattrans": "02122026",
        "exer": "2026",
        "heurtrans": "1034",
        "idOp": idop,
        "mel": "parent@example.fr",
        "montant": "4250",
        "numcli": "123456",
        "objet": "Cantine decembre",
        "refdet": "T2026000123",
        "resultrans": "V",
        "saisie": "T",
    }
    clock.now = START + dt.timedelta(days=1)
    assert detail(twin, idop) == "P1"
    assert twin.operations() == []  # purged
    assert detail(twin, "0f8e7d6c-1111-2222-3333-444455556666") == "P1"


def test_pending_idop_stays_p5_until_purged(twin: PayfipTwin, clock: Clock) -> None:
    idop = create(twin)
    clock.now = START + dt.timedelta(hours=23, minutes=59, seconds=59)
    assert detail(twin, idop) == "P5"
    clock.now = START + dt.timedelta(days=1)
    assert detail(twin, idop) == "P1"


def test_soap_protocol_errors(twin: PayfipTwin) -> None:
    body = envelope("recupererDetailPaiementSecurise", {"idOp": "x"})
    status, _, _ = twin.handle("POST", SERVICE, "", {"Content-Type": "application/soap+xml"}, body)
    assert status == 415
    for hostile in (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        b"<soap:Envelope",
        b"<Envelope/>",
        envelope("supprimerPaiement", {"idOp": "x"}),
    ):
        status, _, answer = twin.handle("POST", SERVICE, "", dict(XML), hostile)
        fault = ET.fromstring(answer).find(f"{SOAP}Body/{SOAP}Fault")
        assert status == 500 and fault is not None
        assert fault.findtext("faultcode") == "S:Client" and fault.find("detail") is None
    _, _, answer = twin.handle("POST", SERVICE, "", dict(XML), b'<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>')
    assert b"Requ\xc3\xaate illisible : DOCTYPE and entity declarations are refused" in answer
    assert twin.operations() == []


def test_fail_next_answers_technical_faults(twin: PayfipTwin) -> None:
    twin.fail_next("TechIndisponibiliteErreur", code="T9", times=2)
    for _ in range(2):
        _, content = soap(twin, "recupererDetailPaiementSecurise", {"idOp": "a"})
        assert fault_of(content)["kind"] == f"{{{TNS}}}TechIndisponibiliteErreur"
        assert fault_of(content)["code"] == "T9"
    assert detail(twin, "a") == "P1"
    with pytest.raises(ValueError, match="not a fault of the WSDL"):
        twin.fail_next("Boom")


# --- the payment page -------------------------------------------------------------------------------------------


def test_page_shows_the_payment(twin: PayfipTwin) -> None:
    idop = create(twin, objet="Cantine <b>decembre</b> & gouters", montant="123456")
    status, headers, body = twin.handle("GET", PAGE, f"idop={idop}", {}, b"")
    page = body.decode()
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert '<html lang="fr">' in page
    assert "Cantine &lt;b&gt;decembre&lt;/b&gt; &amp; gouters" in page
    assert "1\u202f234,56 €" in page
    labels = re.findall(r'<button type="submit" name="choix" value="(\w+)">([^<]+)</button>', page)
    assert labels == [
        ("P", "Payer par carte"),
        ("V", "Payer par prélèvement"),
        ("R", "Carte refusée"),
        ("Z", "Prélèvement refusé"),
        ("A", "Annuler"),
        ("abandon", "Abandonner"),
    ]
    assert f'<input type="hidden" name="idop" value="{idop}">' in page
    assert twin.handle("GET", PAGE, "idop=0f8e7d6c-1111-2222-3333-444455556666", {}, b"")[0] == 404
    assert twin.handle("GET", PAGE, "", {}, b"")[0] == 404


@pytest.mark.parametrize(("choice", "numauto"), [("P", True), ("V", True), ("R", False), ("Z", False), ("A", False)])
def test_choice_records_notifies_and_returns(
    twin: PayfipTwin, delivered: list[tuple[str, bytes]], clock: Clock, choice: str, numauto: bool
) -> None:
    idop = create(twin)
    clock.now = START + dt.timedelta(minutes=14, seconds=59)
    status, headers, _ = twin.handle("POST", PAGE, f"idop={idop}", FORM, f"idop={idop}&choix={choice}".encode())
    assert (status, headers["Location"]) == (302, f"http://127.0.0.1:8000/paiement/retour?idop={idop}")
    assert delivered == [("http://127.0.0.1:8000/v1/payments/payfip/notify", f"idOp={idop}".encode())]
    found = detail(twin, idop)
    assert isinstance(found, dict)
    assert (found["resultrans"], found["dattrans"], found["heurtrans"]) == (choice, "02122026", "1044")
    assert bool(found["numauto"]) is numauto
    assert twin.operations()[0]["notified"] is True
    # once chosen, the page does not take another choice, and notifies nothing more
    status, _, body = twin.handle("POST", PAGE, "", FORM, f"idop={idop}&choix=P".encode())
    assert status == 409 and "déjà été traitée" in body.decode()
    assert twin.handle("GET", PAGE, f"idop={idop}", {}, b"")[0] == 409
    assert len(delivered) == 1


def test_redirect_keeps_the_query_of_urlredirect(twin: PayfipTwin) -> None:
    idop = create(twin, urlredirect="http://127.0.0.1:8000/paiement/retour?debt=T1&lang=fr")
    status, headers, _ = twin.handle("POST", PAGE, "", FORM, f"idop={idop}&choix=A".encode())
    assert (status, headers["Location"]) == (302, f"http://127.0.0.1:8000/paiement/retour?debt=T1&lang=fr&idop={idop}")


def test_abandon_leaves_without_result(twin: PayfipTwin, delivered: list[tuple[str, bytes]]) -> None:
    idop = create(twin)
    status, headers, _ = twin.handle("POST", PAGE, "", FORM, f"idop={idop}&choix=abandon".encode())
    assert (status, headers["Location"]) == (302, f"http://127.0.0.1:8000/paiement/retour?idop={idop}")
    assert delivered == []
    assert detail(twin, idop) == "P5"
    assert twin.handle("GET", PAGE, f"idop={idop}", {}, b"")[0] == 200  # may come back within the 15 minutes


def test_unknown_choice_is_refused(twin: PayfipTwin, delivered: list[tuple[str, bytes]]) -> None:
    idop = create(twin)
    status, _, body = twin.handle("POST", PAGE, "", FORM, f"idop={idop}&choix=X".encode())
    assert status == 400 and "Résultat inconnu" in body.decode()
    assert delivered == [] and detail(twin, idop) == "P5"


def test_idop_expires_after_15_minutes(twin: PayfipTwin, clock: Clock, delivered: list[tuple[str, bytes]]) -> None:
    idop = create(twin)
    clock.now = START + dt.timedelta(minutes=15)
    status, _, body = twin.handle("GET", PAGE, f"idop={idop}", {}, b"")
    assert status == 410 and "a expiré" in body.decode()
    status, _, body = twin.handle("POST", PAGE, "", FORM, f"idop={idop}&choix=P".encode())
    assert status == 410 and "a expiré" in body.decode()
    assert delivered == []
    assert twin.operations()[0]["expired"] is True
    assert detail(twin, idop) == "P5"  # no result, until the purge
    clock.now = START + dt.timedelta(days=1)
    assert detail(twin, idop) == "P1"
    assert twin.handle("GET", PAGE, f"idop={idop}", {}, b"")[0] == 404


# --- control endpoint -------------------------------------------------------------------------------------------


def control(twin: PayfipTwin, payload: Any) -> tuple[int, Any]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    status, headers, body = twin.handle("POST", "/payfip/_control/pay", "", {"Content-Type": "application/json"}, raw)
    assert headers["Content-Type"] == "application/json"
    return status, json.loads(body)


def test_control_pay(twin: PayfipTwin, delivered: list[tuple[str, bytes]]) -> None:
    idop = create(twin)
    status, answer = control(twin, {"idop": idop, "result": "P", "notify": True})
    redirect = f"http://127.0.0.1:8000/paiement/retour?idop={idop}"
    assert (status, answer) == (200, {"idop": idop, "result": "P", "notified": True, "redirect": redirect})
    assert delivered == [(FIELDS["urlnotif"], f"idOp={idop}".encode())]
    found = detail(twin, idop)
    assert isinstance(found, dict) and found["resultrans"] == "P"
    assert control(twin, {"idop": idop, "result": "P"}) == (
        409,
        {"error": "Cette opération de paiement a déjà été traitée.", "idop": idop},
    )


def test_control_pay_without_notification(twin: PayfipTwin, delivered: list[tuple[str, bytes]]) -> None:
    idop = create(twin)
    status, answer = control(twin, {"idop": idop, "result": "Z", "notify": False})
    assert (status, answer["notified"]) == (200, False)
    assert delivered == []
    (operation,) = twin.operations()
    assert (operation["result"], operation["notified"], operation["numauto"]) == ("Z", False, "")


def test_control_pay_refusals(twin: PayfipTwin, clock: Clock) -> None:
    idop = create(twin)
    assert control(twin, {"idop": "0f8e7d6c", "result": "P"}) == (
        404,
        {"error": "Opération de paiement inconnue.", "idop": "0f8e7d6c"},
    )
    assert control(twin, {"idop": idop, "result": "X"})[0] == 400
    assert control(twin, {"idop": idop, "result": "P", "notify": "yes"})[0] == 400
    assert control(twin, b"{not json")[0] == 400
    assert control(twin, [1])[0] == 400
    clock.now = START + dt.timedelta(minutes=16)
    assert control(twin, {"idop": idop, "result": "P"})[0] == 410
    assert twin.handle("GET", "/payfip/_control/pay", "", {}, b"")[0] == 405


def test_control_operations(twin: PayfipTwin) -> None:
    first, second = create(twin), create(twin, refdet="T2")
    control(twin, {"idop": second, "result": "A", "notify": False})
    status, headers, body = twin.handle("GET", "/payfip/_control/operations", "", {}, b"")
    listed = json.loads(body)["operations"]
    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert [(op["idop"], op["refdet"], op["result"]) for op in listed] == [
        (first, "T2026000123", None),
        (second, "T2", "A"),
    ]
    assert all("numcli" not in op for op in listed)


# --- concurrency and delivery -----------------------------------------------------------------------------------


def test_thread_safe_creation_and_single_choice(twin: PayfipTwin, delivered: list[tuple[str, bytes]]) -> None:
    idops: list[str] = []
    lock = threading.Lock()

    def make() -> None:
        idop = create(twin)
        with lock:
            idops.append(idop)

    threads = [threading.Thread(target=make) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(idops)) == 16 and len(twin.operations()) == 16

    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def pay() -> None:
        barrier.wait()
        status, _ = control(twin, {"idop": idops[0], "result": "P"})
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 7
    assert delivered == [(FIELDS["urlnotif"], f"idOp={idops[0]}".encode())]


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_default_deliver_posts_the_form_in_the_background(caplog: pytest.LogCaptureFixture) -> None:
    class Handler(_Recorder):
        received: ClassVar[list[tuple[str, str, bytes]]] = []

    handler = Handler
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        default_deliver(f"http://127.0.0.1:{port}/v1/payments/payfip/notify", b"idOp=abc-1")
        _wait_for(lambda: handler.received)
        assert handler.received == [("/v1/payments/payfip/notify", "application/x-www-form-urlencoded", b"idOp=abc-1")]
    finally:
        server.shutdown()
        server.server_close()
    # a notification nobody receives is logged, never raised
    with caplog.at_level(logging.WARNING, logger="poche_local.payfip.twin"):
        default_deliver(f"http://127.0.0.1:{port}/gone", b"idOp=abc-2")
        _wait_for(lambda: any("notification to" in r.getMessage() for r in caplog.records))
    assert any(f"notification to http://127.0.0.1:{port}/gone failed" in r.getMessage() for r in caplog.records)


# --- the command line, against a twin served over HTTP ------------------------------------------------------------


def _serve(twin: PayfipTwin) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
            return

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not parts.path.startswith("/payfip/"):
                status, headers, payload = 404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}'
            else:
                status, headers, payload = twin.handle(
                    self.command, parts.path, parts.query, dict(self.headers.items()), body
                )
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _handle

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def served(twin: PayfipTwin) -> Iterator[str]:
    server = _serve(twin)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="poche")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_pays(
    twin: PayfipTwin, served: str, delivered: list[tuple[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    idop = create(twin)
    args = parse(["payfip", "pay", idop, "--result", "P", "--url", served])
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{idop}: P (paid by card), notification sent to urlnotif",
        f"browser return: http://127.0.0.1:8000/paiement/retour?idop={idop}",
    ]
    assert delivered == [(FIELDS["urlnotif"], f"idOp={idop}".encode())]
    found = detail(twin, idop)
    assert isinstance(found, dict) and found["resultrans"] == "P"


def test_cli_without_notification(
    twin: PayfipTwin, served: str, delivered: list[tuple[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    idop = create(twin)
    args = parse(["payfip", "pay", idop, "--result", "A", "--no-notify", "--url", served + "/"])
    assert cli.run(args) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"{idop}: A (cancelled), no notification (--no-notify)"
    assert delivered == []
    assert twin.operations()[0]["result"] == "A"


def test_cli_errors(twin: PayfipTwin, served: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse(["payfip", "pay", "0f8e7d6c", "--result", "P", "--url", served])) == 2
    assert capsys.readouterr().err == "poche payfip: unknown idOp '0f8e7d6c' (Opération de paiement inconnue.)\n"
    idop = create(twin)
    assert cli.run(parse(["payfip", "pay", idop, "--result", "V", "--url", served])) == 0
    capsys.readouterr()
    assert cli.run(parse(["payfip", "pay", idop, "--result", "V", "--url", served])) == 2
    assert (
        capsys.readouterr().err == "poche payfip: the twin refused: Cette opération de paiement a déjà été traitée.\n"
    )
    with pytest.raises(SystemExit) as exited:
        parse(["payfip", "pay", idop, "--result", "X"])
    assert exited.value.code == 2


def test_cli_when_the_platform_is_not_running(capsys: pytest.CaptureFixture[str]) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    server.server_close()
    assert cli.run(parse(["payfip", "pay", "abc", "--result", "P", "--url", url])) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"poche payfip: the local platform is not running at {url} (")
    assert err.endswith("): start it with `make run`\n")
    assert cli.run(parse(["payfip", "pay", "abc", "--result", "P", "--url", "file:///etc"])) == 2
    assert "must be an http(s) URL" in capsys.readouterr().err


def test_cli_against_something_else(capsys: pytest.CaptureFixture[str]) -> None:
    server = _serve(PayfipTwin())
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"  # a path with no twin behind it
        assert cli.run(parse(["payfip", "pay", "abc", "--result", "P", "--url", url])) == 2
        assert (
            capsys.readouterr().err == f"poche payfip: {url} has no PayFiP twin (HTTP 404): is it the local platform?\n"
        )
    finally:
        server.shutdown()
        server.server_close()
