"""uvicorn's WebSocket protocol, plus a way to write ready-made frames to the connection.

Fan-out sends one message to thousands of sockets. Through ASGI each copy costs an awaited
`send` per socket, a task switch and its own framing; the hub instead frames the message once
and hands the same bytes to every socket's transport, as `websockets.broadcast` does. The
writer is offered to the app in the ASGI scope's `extensions`; under any other server the
endpoint falls back to ordinary ASGI sends.
"""

from __future__ import annotations

from typing import cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

FRAME_WRITER = "townhall.frame_writer"
IMPORT_PATH = "townhall.web.protocol:FramedWebSocketProtocol"  # uvicorn --ws


class FramedWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The app's task is created but has not run yet, so it sees the extension.
        if hasattr(self, "scope"):
            extensions = cast(dict[str, object], self.scope["extensions"])
            extensions[FRAME_WRITER] = self.write_frame

    def write_frame(self, frame: bytes) -> bool:
        """Write one unmasked, uncompressed frame now, if the connection can take it.

        A connection that negotiated compression (TOWNHALL_WS_COMPRESSION) is refused, so its
        messages go through ASGI and get compressed as the operator asked.
        """
        if (
            self.conn.extensions
            or self.close_sent
            or self.disconnected
            or self.conn.state is not State.OPEN
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True
