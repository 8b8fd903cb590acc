"""In-memory fakes of the AWS services the functions call: DynamoDB, EventBridge, SSM.

The backends speak the wire format (DynamoDB attribute values such as `{"S": "x"}`), so one
backend serves both ways of plugging it in (see `install`):

- `client` (default): `boto3.client(...)` still builds the real client (its import, memory and
  creation cost stay realistic), then returns a fake whose operations validate their parameters
  against the service model, as botocore does, and answer from memory;
- `http`: `boto3.client(...)` returns the real client, whose HTTP send is answered from memory,
  so request serialization, signing and response parsing are measured too.

Only what is needed to serve a pk/sk table with global secondary indexes is emulated; anything
else raises `NotImplementedError` naming what to add here, rather than answering wrongly.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Item = dict[str, Any]  # attribute name -> attribute value, wire format
Scalar = str | Decimal | bytes

MAX_BATCH_WRITE = 25
MAX_ITEM_BYTES = 400 * 1024
MAX_EVENT_ENTRIES = 10
REGION = "eu-west-3"
ACCOUNT = "123456789012"


class FakeError(Exception):
    """An error the real service would answer with (HTTP 400, `code` as its error code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _validation(message: str) -> FakeError:
    return FakeError("ValidationException", message)


# --- attribute values ----------------------------------------------------------------------


def _scalar(value: dict[str, Any]) -> Scalar:
    """The comparable value of an S, N or B attribute value."""
    if "S" in value:
        return str(value["S"])
    if "N" in value:
        return Decimal(value["N"])
    if "B" in value:
        raw = value["B"]
        return raw if isinstance(raw, bytes) else base64.b64decode(raw)
    raise _validation(f"key attribute value {value!r} is not of type S, N or B")


def _copy(value: Any) -> Any:
    """A deep copy of a wire-format value (what parsing a response would give)."""
    try:  # JSON in C: several times faster than walking large items (a GTFS-RT trip holds ~200 values)
        return json.loads(json.dumps(value))
    except TypeError:  # binary values (bytes)
        return _walk_copy(value)


def _walk_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _walk_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk_copy(v) for v in value]
    return value


