"""The `cloud` fixture provisions once per worker and resets between tests: a test never sees what another wrote.

The first test writes everywhere a test can; the second, run after it on the same worker (one module is one xdist
scope), finds the provisioned platform as the templates made it."""

from __future__ import annotations

from typing import Any

from support import Cloud

WRITTEN: dict[str, Any] = {}


def test_a_test_writes_items_messages_parameters_and_resources(cloud: Cloud) -> None:
    dynamodb, sqs, ssm, sns = (cloud.clients[n] for n in ("dynamodb", "sqs", "ssm", "sns"))
    table = cloud.table("canteen")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "LEAK"}, "sk": {"S": "LEAK"}})
    queue = sqs.list_queues()["QueueUrls"][0]
    sqs.send_message(QueueUrl=queue, MessageBody="leak")
    parameter = ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"][0]
    ssm.put_parameter(Name=parameter["Name"], Value="leak", Type=parameter["Type"], Overwrite=True)
    ssm.put_parameter(Name="/leak/new", Value="leak", Type="String")
    topic = sns.create_topic(Name="leak")["TopicArn"]
    extra_table = "leak-table"
    dynamodb.create_table(
        TableName=extra_table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    cloud.clients["events"].put_events(
        Entries=[{"Source": "poche.test", "DetailType": "Leak", "Detail": "{}", "EventBusName": _bus(cloud)}]
    )
    assert cloud.items("canteen")
    WRITTEN.update(table=table, queue=queue, parameter=parameter, topic=topic, extra_table=extra_table)


def test_the_next_test_finds_none_of_it(cloud: Cloud) -> None:
    assert WRITTEN, "runs after the test that writes, in the same worker"
    dynamodb, sqs, ssm, sns = (cloud.clients[n] for n in ("dynamodb", "sqs", "ssm", "sns"))
    assert cloud.items("canteen") == []
    assert dynamodb.scan(TableName=WRITTEN["table"])["Items"] == []
    assert WRITTEN["extra_table"] not in dynamodb.list_tables()["TableNames"]
    assert "Messages" not in sqs.receive_message(QueueUrl=WRITTEN["queue"], MaxNumberOfMessages=10)
    assert cloud.bus_events() == []
    parameter = WRITTEN["parameter"]
    assert ssm.get_parameter(Name=parameter["Name"], WithDecryption=True)["Parameter"]["Value"] == parameter["Value"]
    assert "/leak/new" not in {p["Name"] for p in ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"]}
    assert WRITTEN["topic"] not in {t["TopicArn"] for t in sns.list_topics()["Topics"]}


def _bus(cloud: Cloud) -> str:
    return str(next(f for f in cloud.spec.functions.values() if f.connector).environment["EVENT_BUS_NAME"])
