#!/usr/bin/env python3
"""Print the operations and models of Huawei Cloud's official BSS (international) Python SDK.

The Partner Center permission page gives each API as `METHOD /path` only. The official SDK
names the same operations (`ListSubCustomers`, ...) and defines their requests and
responses. This script reads both from the installed SDK so that
`cargo xtask import huaweicloud --sdk-operations FILE` can name the operations and type
them.

How to run it:

    pip install huaweicloudsdkbssintl
    python3 xtask/scripts/huawei_sdk_operations.py > /tmp/huawei-ops.json

It prints one JSON object (keys sorted, two-space indent, so the same SDK always gives the
same bytes):

    {"sdk": "huaweicloudsdkbssintl", "version": "3.1.219",
     "operations": {
       "GET /v2/orders/customer-orders/details/{order_id}": {
         "name": "ShowCustomerOrderDetails",
         "request": "ShowCustomerOrderDetailsRequest",
         "params": [
           {"name": "x_language", "wire_name": "X-Language", "location": "header",
            "type": "string", "required": false},
           {"name": "order_id", "wire_name": "order_id", "location": "path",
            "type": "string", "required": true}, ...],
         "response": "ShowCustomerOrderDetailsResponse"}, ...},
     "models": {
       "ShowCustomerOrderDetailsResponse": {"fields": [
         {"name": "total_count", "wire_name": "total_count", "type": "int64",
          "required": false}, ...]}, ...}}

- `operations` has every operation of the SDK's client (more than the permission page
  lists: the importer takes the page's routes and ignores the rest, so a route new on the
  page needs no new run of this script with different arguments).
- `params` are the attributes of the SDK's request class, in the class's order. `location`
  is where the client's `_<operation>_http_info` method puts each one: `path`, `query`,
  `header`, or `body` (the JSON body; its `type` is the body model). `name` is the SDK's
  attribute name, `wire_name` the name on the wire (the path placeholder, query key or
  header name). A path placeholder the request does not fill is one the SDK fills from
  its credentials (`domain_id`, the account ID, for this SDK's `GlobalCredentials`, as
  huaweicloudsdkcore's `get_update_path_params` says): it is listed first, as a required
  `string` path parameter with `"from_credentials": true`.
- `models` has every model reachable from the operations' parameters and responses: the
  body models, the response classes (whose fields are the response body's) and everything
  they hold. Fields are in the class's order.
- `type` is one of `string`, `int64`, `float`, `decimal`, `bool`, `list<T>`, `map<T>`
  (a JSON object of string keys), `object` (any JSON), or a model name. The SDK's Python
  types give no integer width, so its `int` is `int64`; its `float` (a Python float, i.e. a
  double) is `float`; its `decimal.Decimal` is `decimal`.
- `required`: the SDK's generated `__init__` assigns a required attribute unconditionally
  (`self.order_id = order_id`) and an optional one only `if order_id is not None`. That is
  the one marker the SDK keeps of the API's required lists, so it is what `required`
  reports. (Response classes mark nothing required.) The SDK makes every request `body`
  optional: the importer decides about bodies (see README.md).
- `doc` (where the SDK gives one): the attribute's `:param <name>: <text>` line of the
  class's `__init__` docstring, for parameters and model fields. The importer reads only
  what decides paging from it (whether `offset` is a page number, `limit`'s documented
  default and range); the spec does not carry it.

The SDK (and huaweicloudsdkcore's credentials module, which it depends on) is parsed as
Python source with `ast` and never imported (importing it needs huaweicloudsdkcore's
dependencies); nothing of the SDK's code is copied into this
repository. Anything the spec cannot represent (form parameters, a content type other
than JSON, response headers, list parameters with a collection format, an unknown type)
stops the script with an error that names the SDK file and the operation or model.
"""

import ast
import html
import importlib.metadata
import importlib.util
import json
import pathlib
import re
import sys

PACKAGE = "huaweicloudsdkbssintl"
CLIENT = pathlib.Path("v2") / "bssintl_client.py"
MODELS = pathlib.Path("v2") / "model"
CORE = "huaweicloudsdkcore"
CREDENTIALS = pathlib.Path("auth") / "credentials.py"

