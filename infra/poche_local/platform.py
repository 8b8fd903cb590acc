"""`poche run`: the whole platform on this machine, from the synthesized templates, offline."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import logs
from .assembly import load_assembly
from .docs import merge, render
from .functions import FunctionPool
from .gateway import LOCAL_PATHS, Router, make_handler, serve
from .jwt import JwtVerifier, cognito_jwks_fetcher
from .model import PlatformSpec
from .provision import Provisioner
from .resolver import REGION
from .schedule import next_run

STATE_FILE = "run.json"
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
        self.pool = FunctionPool(self.spec.functions, self.endpoint, logs.function_line)
        self.router = Router(self.spec.routes)
        self._document: dict[str, Any] | None = None
        handler = make_handler(
            self.router,
            self.pool.invoke,
            self.local_page,
            lambda line: logs.emit(f"[gateway] {line}"),
            JwtVerifier(cognito_jwks_fetcher(self.endpoint)),
        )
        self.server = serve(self.port, handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.write_state()
        for name in sorted(self.spec.connectors()):
            self.run_connector(name, reason="start")
        threading.Thread(target=self.scheduler, daemon=True).start()
        logs.emit(f"Poche is ready: http://127.0.0.1:{self.port}  (API docs: http://127.0.0.1:{self.port}/docs)")

    def document(self) -> dict[str, Any]:
        if self._document is None:
            services = sorted({route.function for route in self.spec.routes})
            documents = [d for d in (self.pool.openapi(name) for name in services) if d]
            self._document = merge(documents, "Poche: API publique", "1")
        return self._document

    def local_page(self, path: str) -> tuple[str, bytes] | None:
        if path not in LOCAL_PATHS:
            return None
        if path == "/openapi.json":
            return "application/json", json.dumps(self.document(), ensure_ascii=False, indent=1).encode()
        return "text/html; charset=utf-8", render(self.document()).encode()

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

    def scheduler(self) -> None:
        by_function = {f.name: c for c, f in self.spec.connectors().items()}
        due: dict[str, dt.datetime] = {}
        while not self.stop_event.is_set():
            now = dt.datetime.now(dt.UTC)
            for schedule in self.spec.schedules:
                name = by_function.get(schedule.function)
                if name is None:
                    continue
                when = due.setdefault(name, next_run(schedule.expression, now, schedule.timezone))
                if when <= now:
                    self.run_connector(name, reason=f"schedule {schedule.expression}")
                    due[name] = next_run(schedule.expression, now, schedule.timezone)
            self.stop_event.wait(5)

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
        self.stop_event.set()
        self.server.shutdown()
        self.pool.stop()
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
