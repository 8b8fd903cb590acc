"""`poche run`: the whole platform on this machine, from the synthesized templates, offline."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import logs
from .assembly import load_assembly
from .docs import DOCS, docs_page, merge
from .functions import FunctionPool
from .gateway import LOCAL_PATHS, Router, make_handler, serve
from .jwt import JwtVerifier, cognito_jwks_fetcher
from .model import PlatformSpec, QueueSourceSpec, ScheduleSpec
from .payfip.twin import PAGE_PATH, SERVICE_PATH, PayfipTwin
from .provision import Provisioner
from .resolver import REGION
from .schedule import next_run
from .users import cognito_claims

STATE_FILE = "run.json"
START_CONNECTORS = "POCHE_START_CONNECTORS"
AWS_SERVICES = ("dynamodb", "events", "sqs", "sns", "ssm", "cognito-idp")


def state_dir() -> Path:
    return Path(os.environ.get("POCHE_STATE_DIR", ".poche"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def aws_clients(endpoint: str) -> dict[str, Any]:
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (the emulation accepts any credentials)
        region_name=REGION,
    )
    return {name: session.client(name, endpoint_url=endpoint) for name in AWS_SERVICES}


def start_connectors(known: list[str], setting: str | None) -> list[str]:
    """The connectors `poche run` runs before it says it is ready (`POCHE_START_CONNECTORS`): every one when unset or
    `all`, none for `none`, else those of a comma-separated list. An unknown name is refused, the known ones named."""
    if setting is None or setting.strip() in ("", "all"):
        return sorted(known)
    if setting.strip() == "none":
        return []
    chosen = [name.strip() for name in setting.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise ValueError(
            f"{START_CONNECTORS}: unknown connector(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return sorted(set(chosen))


PAYFIP_PREFIX = "/payfip/"


def payments_deployed(spec: PlatformSpec) -> bool:
    """Whether a function of the platform talks to PayFiP (the payments phase is deployed)."""
    return any("PAYFIP_ENDPOINT" in f.environment for f in spec.functions.values())


def localize(spec: PlatformSpec, url: str) -> None:
    """What a deployed function reaches on the Internet, pointed at this machine: the API's public address (the
    payments service gives it to PayFiP as `urlnotif`/`urlredirect`) and PayFiP itself (the twin under
    /payfip/). The territory's numcli and saisie are kept."""
    for function in spec.functions.values():
        env = function.environment
        if "PUBLIC_API_URL" in env:
            env["PUBLIC_API_URL"] = url
        if "PAYFIP_ENDPOINT" in env:
            env["PAYFIP_ENDPOINT"] = url + SERVICE_PATH
            env["PAYFIP_PAGE_URL"] = url + PAGE_PATH
            env.pop("PAYFIP_RETURN_URL", None)  # the API's own return route


def scheduled_event(input_: dict[str, Any]) -> dict[str, Any]:
    """What EventBridge Scheduler delivers to a Lambda target: the schedule's input, as is."""
    return dict(input_)