PRIMITIVES = {
    "str": "string",
    "int": "int64",
    "float": "float",
    "decimal.Decimal": "decimal",
    "bool": "bool",
    "object": "object",
}
LIST = re.compile(r"^list\[(?P<inner>.+)\]$")
MAP = re.compile(r"^dict\(str, ?(?P<inner>.+)\)$")
MODEL_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def fail(message):
    print(f"huawei_sdk_operations.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def package_dir(package, *paths):
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        fail(f"the Python package `{package}` is not installed; run `pip install {PACKAGE}` first")
    for location in spec.submodule_search_locations:
        root = pathlib.Path(location)
        if all((root / path).exists() for path in paths):
            return root
    fail(f"`{package}` is installed but lacks {', '.join(map(str, paths))}; has the SDK's layout changed?")


def parse(path):
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as err:
        fail(f"{path}: not Python this script can parse: {err}")


def constant(node):
    return node.value if isinstance(node, ast.Constant) else None


def subscript_key(node, container):
    """`key` of `container['key']`, or None."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == container
    ):
        return constant(node.slice)
    return None


# ---------------------------------------------------------------------------------------
# Models


class Model:
    def __init__(self, path, types, wire, required, docs):
        self.path = path
        self.types = types  # attribute -> SDK type string, in class order
        self.wire = wire  # attribute -> wire name
        self.required = required  # attributes __init__ assigns unconditionally
        self.docs = docs  # attribute -> its `:param` line of __init__'s docstring


def class_dict(path, cls, attribute):
    for statement in cls.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == attribute
        ):
            try:
                value = ast.literal_eval(statement.value)
            except ValueError:
                value = None
            if not isinstance(value, dict):
                fail(f"{path}: {cls.name}.{attribute} is not a dict literal")
            return value
    fail(f"{path}: {cls.name} has no `{attribute}`; has the SDK's code layout changed?")


def required_attributes(path, cls, attributes):
    """The attributes `__init__` sets unconditionally: `self.x = x` at the top level of the
    method, as opposed to `if x is not None: self.x = x`."""
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
        None,
    )
    if init is None:
        fail(f"{path}: {cls.name} has no __init__")
    required, optional = set(), set()
    for statement in init.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Attribute)
            and isinstance(statement.targets[0].value, ast.Name)
            and statement.targets[0].value.id == "self"
            and statement.targets[0].attr in attributes
            and isinstance(statement.value, ast.Name)
            and statement.value.id == statement.targets[0].attr
        ):
            required.add(statement.targets[0].attr)
        elif isinstance(statement, ast.If):
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Attribute) and inner.attr in attributes:
                    optional.add(inner.attr)
    unset = set(attributes) - required - optional
    if unset:
        fail(f"{path}: {cls.name}.__init__ never sets {sorted(unset)}; has the SDK's code layout changed?")
    return required


PARAM_DOC = re.compile(r"^\s*:param (?P<attribute>\w+):(?P<text>.*)$")


def param_docs(cls, attributes):
    """Each attribute's `:param <attribute>: <text>` line of `__init__`'s docstring (the
    SDK's one description of it; the importer reads what decides paging from it, e.g.
    whether `offset` is a page number), HTML entities decoded, whitespace collapsed."""
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
        None,
    )
    docs = {}
    for line in (init and ast.get_docstring(init) or "").splitlines():
        match = PARAM_DOC.match(line)
        if match and match["attribute"] in attributes:
            text = " ".join(html.unescape(match["text"]).split())
            if text:
                docs[match["attribute"]] = text
    return docs


def read_models(root):
    models = {}
    for path in sorted((root / MODELS).glob("*.py")):
        if path.name == "__init__.py":
            continue
        for cls in parse(path).body:
            if not isinstance(cls, ast.ClassDef):
                continue
            types = class_dict(path, cls, "openapi_types")
            wire = class_dict(path, cls, "attribute_map")
            if list(types) != list(wire):
                fail(f"{path}: {cls.name}: openapi_types and attribute_map name different attributes")
            if cls.name in models:
                fail(f"{path}: model {cls.name} is also defined in {models[cls.name].path}")
            models[cls.name] = Model(
                path, types, wire, required_attributes(path, cls, types), param_docs(cls, types)
            )
    if not models:
        fail(f"{root / MODELS}: no model classes found; has the SDK's layout changed?")
    return models


def spec_type(sdk_type, where, models):
    """The JSON document's spelling of an SDK type string, and the models it names."""
    sdk_type = sdk_type.strip()
    if sdk_type in PRIMITIVES:
        return PRIMITIVES[sdk_type], []
    for pattern, wrapper in ((LIST, "list"), (MAP, "map")):
        match = pattern.match(sdk_type)
        if match:
            inner, named = spec_type(match["inner"], where, models)
            return f"{wrapper}<{inner}>", named
    if MODEL_NAME.match(sdk_type):
        if sdk_type not in models:
            fail(f"{where}: type `{sdk_type}` is not a model of {MODELS}/")
        return sdk_type, [sdk_type]
    fail(f"{where}: unknown SDK type `{sdk_type}` (known: {', '.join(PRIMITIVES)}, list[T], dict(str, T), model names)")


# ---------------------------------------------------------------------------------------
# The client


def credential_path_params(client_path, client_tree, core_root):
    """The path placeholders the SDK fills from its credentials rather than from the
    request: the client is built with `ClientBuilder(cls, "<Credentials class>")`, and that
    class of huaweicloudsdkcore's auth/credentials.py sets them in
    `get_update_path_params` (`path_params["domain_id"] = self.domain_id`)."""
    kinds = {
        constant(node.args[1])
        for node in ast.walk(client_tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ClientBuilder"
        and len(node.args) == 2
    }
    if len(kinds) != 1 or None in kinds:
        fail(f"{client_path}: expected one `ClientBuilder(cls, \"<Credentials>\")` kind, found {sorted(map(str, kinds))}")
    kind = kinds.pop()
    path = core_root / CREDENTIALS
    cls = next(
        (n for n in ast.walk(parse(path)) if isinstance(n, ast.ClassDef) and n.name == kind),
        None,
    )
    method = cls and next(
        (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "get_update_path_params"),
        None,
    )
    if method is None:
        fail(f"{path}: no {kind}.get_update_path_params; has huaweicloudsdkcore's layout changed?")
    return {
        subscript_key(node.targets[0], "path_params")
        for node in ast.walk(method)
        if isinstance(node, ast.Assign) and subscript_key(node.targets[0], "path_params") is not None
    }


def http_info_methods(path, tree):
    """Every `_<function>_http_info(cls, request)` method of the client class."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_") and node.name.endswith("_http_info"):
            yield node.name[1 : -len("_http_info")], node


def public_method_types(tree):
    """`function -> (request class, response class)` from the public methods' docstrings
    (`:type request: :class:`...v2.XRequest`` and `:rtype: :class:`...v2.XResponse``)."""
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        docstring = ast.get_docstring(node) or ""
        request = re.search(r":type request: :class:`[\w.]*?\.(\w+)`", docstring)
        response = re.search(r":rtype: :class:`[\w.]*?\.(\w+)`", docstring)
        if request and response:
            found[node.name] = (request[1], response[1])
    return found


def routing(path, function, method):
    """What one `_..._http_info` method does with the request's attributes."""
    where = f"{path}: _{function}_http_info"
    info = None
    locations = {}  # attribute -> (location, wire name)

    def place(attribute, location, wire):
        if attribute in locations:
            fail(f"{where}: attribute `{attribute}` is sent twice")
        locations[attribute] = (location, wire)

    for node in ast.walk(method):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Name) and target.id == "http_info" and isinstance(value, ast.Dict):
                info = {constant(k): constant(v) for k, v in zip(value.keys, value.values)}
            elif isinstance(target, ast.Name) and target.id == "body":
                attribute = subscript_key(value, "local_var_params")
                if attribute is not None:
                    place(attribute, "body", attribute)
            elif isinstance(target, ast.Name) and target.id == "response_headers":
                if not (isinstance(value, ast.List) and not value.elts):
                    fail(f"{where}: the response has headers, which the spec does not model yet")
            elif subscript_key(target, "path_params") is not None:
                place(subscript_key(value, "local_var_params"), "path", subscript_key(target, "path_params"))
            elif subscript_key(target, "header_params") is not None:
                wire = subscript_key(target, "header_params")
                attribute = subscript_key(value, "local_var_params")
                if attribute is not None:
                    place(attribute, "header", wire)
                elif wire != "Content-Type":
                    fail(f"{where}: header `{wire}` is not set from the request")
            elif subscript_key(target, "form_params") is not None:
                fail(f"{where}: form parameters are not supported")
            elif subscript_key(target, "collection_formats") is not None:
                fail(f"{where}: list parameters with a collection format are not supported")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "query_params"
        ):
            pair = node.args[0] if node.args else None
            if not (isinstance(pair, ast.Tuple) and len(pair.elts) == 2):
                fail(f"{where}: a query parameter that is not a (name, value) pair")
            place(subscript_key(pair.elts[1], "local_var_params"), "query", constant(pair.elts[0]))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_header_content_type"
        ):
            types = ast.literal_eval(node.args[0]) if node.args else None
            if types != ["application/json"]:
                fail(f"{where}: content type {types} is not JSON")
    if not info or not all(isinstance(info.get(k), str) for k in ("method", "resource_path", "response_type")):
        fail(f"{where}: no `http_info = {{\"method\": ..., \"resource_path\": ..., \"response_type\": ...}}`")
    if None in locations or any(wire is None for _, wire in locations.values()):
        fail(f"{where}: a parameter whose name or attribute is not a string literal")
    return info, locations


