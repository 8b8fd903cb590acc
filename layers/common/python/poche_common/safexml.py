"""XML parsed safely with the standard library: every DOCTYPE, entity declaration and external entity is
refused before anything is expanded or fetched (billion laughs, XXE), and so is a document nested deeper than
`MAX_DEPTH` (expat itself does not recurse, but `ElementTree.tostring` and other tree walkers do: 5,000 nested
elements raised `RecursionError`). Elements keep their namespace as `{uri}local`; connectors match them by local
name, since namespaces differ between versions of a format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, NoReturn
from xml.parsers import expat

from .errors import FeedFormatError

# Far deeper than any feed read here (DATEX II nests about 15 levels, an Atom xhtml content some more), far below
# the interpreter's recursion limit (about 1,000 frames).
MAX_DEPTH = 256


class _Refused(Exception):
    """Raised inside expat's handlers: stops the parse before anything is expanded or fetched."""


def _refuse(what: str) -> Any:
    def handler(*_: Any) -> NoReturn:
        raise _Refused(what)

    return handler


def parse_xml(data: bytes, *, max_depth: int = MAX_DEPTH) -> ET.Element:
    """The document's root, built with every DOCTYPE, entity declaration and external entity refused, and no
    element nested deeper than `max_depth` (`FeedFormatError`)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    depth = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _Refused(f"des éléments imbriqués sur plus de {max_depth} niveaux (document trop profond)")
        builder.start(name(tag), {name(key): value for key, value in attributes.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(name(tag))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse("une déclaration DOCTYPE")
    parser.EntityDeclHandler = _refuse("une déclaration d'entité")
    parser.UnparsedEntityDeclHandler = _refuse("une déclaration d'entité externe")
    parser.ExternalEntityRefHandler = _refuse("une entité externe")
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise FeedFormatError(
            f"Le flux XML contient {exc} : refusé par sécurité (expansion d'entités, entités externes et "
            "imbrication excessive interdites)."
        ) from None
    except expat.ExpatError as exc:
        raise FeedFormatError(
            f"Le fichier reçu n'est pas un XML bien formé (ligne {exc.lineno}, colonne {exc.offset} : "
            f"{expat.ErrorString(exc.code)}) : fichier tronqué ou qui n'est pas du XML."
        ) from None
    root: ET.Element = builder.close()
    return root
