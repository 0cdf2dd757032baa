# The static fence for eval code: an AST walk that rejects what an eval never needs, naming the line.
#
# It is the first fence, not the real one (the jail is): it turns the obvious escapes into clear messages
# before any code runs. Imported by harness.py inside the jail; `check(code)` returns a list of
# {"line", "message"} dicts, empty when the code is acceptable.
import ast
import re

ALLOWED_MODULES = frozenset({
    "json", "re", "math", "datetime", "collections", "itertools", "functools",
    "statistics", "string", "difflib", "unicodedata", "typing",
})

# Builtins that reach the interpreter itself: code execution, introspection of scopes, files, stdin.
FORBIDDEN_NAMES = frozenset({
    "__import__", "eval", "exec", "compile", "open", "globals", "locals", "vars",
    "breakpoint", "input", "help", "exit", "quit", "memoryview",
})

# Attribute helpers are allowed only with a literal, public attribute name.
ATTRIBUTE_BUILTINS = frozenset({"getattr", "setattr", "delattr", "hasattr"})

# Public names that still lead to code execution or frame walking.
FORBIDDEN_ATTRIBUTES = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "ag_frame", "ag_code", "ag_await",
    "cr_frame", "cr_code", "cr_await", "cr_origin", "f_globals", "f_locals",
    "f_builtins", "f_back", "f_code", "tb_frame", "tb_next", "co_code", "mro",
    "get_type_hints", "ForwardRef", "Formatter",  # these evaluate strings or walk attributes by name
})

DUNDER_IN_TEXT = re.compile(r"__\w+__")
FORMAT_FIELD_TO_PRIVATE = re.compile(r"\{[^{}]*[.\[]\s*_")
MAX_ERRORS = 50


def check(code):
    try:
        tree = ast.parse(code, filename="<eval>")
    except SyntaxError as error:
        line = error.lineno or 1
        return [_error(line, "syntax error: %s" % error.msg)]
    except (RecursionError, MemoryError, ValueError) as error:
        return [_error(1, "the code cannot be parsed (%s)" % type(error).__name__)]
    visitor = _Fence()
    try:
        visitor.visit(tree)
    except RecursionError:
        visitor.report(1, "the code is nested too deeply to check")
    errors = visitor.errors + _check_entry_point(tree)
    errors.sort(key=lambda error: error["line"])
    return errors[:MAX_ERRORS]


def _error(line, text):
    return {"line": line, "message": "line %d: %s" % (line, text)}


def _check_entry_point(tree):
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "evaluate":
            return [_error(node.lineno, "evaluate must be a plain `def`, not `async def`")]
        if isinstance(node, ast.FunctionDef) and node.name == "evaluate":
            positional = node.args.posonlyargs + node.args.args
            if not positional and node.args.vararg is None:
                return [_error(node.lineno, "evaluate must take the trace as its argument: def evaluate(trace)")]
            return []
    return [_error(1, "no top-level `def evaluate(trace)` found; it must return (passed: bool, reason: str)")]


class _Fence(ast.NodeVisitor):
    def __init__(self):
        self.errors = []

    def report(self, line, text):
        self.errors.append(_error(line, text))

    def visit_Import(self, node):
        for alias in node.names:
            self._check_module(node, alias.name)

    def visit_ImportFrom(self, node):
        if node.level:
            self.report(node.lineno, "relative imports are not allowed")
            return
        self._check_module(node, node.module or "")
        for alias in node.names:
            self._check_attribute_name(node, alias.name)

    def _check_module(self, node, name):
        root = name.split(".")[0]
        if root not in ALLOWED_MODULES:
            allowed = ", ".join(sorted(ALLOWED_MODULES))
            self.report(node.lineno, "import of '%s' is not allowed (allowed: %s)" % (name, allowed))

    def visit_Name(self, node):
        if node.id in FORBIDDEN_NAMES:
            self.report(node.lineno, "use of '%s' is not allowed" % node.id)
        elif node.id in ATTRIBUTE_BUILTINS:
            self.report(node.lineno, "'%s' may only be called directly, with a literal attribute name" % node.id)
        elif node.id.startswith("__"):
            self.report(node.lineno, "the name '%s' is not allowed" % node.id)

    def visit_Attribute(self, node):
        self._check_attribute_name(node, node.attr)
        self.generic_visit(node)

    def _check_attribute_name(self, node, name):
        if name.startswith("_"):
            self.report(node.lineno, "access to the private attribute '%s' is not allowed" % name)
        elif name in FORBIDDEN_ATTRIBUTES:
            self.report(node.lineno, "access to '%s' is not allowed" % name)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in ATTRIBUTE_BUILTINS:
            self._check_attribute_builtin(node)
            for argument in node.args[1:2]:
                if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                    self.visit(argument)
            for argument in node.args[:1] + node.args[2:]:
                self.visit(argument)
            for keyword in node.keywords:
                self.visit(keyword)
            return
        self.generic_visit(node)

    def _check_attribute_builtin(self, node):
        name = node.args[1] if len(node.args) >= 2 else None
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            self.report(node.lineno, "%s needs a literal attribute name" % node.func.id)
        else:
            self._check_attribute_name(node, name.value)

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            if DUNDER_IN_TEXT.search(node.value):
                self.report(node.lineno, "strings naming dunder attributes are not allowed")
            elif FORMAT_FIELD_TO_PRIVATE.search(node.value):
                self.report(node.lineno, "format fields reaching private attributes are not allowed")