@dataclass
class Platform:
    cdk_out: Path
    port: int
    moto_port: int = 0
    spec: PlatformSpec = field(default_factory=PlatformSpec)
    stop_event: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per emulated AWS call is noise
        stacks = load_assembly(self.cdk_out)
        self.moto_port = self.moto_port or free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.moto.start()
        self.endpoint = f"http://127.0.0.1:{self.moto_port}"
        logs.emit(f"AWS emulation (moto) on {self.endpoint}")
        self.spec = Provisioner(aws_clients(self.endpoint)).provision(stacks)
        logs.emit(
            f"provisioned {len(stacks)} stacks: {len(self.spec.functions)} functions, "
            f"{len(self.spec.routes)} routes, {len(self.spec.schedules)} schedules"
        )
        self.router = Router(self.spec.routes)
        self._document: dict[str, Any] | None = None
        self.payfip = PayfipTwin() if payments_deployed(self.spec) else None
        handler = make_handler(
            self.router,
            lambda name, event: self.pool.invoke(name, event),
            self.local_page,
            lambda line: logs.emit(f"[gateway] {line}"),
            JwtVerifier(cognito_jwks_fetcher(self.endpoint)),
            mounts={PAYFIP_PREFIX: self.payfip.handle} if self.payfip else None,
            enrich=cognito_claims(aws_clients(self.endpoint)["cognito-idp"]),
        )
        self.server = serve(self.port, handler)
        self.port = int(self.server.server_address[1])
        localize(self.spec, f"http://127.0.0.1:{self.port}")
        if self.payfip:
            logs.emit(f"PayFiP twin: http://127.0.0.1:{self.port}{PAYFIP_PREFIX} (poche payfip pay <idOp> --result P)")
        self.pool = FunctionPool(self.spec.functions, self.endpoint, logs.function_line)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._serving = True
        self.write_state()
        started = start_connectors(list(self.spec.connectors()), os.environ.get(START_CONNECTORS))
        for name in started:
            self.run_connector(name, reason="start")
        if len(started) < len(self.spec.connectors()):
            total = len(self.spec.connectors())
            logs.emit(f"[scheduler] {START_CONNECTORS}: {len(started)} of {total} connectors ran at start")
        threading.Thread(target=self.scheduler, daemon=True).start()
        if self.spec.queue_sources:
            threading.Thread(target=self.relay, daemon=True).start()
        logs.emit(f"Poche is ready: http://127.0.0.1:{self.port}  (API docs: http://127.0.0.1:{self.port}/docs)")

    def document(self) -> dict[str, Any]:
        if self._document is None:
            services = sorted({route.function for route in self.spec.routes})
            documents = [d for d in (self.pool.openapi(name) for name in services) if d]
            self._document = merge(documents, "Poche: API publique", "1")
        return self._document

    def local_page(self, path: str) -> tuple[str, bytes] | None:
        if path not in LOCAL_PATHS and not path.startswith(f"{DOCS}/"):
            return None
        if path == "/openapi.json":
            return "application/json", json.dumps(self.document(), ensure_ascii=False, indent=1).encode()
        return docs_page(path, self.document())

    def run_connector(self, name: str, reason: str) -> dict[str, Any] | None:
        function = self.spec.connectors()[name]
        schedule = self.spec.schedule_of(function.name)
        event = scheduled_event(schedule.input if schedule else {"trigger": "manual", "connector": name})
        try:
            report = self.pool.invoke(function.name, event)
        except Exception as exc:
            logs.emit(f"[scheduler] connector {name} ({reason}) crashed: {exc}")
            return None
        logs.emit(f"[scheduler] connector {name} ({reason}): {summarize(report)}")
        return report if isinstance(report, dict) else None

    def run_scheduled(self, schedule: ScheduleSpec) -> None:
        try:
            self.pool.invoke(schedule.function, scheduled_event(schedule.input))
            logs.emit(f"[scheduler] {self.spec.functions[schedule.function].label} ({schedule.expression}): done")
        except Exception as exc:
            logs.emit(f"[scheduler] {schedule.function} ({schedule.expression}) failed: {exc}")

    def scheduler(self) -> None:
        by_function = {f.name: c for c, f in self.spec.connectors().items()}
        due: dict[str, dt.datetime] = {}
        while not self.stop_event.is_set():
            now = dt.datetime.now(dt.UTC)
            for schedule in self.spec.schedules:
                name = by_function.get(schedule.function)
                key = name or schedule.function
                when = due.setdefault(key, next_run(schedule.expression, now, schedule.timezone))
                if when > now:
                    continue
                due[key] = next_run(schedule.expression, now, schedule.timezone)
                if name is not None:
                    self.run_connector(name, reason=f"schedule {schedule.expression}")
                else:  # a scheduled function that is not a connector (the deferred pushes)
                    self.run_scheduled(schedule)
            self.stop_event.wait(5)

    def relay(self) -> None:
        """What Lambda's event source mappings and the bus's rules do in AWS: queue messages (and bus events,
        relayed through a queue) handed to their function; a message is deleted once handled, else it comes
        back after its visibility timeout."""
        sqs = aws_clients(self.endpoint)["sqs"]
        urls = {q.queue: sqs.get_queue_url(QueueName=q.queue)["QueueUrl"] for q in self.spec.queue_sources}
        while not self.stop_event.is_set():
            for source in self.spec.queue_sources:
                try:
                    relay_once(sqs, urls[source.queue], source, self.pool.invoke)
                except Exception as exc:  # one function's failure never stops the others'
                    logs.emit(f"[relay] {source.function}: {exc}")
            self.stop_event.wait(1)

    def write_state(self) -> None:
        directory = state_dir()
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "pid": os.getpid(),
            "api": f"http://127.0.0.1:{self.port}",
            "endpoint": self.endpoint,
            "cdk_out": str(self.cdk_out.resolve()),
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "spec": self.spec.to_json(),
        }
        (directory / STATE_FILE).write_text(json.dumps(state, indent=1))

    def stop(self) -> None:
        """Stops what has started (all of it, or what a ctrl-c during `start` left)."""
        self.stop_event.set()
        if getattr(self, "_serving", False):
            self.server.shutdown()
        if hasattr(self, "pool"):
            self.pool.stop()
        if hasattr(self, "moto"):
            with contextlib.suppress(Exception):  # interrupted before it listened
                self.moto.stop()
        state = state_dir() / STATE_FILE
        if state.exists() and json.loads(state.read_text()).get("pid") == os.getpid():
            state.unlink()


def summarize(report: Any) -> str:
    if not isinstance(report, dict):
        return str(report)
    if report.get("status") == "failed":
        return f"FAILED, stored data kept: {report.get('error')}"
    return (
        f"{report.get('status')}: read {report.get('read')}, changed {report.get('changed')}, "
        f"rejected {report.get('rejected')}"
    )


def relay_once(sqs: Any, url: str, source: QueueSourceSpec, invoke: Callable[[str, dict[str, Any]], Any]) -> int:
    """Hands one batch of the queue's messages to the function; returns how many were handled (deleted)."""
    batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(source.batch_size, 10), WaitTimeSeconds=0)
    messages = batch.get("Messages", [])
    if not messages:
        return 0
    if source.relay:  # a bus event: the function gets the event itself, one invocation each
        done = []
        for message in messages:
            invoke(source.function, json.loads(message["Body"]))
            done.append(message)
    else:
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": arn.split(":")[3],
            }
            for m in messages
        ]
        answer = invoke(source.function, {"Records": records})
        failed = set()
        if source.report_failures and isinstance(answer, dict):
            failed = {f.get("itemIdentifier") for f in answer.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
    for message in done:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(done)
