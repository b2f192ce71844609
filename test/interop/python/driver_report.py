"""How every driver script answers the test: the last stdout line is one JSON object.

A call that returns gives its dict with "ok": true; one that raises gives the official client's
exception class, its MRO, message, HTTP status and server message, which the tests assert on.
"""
import json
import sys
import traceback


def report(main, catch=Exception):
    """Runs main(args) on the JSON in argv[1] and prints the result (SystemExit too with BaseException)."""
    try:
        out = main(json.loads(sys.argv[1]))
        out.setdefault("ok", True)
    except catch as exc:  # the test asserts on the class
        resp = getattr(exc, "response", None)
        out = {
            "ok": False,
            "error": type(exc).__name__,
            "mro": [c.__name__ for c in type(exc).__mro__],
            "message": str(exc)[:2000],
            "status": getattr(resp, "status_code", None),
            "server_message": getattr(exc, "server_message", None),
            "trace": traceback.format_exc()[-3000:],
        }
    sys.stdout.flush()
    print(json.dumps(out, default=str))
