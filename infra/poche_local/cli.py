"""`poche`: the project's command line.

poche run [--port 8000] [--cdk-out cdk.out]   the whole platform locally (make run); POCHE_START_CONNECTORS=a,b
                                              (or none; default all) chooses the connectors run before it is ready
poche connectors                              connectors, schedules, sources, last runs
poche invoke <connector>                      run one connector now against the running platform
poche user create --email E --group G [--school UAI ...]
                                              a staff account in the local staff pool; prints its token
poche user create --email E --citizen         a citizen's account in the local citizens pool; prints its token
poche notifications --user EMAIL              a citizen's inbox (newest first) and the pushes the emulated SNS
                                              recorded for their devices
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from . import communes_refresh, finance
from .assembly import AssemblyError, load_assembly
from .model import FunctionSpec, PlatformSpec
from .payfip import cli as payfip_cli
from .platform import AWS_SERVICES, STATE_FILE, Platform, aws_clients, state_dir, summarize


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 2."""


def _running_state() -> dict[str, Any]:
    path = state_dir() / STATE_FILE
    if not path.exists():
        raise CliError("the local platform is not running: start it with `make run` (or `poche run`)")
    state: dict[str, Any] = json.loads(path.read_text())
    try:
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError):
        raise CliError("the local platform is not running (stale state file): start it with `make run`") from None
    return state


def cmd_run(args: argparse.Namespace) -> int:
    # ctrl-c stops the platform even when it was started from a non-interactive shell's background job (`make run &`),
    # which starts it with SIGINT ignored: Python would then never raise KeyboardInterrupt
    signal.signal(signal.SIGINT, signal.default_int_handler)
    port = args.port if args.port is not None else int(os.environ.get("POCHE_PORT", "8000"))
    platform = Platform(cdk_out=Path(args.cdk_out), port=port)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:  # ctrl-c at any moment, while starting too, stops what has started
        try:
            platform.start()
        except OSError as exc:
            raise CliError(
                f"cannot listen on 127.0.0.1:{port}: {exc.strerror} (choose another with POCHE_PORT)"
            ) from None
        except ValueError as exc:  # a POCHE_START_CONNECTORS naming no connector
            raise CliError(str(exc)) from None
        stopped.wait()
        print("stopping…", flush=True)
    except KeyboardInterrupt:
        print("stopping…", flush=True)
    finally:  # a start that failed (CliError) stops what it had started too, without announcing a stop
        platform.stop()
    return 0


def _offline_spec(cdk_out: Path) -> PlatformSpec:
    """The spec of the templates, provisioned into a throw-away in-process emulation."""
    from moto import mock_aws

    from .provision import Provisioner

    with mock_aws():
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        import boto3

        clients = {n: boto3.client(n, region_name="eu-west-3") for n in AWS_SERVICES}
        return Provisioner(clients).provision(load_assembly(cdk_out))


def cmd_connectors(args: argparse.Namespace) -> int:
    try:
        state: dict[str, Any] | None = _running_state()
    except CliError:
        state = None
    spec = PlatformSpec.from_json(state["spec"]) if state else _offline_spec(Path(args.cdk_out))
    clients = aws_clients(state["endpoint"]) if state else None
    print(f"{'CONNECTOR':<24} {'SCHEDULE':<36} {'SOURCE VARIABLE':<40} LAST RUN")
    for name, function in sorted(spec.connectors().items()):
        schedule = spec.schedule_of(function.name)
        when = f"{schedule.expression} {schedule.timezone}" if schedule else "-"
        variable = "POCHE_SOURCE_" + name.upper().replace("-", "_")
        last = "platform not running" if clients is None else _describe_last_run(clients, function, name)
        print(f"{name:<24} {when:<36} {variable:<40} {last}")
    return 0


def _describe_last_run(clients: dict[str, Any], function: FunctionSpec, name: str) -> str:
    table = function.environment.get("TABLE_NAME")
    if not table:
        return "-"
    item = clients["dynamodb"].get_item(TableName=table, Key={"pk": {"S": f"FEED#{name}"}, "sk": {"S": "STATE"}})
    run = item.get("Item", {}).get("last_run", {}).get("M")
    if not run:
        return "never"
    fields = {k: next(iter(v.values())) for k, v in run.items()}
    return f"{fields.get('finished_at')} " + summarize(
        {k: fields.get(k) for k in ("status", "read", "changed", "rejected", "error")}
    )