def _map_binary(value: Any, convert: Callable[[Any], Any]) -> Any:
    """Apply `convert` to every B and BS payload of a wire-format value."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            if key == "B":
                out[key] = convert(inner)
            elif key == "BS":
                out[key] = [convert(v) for v in inner]
            else:
                out[key] = _map_binary(inner, convert)
        return out
    if isinstance(value, list):
        return [_map_binary(v, convert) for v in value]
    return value


def _to_base64(raw: Any) -> Any:
    return base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw


def _from_base64(raw: Any) -> Any:
    return base64.b64decode(raw) if isinstance(raw, str) else raw


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _approximate_size(item: Item) -> int:
    try:
        return len(json.dumps(item, separators=(",", ":")))
    except TypeError:  # binary values (bytes): counted as their base64 text
        return len(json.dumps(_map_binary(item, _to_base64), separators=(",", ":")))


# --- table layout --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySchema:
    hash: str
    range: str | None = None
    projection: str = "ALL"  # ALL | KEYS_ONLY | INCLUDE
    included: tuple[str, ...] = ()

    @classmethod
    def parse(cls, key_schema: list[dict[str, str]], projection: dict[str, Any] | None = None) -> KeySchema:
        by_type = {k["KeyType"]: k["AttributeName"] for k in key_schema}
        projection = projection or {}
        return cls(
            hash=by_type["HASH"],
            range=by_type.get("RANGE"),
            projection=str(projection.get("ProjectionType", "ALL")),
            included=tuple(projection.get("NonKeyAttributes", [])),
        )

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash, self.range) if self.range else (self.hash,)


@dataclass
class TableSchema:
    """Built from a DescribeTable `Table` (KeySchema, AttributeDefinitions, secondary indexes)."""

    name: str
    key: KeySchema
    indexes: dict[str, KeySchema] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # key attribute -> S | N | B

    @classmethod
    def from_description(cls, name: str, table: dict[str, Any]) -> TableSchema:
        indexes = {
            index["IndexName"]: KeySchema.parse(index["KeySchema"], index.get("Projection"))
            for index in [*table.get("GlobalSecondaryIndexes", []), *table.get("LocalSecondaryIndexes", [])]
        }
        types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
        return cls(name=name, key=KeySchema.parse(table["KeySchema"]), indexes=indexes, types=types)


class _Table:
    def __init__(self, schema: TableSchema) -> None:
        self.schema = schema
        self.partitions: dict[Scalar, dict[Scalar | None, Item]] = {}

    def key_of(self, key: Item, *, exact: bool) -> tuple[Scalar, Scalar | None]:
        names = self.schema.key.names
        if exact and set(key) != set(names):
            raise _validation("The provided key element does not match the schema")
        for name in names:
            if name not in key:
                raise _validation(f"One of the required keys was not given a value: {name}")
            self._check_type(name, key[name])
        range_name = self.schema.key.range
        return _scalar(key[self.schema.key.hash]), (_scalar(key[range_name]) if range_name else None)

    def _check_type(self, name: str, value: dict[str, Any]) -> None:
        expected = self.schema.types.get(name)
        if expected and expected not in value:
            raise _validation(f"Type mismatch for key {name}: expected {expected}, got {next(iter(value), '?')}")

    def get(self, key: Item) -> Item | None:
        hash_value, range_value = self.key_of(key, exact=True)
        return self.partitions.get(hash_value, {}).get(range_value)

    def put(self, item: Item) -> Item | None:
        hash_value, range_value = self.key_of(item, exact=False)
        for index in self.schema.indexes.values():
            for name in index.names:
                if name in item:
                    self._check_type(name, item[name])
        if _approximate_size(item) > MAX_ITEM_BYTES:
            raise _validation("Item size has exceeded the maximum allowed size")
        partition = self.partitions.setdefault(hash_value, {})
        previous = partition.get(range_value)
        partition[range_value] = item
        return previous

    def delete(self, key: Item) -> Item | None:
        hash_value, range_value = self.key_of(key, exact=True)
        partition = self.partitions.get(hash_value, {})
        previous = partition.pop(range_value, None)
        if not partition:
            self.partitions.pop(hash_value, None)
        return previous

    def items(self) -> Iterable[Item]:
        for partition in self.partitions.values():
            yield from partition.values()


# --- expressions ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"^:[A-Za-z0-9_]+$")
_NAME = re.compile(r"^#?[A-Za-z0-9_]+$")
_BETWEEN = re.compile(r"^\(?\s*(\S+?)\s+BETWEEN\s+(:[A-Za-z0-9_]+)\s+AND\s+(:[A-Za-z0-9_]+)\s*\)?$", re.I)
_BEGINS = re.compile(r"^\(?\s*begins_with\s*\(\s*(\S+?)\s*,\s*(:[A-Za-z0-9_]+)\s*\)\s*\)?$", re.I)
_COMPARE = re.compile(r"^\(?\s*(\S+?)\s*(=|<>|<=|<|>=|>)\s*(\S+?)\s*\)?$")
_EXISTS = re.compile(r"^\(?\s*(attribute_exists|attribute_not_exists)\s*\(\s*(\S+?)\s*\)\s*\)?$", re.I)


class _Expressions:
    """Names and values of one request, and the small expression language the code uses."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.names: dict[str, str] = params.get("ExpressionAttributeNames") or {}
        self.values: dict[str, Any] = params.get("ExpressionAttributeValues") or {}

    def name(self, token: str) -> str:
        token = token.strip()
        if not _NAME.match(token):
            raise NotImplementedError(f"bench fake DynamoDB: attribute path {token!r} (nested paths are not emulated)")
        if token.startswith("#"):
            if token not in self.names:
                raise _validation(f"An expression attribute name used in the document path is not defined: {token}")
            return self.names[token]
        return token

    def value(self, token: str) -> Any:
        token = token.strip()
        if token not in self.values:
            raise _validation(f"An expression attribute value used in expression is not defined: {token}")
        return self.values[token]

    def operand(self, token: str, item: Item | None) -> Any:
        token = token.strip()
        if _PLACEHOLDER.match(token):
            return self.value(token)
        return (item or {}).get(self.name(token))

    def key_condition(self, expression: str) -> list[tuple[str, str, list[Any]]]:
        """[(attribute, operator, operands)] of a KeyConditionExpression."""
        parts: list[str] = []
        rest = expression.strip()
        between = re.search(r"(\S+)\s+BETWEEN\s+(:[A-Za-z0-9_]+)\s+AND\s+(:[A-Za-z0-9_]+)", rest, re.I)
        if between:
            parts.append(between.group(0))
            rest = (rest[: between.start()] + " " + rest[between.end() :]).strip()
            rest = re.sub(r"^AND\s+|\s+AND$", "", rest, flags=re.I).strip()
        parts += [p for p in re.split(r"\s+AND\s+", rest, flags=re.I) if p.strip()]
        conditions: list[tuple[str, str, list[Any]]] = []
        for part in parts:
            part = part.strip()
            if match := _BETWEEN.match(part):
                conditions.append((self.name(match[1]), "BETWEEN", [self.value(match[2]), self.value(match[3])]))
            elif match := _BEGINS.match(part):
                conditions.append((self.name(match[1]), "begins_with", [self.value(match[2])]))
            elif (match := _COMPARE.match(part)) and match[2] != "<>":
                conditions.append((self.name(match[1]), match[2], [self.value(match[3])]))
            else:
                raise _validation(f"Invalid KeyConditionExpression: {expression!r}")
        return conditions

    def check_condition(self, expression: str | None, item: Item | None) -> None:
        """A ConditionExpression made of AND-ed attribute_(not_)exists and comparisons."""
        if not expression:
            return
        for part in re.split(r"\s+AND\s+", expression.strip(), flags=re.I):
            if match := _EXISTS.match(part):
                present = item is not None and self.name(match[2]) in item
                ok = present if match[1].lower() == "attribute_exists" else not present
            elif match := _COMPARE.match(part):
                left, right = self.operand(match[1], item), self.operand(match[3], item)
                ok = left is not None and right is not None and _compare(left, match[2], [right])
            else:
                raise NotImplementedError(f"bench fake DynamoDB: ConditionExpression {expression!r}")
            if not ok:
                raise FakeError("ConditionalCheckFailedException", "The conditional request failed")

    def projection(self, expression: str | None) -> list[str] | None:
        if not expression:
            return None
        return [self.name(part) for part in expression.split(",")]

    def update(self, expression: str, item: Item, key_names: tuple[str, ...]) -> set[str]:
        """Apply an UpdateExpression (SET, REMOVE, ADD, DELETE on top-level attributes) in place."""
        touched: set[str] = set()
        clauses = re.split(r"\b(SET|REMOVE|ADD|DELETE)\b", expression.strip(), flags=re.I)
        if clauses[0].strip():
            raise _validation(f"Invalid UpdateExpression: {expression!r}")
        for keyword, body in zip(clauses[1::2], clauses[2::2], strict=True):
            for action in _split_top_level(body, ","):
                keyword_upper = keyword.upper()
                if keyword_upper == "SET":
                    target, _, value_expression = action.partition("=")
                    name = self.name(target)
                    item[name] = self._set_value(value_expression, item)
                elif keyword_upper == "REMOVE":
                    name = self.name(action)
                    item.pop(name, None)
                else:
                    target, _, placeholder = action.strip().partition(" ")
                    name = self.name(target)
                    self._add_or_delete(keyword_upper, name, self.value(placeholder), item)
                if name in key_names:
                    raise _validation(f"Cannot update attribute {name}. This attribute is part of the key")
                touched.add(name)
        return touched

    def _set_value(self, text: str, item: Item) -> Any:
        terms = _split_arithmetic(text)
        value = self._function_or_operand(terms[0], item)
        for operator, term in zip(terms[1::2], terms[2::2], strict=True):
            other = self._function_or_operand(term, item)
            if value is None or other is None or "N" not in value or "N" not in other:
                raise _validation("An operand in the update expression has an incorrect data type")
            result = Decimal(value["N"]) + Decimal(other["N"]) * (1 if operator == "+" else -1)
            value = {"N": _number(result)}
        if value is None:
            raise _validation("The provided expression refers to an attribute that does not exist in the item")
        return value

    def _function_or_operand(self, text: str, item: Item) -> Any:
        text = text.strip()
        call = re.fullmatch(r"(if_not_exists|list_append)\s*\((.*)\)", text, re.I | re.S)
        if call is None:
            return self.operand(text, item)
        first, second = _split_top_level(call[2], ",")
        if call[1].lower() == "if_not_exists":
            current = item.get(self.name(first))
            return current if current is not None else self._function_or_operand(second, item)
        left, right = self._function_or_operand(first, item), self._function_or_operand(second, item)
        if left is None or right is None or "L" not in left or "L" not in right:
            raise _validation("list_append needs two lists")
        return {"L": [*left["L"], *right["L"]]}

    @staticmethod
    def _add_or_delete(keyword: str, name: str, value: Any, item: Item) -> None:
        current = item.get(name)
        if "N" in value and keyword == "ADD":
            base = Decimal(current["N"]) if current else Decimal(0)
            item[name] = {"N": _number(base + Decimal(value["N"]))}
            return
        set_type = next((t for t in ("SS", "NS", "BS") if t in value), None)
        if set_type is None or (current is not None and set_type not in current):
            raise _validation(f"{keyword} needs a number or a set of the same type")
        members = list(current[set_type]) if current else []
        if keyword == "ADD":
            members += [v for v in value[set_type] if v not in members]
        else:
            members = [v for v in members if v not in value[set_type]]
        if members:
            item[name] = {set_type: members}
        else:
            item.pop(name, None)