def operations(root, core_root, models):
    """The operations by route, and the models their parameters and responses name."""
    path = root / CLIENT
    tree = parse(path)
    documented = public_method_types(tree)
    from_credentials = credential_path_params(path, tree, core_root)
    found = {}
    roots = []
    for function, method in http_info_methods(path, tree):
        where = f"{path}: _{function}_http_info"
        info, locations = routing(path, function, method)
        response = info["response_type"]
        if not response.endswith("Response"):
            fail(f"{where}: response type `{response}` does not end in `Response`")
        name = response[: -len("Response")]
        request_class, documented_response = documented.get(function, (None, None))
        if request_class is None:
            fail(f"{path}: `{function}` has no docstring naming its request and response classes")
        if documented_response != response:
            fail(f"{where}: returns `{response}`, but `{function}` documents `{documented_response}`")
        for model in (request_class, response):
            if model not in models:
                fail(f"{where}: `{model}` is not a model of {MODELS}/")
        request = models[request_class]
        unrouted = [a for a in request.types if a not in locations]
        unknown = [a for a in locations if a not in request.types]
        if unrouted or unknown:
            fail(f"{where}: {request_class} has attributes {unrouted} that are never sent, and sends {unknown} that it lacks")
        params = []
        # Placeholders the request does not fill come from the credentials (first, in the
        # path's order), or the route cannot be sent at all.
        routed = {wire for location, wire in locations.values() if location == "path"}
        for placeholder in re.findall(r"\{(\w+)\}", info["resource_path"]):
            if placeholder in routed:
                continue
            if placeholder not in from_credentials:
                fail(f"{where}: nothing fills the placeholder {{{placeholder}}} of {info['resource_path']}")
            params.append(
                {
                    "name": placeholder,
                    "wire_name": placeholder,
                    "location": "path",
                    "type": "string",
                    "required": True,
                    "from_credentials": True,
                }
            )
        for attribute, sdk_type in request.types.items():
            location, wire = locations[attribute]
            if location != "body" and wire != request.wire[attribute]:
                fail(f"{where}: `{attribute}` goes out as `{wire}`, but {request_class} maps it to `{request.wire[attribute]}`")
            param_type, named = spec_type(sdk_type, f"{request.path}: {request_class}.{attribute}", models)
            roots.extend(named)
            param = {
                "name": attribute,
                "wire_name": wire,
                "location": location,
                "type": param_type,
                "required": attribute in request.required,
            }
            if attribute in request.docs:
                param["doc"] = request.docs[attribute]
            params.append(param)
        route = f"{info['method']} {info['resource_path']}"
        if route in found:
            fail(f"{path}: {route} is the route of both {found[route]['name']} and {name}")
        found[route] = {
            "name": name,
            "request": request_class,
            "params": params,
            "response": response,
        }
        roots.append(response)
    if not found:
        fail(f"{path}: no `_..._http_info` methods found; has the SDK's code layout changed?")
    return found, roots


def reachable_models(roots, models):
    """Every model reachable from the model names `roots`, as JSON documents."""
    out = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in out:
            continue
        model = models[name]
        fields = []
        for attribute, sdk_type in model.types.items():
            field_type, named = spec_type(sdk_type, f"{model.path}: {name}.{attribute}", models)
            stack.extend(named)
            field = {
                "name": attribute,
                "wire_name": model.wire[attribute],
                "type": field_type,
                "required": attribute in model.required,
            }
            if attribute in model.docs:
                field["doc"] = model.docs[attribute]
            fields.append(field)
        out[name] = {"fields": fields}
    return out


def main():
    if len(sys.argv) > 1:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    root = package_dir(PACKAGE, CLIENT, MODELS)
    core_root = package_dir(CORE, CREDENTIALS)
    models = read_models(root)
    found, roots = operations(root, core_root, models)
    print(
        json.dumps(
            {
                "sdk": PACKAGE,
                "version": importlib.metadata.version(PACKAGE),
                "operations": found,
                "models": reachable_models(roots, models),
            },
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
