# Runs inside the jail: loads one eval, scores the traces arriving on stdin, reports on a private result fd.
#
# Protocol (the parent is src/sandbox/interpreter.ts):
#   stdin line 1   {"mode": "batch"|"check", "code": str, "static_check": bool, "limits": {...}}
#   stdin line 2+  {"id": str, "trace": object}                       (batch mode only)
#   fd 3 lines     {"ready": true} once the eval is loaded, or {"load_error": {kind, message, traceback?, errors?}};
#                  then per trace, in order: {"id", "ok": true, "passed", "reason", "duration_ms", "stdout"}
#                  or {"id", "ok": false, "error": {"kind", "message", "traceback"}};
#                  in check mode a single {"check": {"ok": bool, "errors": [{"line", "message"}]}}.
# Eval code shares this process, so it can forge lines or ignore the alarm: the parent checks ids and order
# and owns the real deadline. Everything here only makes the honest path clean and the common failures precise.
import builtins
import fcntl
import io
import linecache
import os
import resource
import signal
import sys
import time
import traceback
from json import dumps, loads

INHERITED_RESULT_FD = 3
PRIVATE_FD_BASE = 100  # out of the way of the fds eval code opens itself
EVAL_FILENAME = "<eval>"
ALLOWED_ENVIRONMENT = ("LANG", "PATH")


class EvalTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so that `except Exception` in eval code does not swallow it."""


class OutputLimitExceeded(BaseException):
    """Raised when eval code prints far more than anyone will read."""


def main():
    result_fd, trace_in = take_private_fds()
    for name in [name for name in os.environ if name not in ALLOWED_ENVIRONMENT]:
        del os.environ[name]  # the jail tool may add its own (bwrap sets PWD); evals see LANG and PATH only
    header = loads(trace_in.readline())
    limits = header["limits"]
    apply_rlimits(limits)
    reporter = Reporter(result_fd, limits)
    if header.get("static_check", True) or header.get("mode") == "check":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import static_check  # beside this file; imported late so the no-check path skips its cost
        errors = static_check.check(header["code"])
        if header.get("mode") == "check":
            reporter.send({"check": {"ok": not errors, "errors": errors}})
            return
        if errors:
            message = "the eval was rejected by the static check"
            reporter.send({"load_error": {"kind": "static_check", "message": message, "errors": errors}})
            return
    alarm = Alarm()
    evaluate = load_eval(header["code"], limits, alarm, reporter)
    if evaluate is None:
        return
    reporter.send({"ready": True})
    for line in iter(trace_in.readline, b""):
        item = loads(line)
        try:
            result = score(evaluate, item["id"], item["trace"], limits, alarm, reporter)
        except EvalTimeout:  # the alarm landed between an eval's exception and its handler stopping the timer
            result = {"id": item["id"], "ok": False, "error": reporter.failure(*classify(EvalTimeout()))}
        reporter.send(result)


def take_private_fds():
    """Move the result channel and stdin to high fds, so eval code holds neither as a well-known number."""
    result_fd = fcntl.fcntl(INHERITED_RESULT_FD, fcntl.F_DUPFD_CLOEXEC, PRIVATE_FD_BASE)
    trace_fd = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, PRIVATE_FD_BASE)
    os.closerange(3, PRIVATE_FD_BASE)
    empty_read, empty_write = os.pipe()  # eval code reading stdin sees end-of-file, not the next traces
    os.close(empty_write)
    os.dup2(empty_read, 0)
    os.close(empty_read)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    return result_fd, io.open(trace_fd, "rb", buffering=1 << 16)


def apply_rlimits(limits):
    # soft == hard, so eval code cannot raise them back
    for resource_id, key in (
        (resource.RLIMIT_AS, "memory_bytes"),
        (resource.RLIMIT_CPU, "cpu_seconds"),
        (resource.RLIMIT_FSIZE, "file_bytes"),
        (resource.RLIMIT_NOFILE, "open_files"),
        (resource.RLIMIT_NPROC, "threads"),
        (resource.RLIMIT_CORE, None),
    ):
        value = limits[key] if key else 0
        resource.setrlimit(resource_id, (value, value))
    # over the file size limit, writes fail with EFBIG instead of the process being killed
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class Alarm:
    """Per-trace wall timer. Cooperative only: the parent kills the jail when eval code defeats it."""

    def __init__(self):
        self.armed = False

    def _fire(self, signum, frame):
        if self.armed:
            self.armed = False  # one exception per trace, however the eval handles it
            raise EvalTimeout()

    def start(self, seconds):
        signal.signal(signal.SIGALRM, self._fire)  # reinstalled each time: eval code may have replaced it
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def stop(self):
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)


class Capture(io.TextIOBase):
    """Stands in for sys.stdout/sys.stderr during a trace: keeps the first part, counts the rest."""

    def __init__(self, keep_chars, limit_chars):
        self.parts = []
        self.kept = 0
        self.total = 0
        self.keep_chars = keep_chars
        self.limit_chars = limit_chars

    def writable(self):
        return True

    def write(self, text):
        if type(text) is not str:
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        self.total += len(text)
        if self.kept < self.keep_chars:
            piece = text[: self.keep_chars - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        if self.total > self.limit_chars:
            raise OutputLimitExceeded()
        return len(text)

    def text(self):
        kept = "".join(self.parts)
        dropped = self.total - self.kept
        return kept + ("\n…[%d more chars not kept]" % dropped if dropped else "")


class Reporter:
    def __init__(self, fd, limits):
        self.fd = fd
        self.limits = limits

    def send(self, message):
        data = (dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data):]

    def clip(self, text, key):
        limit = self.limits[key]
        return text if len(text) <= limit else text[:limit] + "…[%d more chars]" % (len(text) - limit)

    def failure(self, kind, message, error=None):
        described = {"kind": kind, "message": self.clip(message, "message_chars"), "traceback": ""}
        if error is not None:
            described["traceback"] = self.clip_tail(eval_traceback(error), "traceback_chars")
        return described

    def clip_tail(self, text, key):
        limit = self.limits[key]
        return text if len(text) <= limit else "…" + text[-limit:]


def load_eval(code, limits, alarm, reporter):
    linecache.cache[EVAL_FILENAME] = (len(code), None, code.splitlines(True), EVAL_FILENAME)
    namespace = {"__name__": "__eval__", "__builtins__": builtins}
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = Capture(0, limits["output_chars"])
    try:
        alarm.start(limits["timeout_ms"] / 1000)
        exec(compile(code, EVAL_FILENAME, "exec"), namespace)
        alarm.stop()
    except BaseException as error:
        alarm.stop()
        kind, message = classify(error)
        reporter.send({"load_error": reporter.failure(kind, "loading the eval failed: " + message, error)})
        return None
    finally:
        sys.stdout, sys.stderr = saved
    evaluate = namespace.get("evaluate")
    if not callable(evaluate):
        message = "the eval defines no callable `evaluate(trace)`"
        reporter.send({"load_error": reporter.failure("exception", message)})
        return None
    return evaluate


def score(evaluate, trace_id, trace, limits, alarm, reporter):
    capture = Capture(limits["stdout_chars"], limits["output_chars"])
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    started = time.perf_counter()
    try:
        alarm.start(limits["timeout_ms"] / 1000)
        value = evaluate(trace)
        alarm.stop()
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        problem = check_return(value)
        if problem:
            return {"id": trace_id, "ok": False, "error": reporter.failure("invalid_return", problem)}
        if capture.total > limits["output_chars"]:  # eval code swallowed OutputLimitExceeded
            return {"id": trace_id, "ok": False, "error": output_limit_failure(reporter, limits)}
        passed, reason = value
        return {
            "id": trace_id, "ok": True, "passed": passed, "reason": reporter.clip(reason, "reason_chars"),
            "duration_ms": duration_ms, "stdout": capture.text(),
        }
    except BaseException as error:
        alarm.stop()
        if isinstance(error, OutputLimitExceeded) or capture.total > limits["output_chars"]:
            return {"id": trace_id, "ok": False, "error": output_limit_failure(reporter, limits)}
        kind, message = classify(error)
        return {"id": trace_id, "ok": False, "error": reporter.failure(kind, message, error)}
    finally:
        sys.stdout, sys.stderr = saved


def check_return(value):
    if type(value) not in (tuple, list) or len(value) != 2:
        return "evaluate must return a (passed: bool, reason: str) tuple, got %s" % describe(value)
    passed, reason = value
    if type(passed) is not bool:
        return "evaluate returned %s as `passed`; it must be True or False" % describe(passed)
    if type(reason) is not str:
        return "evaluate returned %s as `reason`; it must be a str" % describe(reason)
    return None


def describe(value):
    if type(value) in (tuple, list):
        return "a %s of length %d" % (type(value).__name__, len(value))
    return "a value of type %s" % type(value).__name__


def output_limit_failure(reporter, limits):
    message = "the eval printed more than %d characters" % limits["output_chars"]
    return reporter.failure("output_limit", message)


def classify(error):
    if isinstance(error, EvalTimeout):
        return "timeout", "the eval did not finish in time"
    if isinstance(error, MemoryError):
        return "memory", "the eval ran out of memory (MemoryError)"
    try:
        text = str(error)
    except BaseException:
        text = "<unprintable>"
    return "exception", "%s: %s" % (type(error).__name__, text) if text else type(error).__name__


def eval_traceback(error):
    """The traceback restricted to frames of the eval's own code, with its source lines."""
    try:
        summary = traceback.extract_tb(error.__traceback__)
        frames = traceback.StackSummary.from_list([frame for frame in summary if frame.filename == EVAL_FILENAME])
        lines = ["Traceback (most recent call last):\n"] if frames else []
        return "".join(lines + frames.format() + traceback.format_exception_only(type(error), error))
    except BaseException:
        return ""


if __name__ == "__main__":
    main()
