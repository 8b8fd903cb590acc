"""The payments phase on the provisioned stacks (moto), with the PayFiP twin as PayFiP: what the integration and
contract tests of payments drive. Each function is loaded as deployed (`cloud.load`), with its clock set and its
PayFiP client's transport pointed at the twin (the SOAP envelopes and answers are the real ones)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from typing import Any
from urllib.parse import urlsplit

from support import Cloud, http_api_event

from poche_local.payfip.twin import PayfipTwin

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
# Debts of the connector's sample (functions/connectors/payments_debts_csv/sample/debts.csv)
CANTEEN = ("2026", "T2026000412", 14850)  # has the payer e-mail famille.lemarchand@example.fr
CANCELLED = ("2026", "T2026000432", 8100)
PAYER_EMAIL = "famille.lemarchand@example.fr"
CITIZEN = {"sub": "citizen-1", "email": PAYER_EMAIL, "email_verified": "true", "token_use": "id"}


class PaymentsWorld:
    def __init__(self, cloud: Cloud, context: Any, now: dt.datetime = NOW) -> None:
        self.cloud = cloud
        self.context = context
        self.now = now
        self.deliveries: list[tuple[str, bytes]] = []
        self.twin = PayfipTwin(clock=lambda: self.now, deliver=lambda url, body: self.deliveries.append((url, body)))

    # --- plumbing -----------------------------------------------------------------------------------------------
    def _post(self, url: str, body: bytes, headers: Any, timeout: float) -> tuple[int, bytes]:
        split = urlsplit(url)
        path = "/payfip" + split.path if not split.path.startswith("/payfip/") else split.path
        status, _, payload = self.twin.handle("POST", path, split.query, dict(headers), body)
        return status, payload

    def _client(self, config: Any) -> Any:
        payfip = sys.modules["payments_shared.payfip"]  # the sandbox's own module (its ProviderError class)
        return payfip.PayfipClient(config, post=self._post)

    def load(self, package: str) -> Any:
        """A new sandbox of `package`, on the world's clock and the twin."""
        module = self.cloud.load(package)
        module.utc_now = lambda: self.now
        if hasattr(module, "dependencies"):
            deps = module.dependencies.get()
            if hasattr(deps, "provider"):
                deps.provider = self._client(deps.provider.config)
            outbox = getattr(getattr(deps, "recorder", None), "outbox", None) or getattr(deps, "outbox", None)
            if outbox is not None:
                outbox.clock = lambda: self.now
        return module

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    # --- acts ---------------------------------------------------------------------------------------------------
    def import_debts(self) -> dict[str, Any]:
        module = self.load("payments_debts_csv")
        module.dependencies.get().outbox.clock = lambda: self.now
        report: dict[str, Any] = module.handler({"trigger": "schedule"}, self.context)
        return report

    def request(self, route: str, path: str, **kwargs: Any) -> dict[str, Any]:
        module = self.load("payments")
        kwargs.setdefault("headers", {"content-type": "application/json"})
        response: dict[str, Any] = module.handler(http_api_event(route, path, **kwargs), self.context)
        return response

    def find(self, exer: str, refdet: str, amount: int) -> dict[str, Any]:
        return self.request(
            "GET /v1/payments/debts/{refdet}",
            f"/v1/payments/debts/{refdet}",
            path_parameters={"refdet": refdet},
            query={"exer": exer, "amount": str(amount)},
        )

    def start(self, exer: str, refdet: str, amount: int, email: str = "payeur@example.org") -> dict[str, Any]:
        body = {"exer": exer, "refdet": refdet, "amount_cents": amount, "email": email}
        return self.request("POST /v1/payments", "/v1/payments", body=json.dumps(body))

    def start_signed_in(self, exer: str, refdet: str, amount: int) -> dict[str, Any]:
        body = {"exer": exer, "refdet": refdet, "amount_cents": amount}
        return self.request("POST /v1/me/payments", "/v1/me/payments", body=json.dumps(body), claims=CITIZEN)

    def status(self, payment_id: str) -> dict[str, Any]:
        return self.request(
            "GET /v1/payments/{payment_id}",
            f"/v1/payments/{payment_id}",
            path_parameters={"payment_id": payment_id},
        )

    def idop_of(self, response: dict[str, Any]) -> str:
        url = json.loads(response["body"])["payfip_url"]
        return str(url.rsplit("idop=", 1)[1])

    def pay(self, idop: str, result: str = "P", *, notify: bool = True) -> None:
        self.twin.choose(idop, result, notify=notify)

    def notify(self, idop: str) -> dict[str, Any]:
        """PayFiP's form POST to urlnotif (anyone may send one: forged ones too)."""
        module = self.load("payments_notifications")
        event = http_api_event(
            "POST /v1/payments/payfip/notifications",
            "/v1/payments/payfip/notifications",
            body=f"idOp={idop}",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        response: dict[str, Any] = module.handler(event, self.context)
        return response

    def deliver(self) -> int:
        """Post every notification the twin sent, then run the processor on the queue: how many were processed."""
        pending, self.deliveries = self.deliveries, []
        for url, body in pending:
            assert url.endswith("/v1/payments/payfip/notifications"), url
            self.notify(body.decode().split("=", 1)[1])
        return self.process_queue()

    def process_queue(self) -> int:
        sqs = self.cloud.clients["sqs"]
        url = self.cloud.function("payments_notifications").environment["QUEUE_URL"]
        records = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            for message in batch:
                records.append({"messageId": message["MessageId"] or str(uuid.uuid4()), "body": message["Body"]})
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if records:
            module = self.load("payments_processor")
            answer = module.handler({"Records": records}, self.context)
            assert answer == {"batchItemFailures": []}, answer
        return len(records)

    def sweep(self) -> dict[str, int]:
        module = self.load("payments_sweeper")
        counts: dict[str, int] = module.handler({"trigger": "schedule"}, self.context)
        return counts

    # --- reading ------------------------------------------------------------------------------------------------
    def ledger_items(self) -> list[dict[str, Any]]:
        from support import table_items

        table = self.cloud.function("payments").environment["LEDGER_TABLE_NAME"]
        return table_items(table)

    def facts(self, prefix: str) -> list[str]:
        """The sort keys of the ledger's items starting with `prefix` (OUTCOME#, DUPLICATE#...)."""
        return sorted(i["sk"]["S"] for i in self.ledger_items() if i["sk"]["S"].startswith(prefix))

    def payment_events(self) -> list[dict[str, Any]]:
        return [e for e in self.cloud.bus_events() if e["source"] == "poche.payments"]