def cmd_invoke(args: argparse.Namespace) -> int:
    state = _running_state()
    spec = PlatformSpec.from_json(state["spec"])
    connectors = dict(spec.connectors())
    for scheduled in spec.schedules:  # the scheduled functions that are not connectors (the payments sweeper...)
        function = spec.functions[scheduled.function]
        connectors.setdefault(function.package.replace("_", "-"), function)
    if args.connector not in connectors:
        known = ", ".join(sorted(connectors)) or "none"
        raise CliError(f"unknown connector or scheduled function {args.connector!r}; known: {known}")
    from . import logs
    from .functions import FunctionPool

    function = connectors[args.connector]
    schedule = spec.schedule_of(function.name)
    event = schedule.input if schedule else {"trigger": "manual", "connector": args.connector}
    pool = FunctionPool({function.name: function}, state["endpoint"], logs.function_line)
    try:
        report = pool.invoke(function.name, {**event, "trigger": "manual"})
    finally:
        pool.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"{args.connector}: {summarize(report)}")
    return 1 if isinstance(report, dict) and report.get("status") == "failed" else 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from .users import UserError, create_citizen, create_user

    if args.citizen and (args.group or args.school):
        raise CliError("--citizen creates a citizen's account, which has no group and no school: drop --group/--school")
    if not args.citizen and not args.group:
        raise CliError("a staff account needs --group (school-staff, editors, finance); or --citizen for a citizen")
    state = _running_state()
    cognito = aws_clients(state["endpoint"])["cognito-idp"]
    try:
        tokens = (
            create_citizen(cognito, args.email)
            if args.citizen
            else create_user(cognito, args.email, args.group, args.school)
        )
    except UserError as exc:
        raise CliError(str(exc)) from None
    if args.citizen:
        print(f"citizen {args.email} of pool {tokens['pool_id']}")
    else:
        schools = ", ".join(args.school) or "none"
        print(f"user {args.email} in {', '.join(args.group)} (schools: {schools}) of pool {tokens['pool_id']}")
    print('ID token (valid 1 hour), for: curl -H "Authorization: Bearer $TOKEN" ...')
    print(tokens["id_token"])
    return 0


def cmd_notifications(args: argparse.Namespace) -> int:
    from .inbox import received, render
    from .users import UserError

    state = _running_state()
    spec = PlatformSpec.from_json(state["spec"])
    personal = next((f for f in spec.functions.values() if f.package == "me"), None)
    if personal is None:
        raise CliError("the running platform has no personal API (function `me`)")
    clients = aws_clients(state["endpoint"])
    try:
        result = received(clients, state["endpoint"], personal.environment["TABLE_NAME"], args.user)
    except UserError as exc:
        raise CliError(str(exc)) from None
    print(render(result, args.user))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="poche", description="Poche: the local platform and its tools.")
    parser.add_argument("--cdk-out", default=os.environ.get("POCHE_CDK_OUT", "cdk.out"), help="synthesized assembly")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the whole platform locally (AWS emulated, offline)")
    run.add_argument("--port", type=int, default=None, help="HTTP port of the API (default $POCHE_PORT or 8000)")
    run.set_defaults(func=cmd_run)
    commands.add_parser("connectors", help="list connectors, schedules, sources and last runs").set_defaults(
        func=cmd_connectors
    )
    invoke = commands.add_parser(
        "invoke", help="run one connector (or scheduled function) now against the running platform"
    )
    invoke.add_argument("connector", help="connector name, e.g. canteen-menus-scdl, or payments-sweeper")
    invoke.set_defaults(func=cmd_invoke)
    user = commands.add_parser("user", help="accounts of the local user pools (staff, citizens)").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a local user and print an ID token (last line)")
    create.add_argument("--email", required=True, help="sign-in email")
    create.add_argument("--citizen", action="store_true", help="a citizen's account (citizens pool, no group)")
    create.add_argument("--group", action="append", default=[], help="staff: school-staff, editors, finance (repeat)")
    create.add_argument("--school", action="append", default=[], help="staff: UAI of a school they act for (repeat)")
    create.set_defaults(func=cmd_user_create)
    notifications = commands.add_parser(
        "notifications", help="a citizen's inbox and the pushes the emulated SNS recorded for their devices"
    )
    notifications.add_argument("--user", required=True, help="the citizen's sign-in email")
    notifications.set_defaults(func=cmd_notifications)
    communes_refresh.add_parser(commands)
    payfip_cli.add_parser(commands)
    finance.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (CliError, AssemblyError) as exc:
        print(f"poche: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