def _split_top_level(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _split_arithmetic(text: str) -> list[str]:
    """`a + b - c` -> ["a", "+", "b", "-", "c"], ignoring operators inside parentheses."""
    terms: list[str] = []
    depth = 0
    current = ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char in "+-" and depth == 0:
            terms += [current.strip(), char]
            current = ""
        else:
            current += char
    terms.append(current.strip())
    return terms


def _compare(value: dict[str, Any], operator: str, operands: list[Any]) -> bool:
    left = _scalar(value)
    rights = [_scalar(o) for o in operands]
    if any(type(left) is not type(r) for r in rights):
        return False
    right: Any = rights[0]
    upper: Any = rights[-1]
    if operator == "=":
        return left == right
    if operator == "<>":
        return left != right
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    if operator == ">=":
        return left >= right
    if operator == "BETWEEN":
        return bool(right <= left <= upper)
    if operator == "begins_with":
        return isinstance(left, str | bytes) and left.startswith(right)
    raise _validation(f"unknown operator {operator}")


def _project(item: Item, names: list[str] | None) -> Item:
    if names is None:
        return _copy(item)
    return {name: _copy(item[name]) for name in names if name in item}


def _old_or_new(return_values: str, old: Item | None, new: Item | None, touched: set[str]) -> dict[str, Any]:
    if return_values in ("", "NONE"):
        return {}
    if return_values == "ALL_OLD":
        return {"Attributes": _copy(old)} if old else {}
    if return_values == "ALL_NEW":
        return {"Attributes": _copy(new)} if new else {}
    source = old if return_values == "UPDATED_OLD" else new
    picked = {k: _copy(v) for k, v in (source or {}).items() if k in touched}
    return {"Attributes": picked} if picked else {}


# --- the backends --------------------------------------------------------------------------


class Backend:
    """A service answering from memory; operations are methods named as the client's.

    `busy_s` adds up the CPU time (of the calling thread) spent answering, in `http` mode including
    the decoding of the request body and the encoding of the answer: the emulator's own cost, which a
    benchmark subtracts to get the caller's (see bench/transit_rt.py).
    """

    service = ""
    operations: tuple[str, ...] = ()
    busy_s = 0.0

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation not in self.operations:
            raise NotImplementedError(
                f"bench fake {self.service}: operation {operation} is not emulated (add it to bench/fakes.py)"
            )
        result: dict[str, Any] = getattr(self, operation)(params)
        return result

    def timed_call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """`call`, its CPU time added to `busy_s` (what the plugs of `install` call)."""
        begin = time.thread_time()
        try:
            return self.call(operation, params)
        finally:
            self.busy_s += time.thread_time() - begin


class DynamoDB(Backend):
    service = "dynamodb"
    operations = (
        "get_item",
        "put_item",
        "update_item",
        "delete_item",
        "query",
        "scan",
        "batch_write_item",
        "batch_get_item",
        "transact_write_items",
    )

    def __init__(self, schemas: Iterable[TableSchema]) -> None:
        self.tables = {schema.name: _Table(schema) for schema in schemas}
        self.calls: dict[str, int] = {}  # operation -> calls answered (one call: one round trip in AWS)
        self._counting = threading.Lock()  # a handler may write on several threads

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation in self.operations:
            with self._counting:
                self.calls[operation] = self.calls.get(operation, 0) + 1
        return super().call(operation, params)

    def total_calls(self) -> int:
        return sum(self.calls.values())

    def _table(self, name: str) -> _Table:
        table = self.tables.get(name)
        if table is None:
            raise FakeError("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")
        return table

    # -- single items
    def get_item(self, params: dict[str, Any]) -> dict[str, Any]:
        table = self._table(params["TableName"])
        item = table.get(params["Key"])
        names = _Expressions(params).projection(params.get("ProjectionExpression"))
        return {"Item": _project(item, names)} if item is not None else {}

    def put_item(self, params: dict[str, Any]) -> dict[str, Any]:
        table = self._table(params["TableName"])
        item = _copy(params["Item"])
        expressions = _Expressions(params)
        key = {name: item[name] for name in table.schema.key.names if name in item}
        expressions.check_condition(params.get("ConditionExpression"), table.get(key))
        old = table.put(item)
        return _old_or_new(params.get("ReturnValues", "NONE"), old, item, set(item))

    def update_item(self, params: dict[str, Any]) -> dict[str, Any]:
        table = self._table(params["TableName"])
        key = params["Key"]
        old = table.get(key)
        expressions = _Expressions(params)
        expressions.check_condition(params.get("ConditionExpression"), old)
        new = _copy(old) if old is not None else _copy(key)
        touched = expressions.update(params.get("UpdateExpression", ""), new, table.schema.key.names)
        table.put(new)
        return _old_or_new(params.get("ReturnValues", "NONE"), old, new, touched)

    def delete_item(self, params: dict[str, Any]) -> dict[str, Any]:
        table = self._table(params["TableName"])
        old = table.get(params["Key"])
        _Expressions(params).check_condition(params.get("ConditionExpression"), old)
        table.delete(params["Key"])
        return _old_or_new(params.get("ReturnValues", "NONE"), old, None, set())

    # -- reads of many items
    def query(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("FilterExpression") or params.get("QueryFilter") or params.get("KeyConditions"):
            raise NotImplementedError("bench fake DynamoDB: Query with FilterExpression/legacy conditions")
        table = self._table(params["TableName"])
        expressions = _Expressions(params)
        index_name = params.get("IndexName")
        schema = table.schema.indexes.get(index_name) if index_name else table.schema.key
        if schema is None:
            raise _validation(f"The table does not have the specified index: {index_name}")
        conditions = expressions.key_condition(params["KeyConditionExpression"])
        by_name = {name: (operator, operands) for name, operator, operands in conditions}
        hash_condition = by_name.pop(schema.hash, None)
        if hash_condition is None or hash_condition[0] != "=":
            raise _validation("Query condition missed key schema element: " + schema.hash)
        if set(by_name) - {schema.range}:
            raise _validation("Query key condition not supported")
        range_condition = by_name.get(schema.range) if schema.range else None
        hash_value = _scalar(hash_condition[1][0])
        if index_name is None:
            candidates: Iterable[Item] = table.partitions.get(hash_value, {}).values()
        else:
            candidates = (
                item for item in table.items() if schema.hash in item and _scalar(item[schema.hash]) == hash_value
            )
        matching = [
            item
            for item in candidates
            if (schema.range is None or schema.range in item)
            and (range_condition is None or _compare(item[schema.range], *range_condition))  # type: ignore[index]
        ]
        return self._page(table, schema if index_name else None, matching, params, expressions)

    def scan(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("FilterExpression") or params.get("ScanFilter") or params.get("Segment") is not None:
            raise NotImplementedError("bench fake DynamoDB: Scan with filters or segments")
        table = self._table(params["TableName"])
        index_name = params.get("IndexName")
        schema = table.schema.indexes.get(index_name) if index_name else None
        if index_name and schema is None:
            raise _validation(f"The table does not have the specified index: {index_name}")
        items = [i for i in table.items() if schema is None or all(n in i for n in schema.names)]
        return self._page(table, schema, items, params, _Expressions(params))

    def _page(
        self,
        table: _Table,
        index: KeySchema | None,
        items: list[Item],
        params: dict[str, Any],
        expressions: _Expressions,
    ) -> dict[str, Any]:
        """Sort (index range key, then table key), resume after ExclusiveStartKey, cut at Limit."""
        base = table.schema.key

        def position(item: Item) -> tuple[Any, ...]:
            order: list[Any] = []
            if index is not None:
                order += [_scalar(item[n]) for n in index.names[1:]]
            order += [_scalar(item[n]) for n in base.names]
            return tuple(order)

        forward = params.get("ScanIndexForward", True)
        items.sort(key=position, reverse=not forward)
        start = params.get("ExclusiveStartKey")
        if start:
            key_names = set(base.names) | set(index.names if index else ())
            if set(start) != key_names:
                raise _validation("The provided starting key is invalid")
            after = position(start)
            items = [i for i in items if (position(i) > after if forward else position(i) < after)]
        limit = params.get("Limit")
        if limit is not None and limit < 1:
            raise _validation("Limit must be greater than or equal to 1")
        page = items[:limit] if limit else items
        result: dict[str, Any] = {"Count": len(page), "ScannedCount": len(page)}
        if params.get("Select") != "COUNT":
            names = expressions.projection(params.get("ProjectionExpression"))
            if names is None and index is not None and index.projection != "ALL":
                names = [*base.names, *index.names, *index.included]
            result["Items"] = [_project(i, names) for i in page]
        if limit and len(page) == limit:  # as DynamoDB: a full page says "maybe more", even if none remain
            last = page[-1]
            result["LastEvaluatedKey"] = {
                n: _copy(last[n]) for n in {*base.names, *(index.names if index else ())} if n in last
            }
        return result

    # -- batches
    def batch_write_item(self, params: dict[str, Any]) -> dict[str, Any]:
        requests = params["RequestItems"]
        total = sum(len(entries) for entries in requests.values())
        if not 1 <= total <= MAX_BATCH_WRITE:
            raise _validation(f"Too many items requested for the BatchWriteItem call ({total})")
        for table_name, entries in requests.items():
            table = self._table(table_name)
            keys = set()
            for entry in entries:
                item = entry["PutRequest"]["Item"] if "PutRequest" in entry else entry["DeleteRequest"]["Key"]
                key = table.key_of(item, exact="DeleteRequest" in entry)
                if key in keys:
                    raise _validation("Provided list of item keys contains duplicates")
                keys.add(key)
            for entry in entries:
                if "PutRequest" in entry:
                    table.put(_copy(entry["PutRequest"]["Item"]))
                else:
                    table.delete(entry["DeleteRequest"]["Key"])
        return {"UnprocessedItems": {}}

    def transact_write_items(self, params: dict[str, Any]) -> dict[str, Any]:
        """Put and Delete actions (with their conditions), all or none (the outbox stages events this way)."""
        actions = params["TransactItems"]
        if not 1 <= len(actions) <= 100:
            raise _validation(f"Too many actions in the TransactWriteItems call ({len(actions)})")
        planned = []
        for action in actions:
            ((kind, body),) = action.items()
            if kind not in ("Put", "Delete"):
                raise NotImplementedError(f"bench fake DynamoDB: TransactWriteItems {kind}")
            table = self._table(body["TableName"])
            key = body["Key"] if kind == "Delete" else {n: body["Item"][n] for n in table.schema.key.names}
            try:
                _Expressions(body).check_condition(body.get("ConditionExpression"), table.get(key))
            except FakeError as exc:  # DynamoDB cancels the whole transaction
                raise FakeError("TransactionCanceledException", f"Transaction cancelled: [{exc.code}]") from None
            planned.append((kind, table, body))
        for kind, table, body in planned:
            if kind == "Put":
                table.put(_copy(body["Item"]))
            else:
                table.delete(body["Key"])
        return {}

    def batch_get_item(self, params: dict[str, Any]) -> dict[str, Any]:
        responses: dict[str, list[Item]] = {}
        for table_name, request in params["RequestItems"].items():
            table = self._table(table_name)
            names = _Expressions(request).projection(request.get("ProjectionExpression"))
            found = [table.get(key) for key in request["Keys"]]
            responses[table_name] = [_project(item, names) for item in found if item is not None]
        return {"Responses": responses, "UnprocessedKeys": {}}

    # -- snapshots shared between benchmark children
    def dump(self) -> dict[str, list[Item]]:
        return {name: [_map_binary(i, _to_base64) for i in table.items()] for name, table in self.tables.items()}

    def load(self, data: dict[str, list[Item]], *, binary_as_bytes: bool) -> int:
        count = 0
        for name, items in data.items():
            table = self.tables.get(name)
            if table is None:
                continue
            for item in items:
                table.put(_map_binary(item, _from_base64) if binary_as_bytes else item)
                count += 1
        return count


class EventBridge(Backend):
    service = "events"
    operations = ("put_events",)

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def put_events(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params["Entries"]
        if not 1 <= len(entries) <= MAX_EVENT_ENTRIES:
            raise _validation("Entries must hold 1 to 10 entries")
        answers = []
        for entry in entries:
            json.loads(entry["Detail"])  # EventBridge refuses a Detail that is not a JSON object
            self.published.append(entry)
            answers.append({"EventId": str(uuid.uuid4())})
        return {"FailedEntryCount": 0, "Entries": answers}


class SSM(Backend):
    service = "ssm"
    operations = ("get_parameter", "get_parameters", "get_parameters_by_path", "put_parameter")

    def __init__(self, parameters: dict[str, str] | None = None) -> None:
        self.parameters = dict(parameters or {})

    def _parameter(self, name: str) -> dict[str, Any]:
        return {
            "Name": name,
            "Type": "String",
            "Value": self.parameters[name],
            "Version": 1,
            "ARN": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}",
            "DataType": "text",
        }

    def get_parameter(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        if name not in self.parameters:
            raise FakeError("ParameterNotFound", f"Parameter {name} not found.")
        return {"Parameter": self._parameter(name)}

    def get_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        names = params["Names"]
        return {
            "Parameters": [self._parameter(n) for n in names if n in self.parameters],
            "InvalidParameters": [n for n in names if n not in self.parameters],
        }

    def get_parameters_by_path(self, params: dict[str, Any]) -> dict[str, Any]:
        """One page with every match (SSM pages by 10; nothing here depends on the page size)."""
        path = params["Path"].rstrip("/") + "/"
        recursive = bool(params.get("Recursive"))
        names = [n for n in sorted(self.parameters) if n.startswith(path) and (recursive or "/" not in n[len(path) :])]
        return {"Parameters": [self._parameter(n) for n in names]}

    def put_parameter(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        if name in self.parameters and not params.get("Overwrite"):
            raise FakeError("ParameterAlreadyExists", f"The parameter {name} already exists.")
        self.parameters[name] = params["Value"]
        return {"Version": 1, "Tier": "Standard"}


# --- plugging the backends into boto3 --------------------------------------------------------


def _metadata() -> dict[str, Any]:
    return {"RequestId": uuid.uuid4().hex, "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}


class FakeClient:
    """What `boto3.client(service)` returns in `client` mode: the real client's face, memory answers."""

    def __init__(self, real: Any, backend: Backend) -> None:
        from botocore.validate import ParamValidationDecorator, ParamValidator

        self._real = real
        self._backend = backend
        # as botocore: a client made with Config(parameter_validation=False) has a serializer without
        # the validating decorator, and does not validate (meta.config does not tell)
        validates = isinstance(getattr(real, "_serializer", None), ParamValidationDecorator)
        self._validator = ParamValidator() if validates else None
        self.meta = real.meta
        self.exceptions = real.exceptions
        for operation in backend.operations:
            setattr(self, operation, self._operation(operation))

    def _operation(self, operation: str) -> Callable[..., dict[str, Any]]:
        api_name = self._real.meta.method_to_api_mapping[operation]
        input_shape = self._real.meta.service_model.operation_model(api_name).input_shape

        def call(**params: Any) -> dict[str, Any]:
            if self._validator is not None:
                report = self._validator.validate(params, input_shape)
                if report.has_errors():
                    from botocore.exceptions import ParamValidationError

                    raise ParamValidationError(report=report.generate_report())
            try:
                result = self._backend.timed_call(operation, params)
            except FakeError as exc:
                error = {"Error": {"Code": exc.code, "Message": exc.message}, "ResponseMetadata": _metadata()}
                error["ResponseMetadata"]["HTTPStatusCode"] = 400
                raise self._real.exceptions.from_code(exc.code)(error, api_name) from None
            return {**result, "ResponseMetadata": _metadata()}

        call.__name__ = operation
        return call

    def get_paginator(self, operation: str) -> Any:
        paginator = self._real.get_paginator(operation)
        paginator._method = getattr(self, operation)  # botocore's Paginator calls the operation it holds
        return paginator

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if hasattr(self._real, name) and name in self._real.meta.method_to_api_mapping:
            raise NotImplementedError(
                f"bench fake {self._backend.service}: operation {name} is not emulated (add it to bench/fakes.py)"
            )
        return getattr(self._real, name)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self.data


def _answer_over_http(real: Any, backend: Backend | None) -> None:
    """Answer every HTTP request of a real client from `backend` (JSON protocols only)."""
    from botocore.awsrequest import AWSResponse

    service_model = real.meta.service_model
    api_to_method = {api: method for method, api in real.meta.method_to_api_mapping.items()}
    content_type = f"application/x-amz-json-{service_model.metadata.get('jsonVersion', '1.0')}"

    def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
        api_name = event_name.rsplit(".", 1)[-1]  # before-send.<service>.<Operation>
        if backend is None or service_model.protocol != "json":
            raise NotImplementedError(f"bench fake: {service_model.service_name} is not emulated ({api_name})")
        begin = time.thread_time()
        body = request.body or b"{}"
        params = json.loads(body.decode() if isinstance(body, bytes) else body)
        try:
            status, payload = 200, backend.call(api_to_method[api_name], params)
        except FakeError as exc:
            status, payload = 400, {"__type": exc.code, "message": exc.message}
        headers = {"Content-Type": content_type, "x-amzn-RequestId": uuid.uuid4().hex}
        data = json.dumps(payload, separators=(",", ":")).encode()
        backend.busy_s += time.thread_time() - begin
        return AWSResponse(request.url, status, headers, _Body(data))

    real.meta.events.register(f"before-send.{service_model.service_id.hyphenize()}", before_send)


def install(backends: dict[str, Backend], mode: str = "client") -> None:
    """Make every `boto3.client(...)` (and `Session().client(...)`) answer from `backends`.

    `mode` is `client` or `http` (see the module docstring). A service without a backend gets a
    client whose every call raises NotImplementedError: nothing ever reaches the network.
    """
    import boto3.session

    if mode not in ("client", "http"):
        raise ValueError(f"unknown fake mode {mode!r}")
    real_factory = boto3.session.Session.client

    def client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        real = real_factory(self, service_name, *args, **kwargs)
        backend = backends.get(service_name)
        if mode == "client" and backend is not None:
            return FakeClient(real, backend)
        _answer_over_http(real, backend)
        return real

    boto3.session.Session.client = client
