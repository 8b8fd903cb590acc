"""Fixtures of the connector fault matrix (the laboratory itself is fault_lab.py)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import fault_platform as fp
import fault_servers as fs
import pytest
from fault_lab import Lab
from moto import mock_aws


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with fs.running() as servers, mock_aws(), pytest.MonkeyPatch.context() as monkeypatch:
        dynamodb = boto3.client("dynamodb", region_name=fp.REGION)
        fp.create_tables(dynamodb)
        boto3.client("events", region_name=fp.REGION).create_event_bus(Name=fp.BUS)
        yield Lab(servers, dynamodb, monkeypatch)
