"""The logical ids of the resources that hold data or identities never change: CloudFormation replaces a resource
whose logical id changed, so a renamed construct would delete a table (in dev) or orphan it (prod keeps it and
creates an empty one), lose the messages of a queue, or give a user pool new ids that every app and token depends on.

A new stateful resource is added to `PINNED` on purpose, with its domain; an id that disappears fails here first.
"""

from __future__ import annotations

from support import Synthesized
from test_stacks import CORE, PROXIMITY, resources

STATEFUL = (
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Events::EventBus",
    "AWS::KMS::Key",
    "AWS::SNS::Topic",
)
PINNED: dict[str, dict[str, set[str]]] = {
    CORE: {
        "AWS::Cognito::UserPool": {"CitizenPoolD130A215", "UserPool6BA7E5F2"},
        "AWS::Cognito::UserPoolClient": {"CitizenPoolCitizenAppClient68103247", "UserPoolAppClientDD0407EC"},
        "AWS::Events::EventBus": {"BusEA82B648"},
        "AWS::KMS::Key": {"AlarmKeyE05DE300"},
        "AWS::SNS::Topic": {"Alarms04B5A0BF"},
    },
    PROXIMITY: {
        "AWS::DynamoDB::Table": {
            "AgendaEventsTableF419C76F",
            "CanteenMenusTableB45FC87C",
            "MePersonalTable76758963",
            "NewsTable75EF311F",
            "SchoolsNoticesTable78952D71",
            "TrafficEventsTable0476E893",
            "TransitTable5958B2E5",
        },
        "AWS::SQS::Queue": {
            "AgendaCinemaConnectorDeadLetters57A130C7",
            "AgendaDataTourismeConnectorDeadLettersA0BADCB9",
            "AgendaOpenAgendaConnectorDeadLettersFC4A5D18",
            "CanteenMenusScdlConnectorDeadLetters26919F75",
            "MeErasuresC8A25055",
            "MeErasuresDeadLettersF302F1E9",
            "NewsNewsRssConnectorDeadLettersA1159F77",
            "NotificationsDeferredDeadLetters97DAF7DB",
            "NotificationsDeliveries85FDF390",
            "NotificationsDeliveriesDeadLetters68547825",
            "NotificationsMatcherDeadLettersA8C5BE9B",
            "SchoolsNoticesCsvConnectorDeadLetters559AB0B6",
            "TrafficDatex2ConnectorDeadLettersFF439177",
            "TransitGtfsConnectorDeadLettersE9222191",
            "TransitGtfsRtConnectorDeadLetters79AAF49D",
            "TransitSiriLiteConnectorDeadLetters74392F1C",
        },
    },
}


def test_stateful_resources_keep_their_logical_ids(synthesized: Synthesized) -> None:
    for stack in (CORE, PROXIMITY):
        for kind in STATEFUL:
            found = set(resources(synthesized, stack, kind))
            pinned = PINNED[stack].get(kind, set())
            assert not pinned - found, (
                f"{stack}: {kind} {sorted(pinned - found)} would be REPLACED by an update (its data or identities "
                "lost): keep the construct ids and scopes that made these logical ids"
            )
            assert not found - pinned, f"{stack}: new {kind} {sorted(found - pinned)}: pin them in PINNED"
