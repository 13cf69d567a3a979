"""JSON from clients, parsed with a nesting cap (HTTP bodies and WebSocket frames alike).

`json.loads` recurses once per `[` or `{`: a few thousand levels raise RecursionError (a 500,
or a socket dropped without a close frame). The depth is therefore checked first, by a linear
scan that skips string contents (where brackets mean nothing), and only shallow input is
handed to `json.loads`. Input with no more opening brackets than the limit cannot be too deep,
so the common small message (a vote: one `{`) costs two `count` calls and no scan.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # every payload the API takes is at most 3 deep

# A whole string literal (escapes included; an unterminated one runs to the end of the input,
# which json.loads then refuses) or one bracket. The unrolled loop keeps the match linear.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class BadJson(ValueError):
    """The input cannot be taken; `code` is the stable error code to send back."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def deeper_than(raw: str | bytes, limit: int) -> bool:
    """Whether brackets outside strings nest more than `limit` deep."""
    # Latin-1 maps each byte to one character; in UTF-8 no byte of a multi-byte character is
    # ASCII, so brackets, quotes and backslashes are where they were.
    text = raw if isinstance(raw, str) else raw.decode("latin-1")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > limit:
                return True
        elif token == "]" or token == "}":
            depth -= 1
    return False


def parse_json(raw: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The decoded value, or BadJson with code `too_deep` or `bad_json`."""
    if deeper_than(raw, max_depth):
        raise BadJson("too_deep", f"The JSON is nested more than {max_depth} levels deep.")
    try:
        return json.loads(raw)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, an integer of 4,300+ digits
        raise BadJson("bad_json", "The request body is not valid JSON.") from None
