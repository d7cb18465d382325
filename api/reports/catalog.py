"""The reports there are: each a GraphQL document (``<name>.graphql`` beside this file, the
one the explorer's view asks) and how its answer is printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from graphql import FieldNode, NonNullTypeNode, OperationDefinitionNode, parse

from api.reports import layouts
from api.reports.answer import Answer
from api.reports.pdf import Section
from graph_lineage.errors import InvalidQuery


@dataclass(frozen=True)
class ReportKind:
    name: str
    document: str
    operation: str  # the document's operation name
    field: str  # the query field the report prints
    arguments: dict[str, bool]  # the document's variables: name to required
    title: Callable[[Answer], str]
    sections: Callable[[Answer], list[Section]]

    @classmethod
    def load(
        cls,
        name: str,
        title: Callable[[Answer], str],
        sections: Callable[[Answer], list[Section]],
    ) -> ReportKind:
        document = files("api.reports").joinpath(f"{name}.graphql").read_text(encoding="utf-8")
        (operation,) = parse(document).definitions
        assert isinstance(operation, OperationDefinitionNode) and operation.name is not None
        (root,) = operation.selection_set.selections
        assert isinstance(root, FieldNode)
        arguments = {
            variable.variable.name.value: isinstance(variable.type, NonNullTypeNode)
            for variable in operation.variable_definitions or ()
        }
        return cls(
            name, document, operation.name.value, root.name.value, arguments, title, sections
        )

    def check(self, arguments: dict[str, Any]) -> None:
        """Refuse arguments the report does not take, or without one it needs."""
        unknown = sorted(set(arguments) - set(self.arguments))
        missing = sorted(n for n, needed in self.arguments.items() if needed and n not in arguments)
        takes = ", ".join(self.arguments)
        if unknown:
            raise InvalidQuery(f"the {self.name} report takes {takes}, not {', '.join(unknown)}")
        if missing:
            raise InvalidQuery(f"the {self.name} report needs {', '.join(missing)}")


REPORTS = {
    kind.name: kind
    for kind in (
        ReportKind.load("trace", layouts.trace_title, layouts.trace_sections),
        ReportKind.load("impact", layouts.impact_title, layouts.impact_sections),
        ReportKind.load("experiment", layouts.experiment_title, layouts.experiment_sections),
    )
}
