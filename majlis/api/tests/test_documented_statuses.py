"""Each operation of the OpenAPI document lists every status its code can answer.

The statuses are derived, as far as the code shows them, without a request:
- 400 when the operation takes a body, a query or header parameter, or a path
  parameter that is not a plain string (each can fail validation); 413 when
  it takes a body (over the size limit);
- 401 when it needs a token or key, 403 when its auth refuses the other kind;
- for each ``raise`` of a Majlis error in the endpoint or in any function of
  Majlis it calls (followed through modules, classes and methods), that
  error's status;
- 503 for every operation but the liveness check: a database lost or too
  busy can meet any of them.
Schemathesis found the programme answering an undocumented 400 to
``?understood=true``; this catches the next one before a client does.
"""

import ast
import inspect
import textwrap
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from majlis.api import apis
from majlis.api.auth import BearerAuth
from majlis.core.exceptions import MajlisError
from majlis.testing.factories import EventFactory

from .helpers import API

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def _unwrapped(target: Any) -> Callable | None:
    if isinstance(target, (staticmethod, classmethod)):
        target = target.__func__
    if not callable(target) or isinstance(target, type):
        return None
    target = inspect.unwrap(target)
    if not isinstance(target, types.FunctionType):
        return None
    if not target.__module__.startswith("majlis."):
        return None
    return target


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    """The object a name or dotted name stands for in ``scope``, or None."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        if owner is not None:
            return getattr(owner, node.attr, None)
    return None


def _methods_named(name: str, scope: dict[str, Any]) -> Iterator[Callable]:
    """Methods called on an object whose class the code does not spell:
    those of that name on the Majlis classes the module knows."""
    for value in scope.values():
        if isinstance(value, type) and value.__module__.startswith("majlis."):
            method = _unwrapped(inspect.getattr_static(value, name, None))
            if method is not None:
                yield method


def _methods_of_made(call: ast.Attribute, scope: dict[str, Any]) -> Iterator[Callable]:
    """``limiter().hit(...)``: the method of the class the inner call's
    function says it returns."""
    if not isinstance(call.value, ast.Call):
        return
    maker = _unwrapped(_resolve(call.value.func, scope))
    if maker is None:
        return
    made = inspect.signature(maker, eval_str=True).return_annotation
    if isinstance(made, type):
        method = _unwrapped(inspect.getattr_static(made, call.attr, None))
        if method is not None:
            yield method


def raised_statuses(function: Callable) -> set[int]:
    return {error.http_status for error in raised_errors(function)}


def raised_errors(
    function: Callable, known: dict[Callable, set] | None = None
) -> set[type[MajlisError]]:
    """The Majlis errors ``function`` can let out: those it raises, and those
    of the Majlis functions it calls, less what a ``try`` around them catches.
    ``known`` keeps each function's answer (empty while it is being walked,
    which ends a recursion)."""
    known = {} if known is None else known
    if function in known:
        return known[function]
    errors: set[type[MajlisError]] = set()
    known[function] = errors
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return set()
    scope = {**vars(inspect.getmodule(function)), **function.__globals__}

    def caught_by(handlers: list[ast.ExceptHandler]) -> tuple[type, ...]:
        caught: list[type] = []
        for handler in handlers:
            names = (
                handler.type.elts
                if isinstance(handler.type, ast.Tuple)
                else [handler.type]
            )
            for name in names:
                kind = _resolve(name, scope) if name is not None else BaseException
                if isinstance(kind, type):
                    caught.append(kind)
        return tuple(caught)

    def visit(node: ast.AST, caught: tuple[type, ...]) -> None:
        found: set[type[MajlisError]] = set()
        if isinstance(node, ast.Try):
            inner = caught + caught_by(node.handlers)
            for child in node.body:
                visit(child, inner)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, caught)
            return
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            error = _resolve(raised, scope)
            maker = _unwrapped(error)
            if maker is not None:
                # ``raise booking_closed(...)``: a function that makes the error
                # says which in its return annotation.
                error = inspect.signature(maker, eval_str=True).return_annotation
            if isinstance(error, type) and issubclass(error, MajlisError):
                found.add(error)
        elif isinstance(node, ast.Call):
            callee = _unwrapped(_resolve(node.func, scope))
            if callee is not None:
                found |= raised_errors(callee, known)
            elif isinstance(node.func, ast.Attribute):
                for method in _methods_of_made(node.func, scope):
                    found |= raised_errors(method, known)
                for method in _methods_named(node.func.attr, scope):
                    found |= raised_errors(method, known)
        errors.update(e for e in found if not issubclass(e, caught))
        for child in ast.iter_child_nodes(node):
            visit(child, caught)

    visit(ast.parse(source), ())
    return errors


def view_functions() -> dict[str, Callable]:
    """The endpoints by their operationId (django-ninja's: module and name)."""
    return {
        f"{value.__module__}_{name}".replace(".", "_"): value
        for name, value in vars(apis).items()
        if isinstance(value, types.FunctionType) and value.__module__ == apis.__name__
    }


def operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def ninja_operations() -> dict[Callable, Any]:
    """django-ninja's operations, by their endpoint, for their auth."""
    return {
        operation.view_func: operation
        for _prefix, router in apis.api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }


def derived_statuses(operation: dict, view: Callable, auths: list[Any]) -> set[int]:
    # A database lost or too busy (DatabaseUnavailable, TryAgain) is answered
    # by the exception handler, whatever the operation's own code raises;
    # only the liveness check touches no database.
    statuses = raised_statuses(view)
    if view is not apis.health_live:
        statuses.add(503)
    if operation.get("requestBody"):
        statuses.add(413)  # a body over the size limit
    if operation.get("requestBody") or any(
        p["in"] != "path" or p.get("schema", {}).get("type") != "string"
        for p in operation.get("parameters", [])
    ):
        statuses.add(400)
    for auth in auths:
        assert isinstance(auth, BearerAuth), auth
        statuses.add(401)
        if not (auth.participants and auth.api_keys):
            statuses.add(403)  # a credential of the other kind
    return statuses


@pytest.fixture(scope="module")
def document() -> dict:
    return apis.api.get_openapi_schema(path_prefix=API)


def test_every_operation_documents_the_statuses_its_code_can_answer(document):
    views = view_functions()
    ninja = ninja_operations()
    missing: dict[str, list[int]] = {}
    for method, path, operation in operations(document):
        view = views[operation["operationId"]]
        documented = {int(status) for status in operation["responses"]}
        expected = derived_statuses(operation, view, ninja[view].auth_callbacks)
        if expected - documented:
            missing[f"{method.upper()} {path}"] = sorted(expected - documented)
    assert missing == {}


def test_no_operation_documents_an_error_its_code_cannot_answer(document):
    """A client handles what the document promises; an error listed that can
    never come is a branch written for nothing."""
    views = view_functions()
    ninja = ninja_operations()
    extra: dict[str, list[int]] = {}
    for method, path, operation in operations(document):
        view = views[operation["operationId"]]
        errors = {int(s) for s in operation["responses"] if int(s) >= 400}
        expected = derived_statuses(operation, view, ninja[view].auth_callbacks)
        if errors - expected:
            extra[f"{method.upper()} {path}"] = sorted(errors - expected)
    assert extra == {}


def test_the_walk_finds_what_an_endpoint_raises():
    """The walk itself: it follows calls into other modules and methods."""
    statuses = raised_statuses(apis.booking_post)
    assert {403, 404, 409, 422, 503} <= statuses
    assert 409 in raised_statuses(apis.booking_access_needs)


@pytest.mark.django_db
def test_an_unknown_language_understood_is_a_documented_400(client, document):
    event = EventFactory()
    response = client.get(f"{API}/events/{event.slug}/sessions?understood=true")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    listed = document["paths"][f"{API}/events/{{event}}/sessions"]["get"]["responses"]
    assert 400 in {int(status) for status in listed}
