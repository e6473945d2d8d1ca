"""A local stand-in for a Nominatim server: ``/search`` in Nominatim's JSON format, on 127.0.0.1.

    with FakeNominatim() as server:
        geocoder = get_geocoder("nominatim", domain=server.domain, scheme="http")
        ...
        server.requests        # how many /search requests arrived
        server.mode = "429"    # ok | 429 | 500 | 503 | malformed | wrong-shape | hang | trickle

Answers are written here by hand in the shape Nominatim returns for ``format=json&addressdetails=1``
(they are fixtures, not real recordings: coordinates are approximate). Unknown queries get ``[]``.
Per-query modes (``server.query_modes["calais"] = "500"``) and "fail the first N requests"
(``server.fail_first = 2`` with ``server.mode_for_failures``) drive the retry tests.

"trickle" sends the normal answer one byte every ``trickle_seconds`` (a service that never times out a
read, yet never finishes). ``server.answers[key]`` may be replaced to send any answer (huge names...).

Run it by hand: ``python tests/fake_nominatim.py [PORT] [MODE]``.
"""
from __future__ import annotations

import json
import sys
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LICENCE = "Data (c) OpenStreetMap contributors, ODbL 1.0 (test fixture)"


def _key(query: str) -> str:
    text = unicodedata.normalize("NFKD", query)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def _answer(place_id, osm_type, osm_id, lat, lon, cls, typ, addresstype, name, display, address):
    return {
        "place_id": place_id, "licence": LICENCE, "osm_type": osm_type, "osm_id": osm_id,
        "lat": f"{lat:.7f}", "lon": f"{lon:.7f}", "class": cls, "type": typ, "place_rank": 26,
        "importance": 0.1, "addresstype": addresstype, "name": name, "display_name": display,
        "address": address, "boundingbox": [f"{lat - 0.01:.7f}", f"{lat + 0.01:.7f}",
                                            f"{lon - 0.01:.7f}", f"{lon + 0.01:.7f}"],
    }


ANSWERS: dict[str, list[dict]] = {
    "rue de judee": [_answer(
        100001, "way", 200001, 50.9361, 1.9042, "highway", "unclassified", "road", "Rue de Judée",
        "Rue de Judée, Marck, Calais, Pas-de-Calais, Hauts-de-France, France",
        {"road": "Rue de Judée", "town": "Marck", "county": "Pas-de-Calais", "state": "Hauts-de-France",
         "country": "France", "country_code": "fr"})],
    "eurotunnel terminal": [_answer(
        100002, "way", 200002, 50.9284, 1.8137, "landuse", "railway", "railway", "Eurotunnel Calais Terminal",
        "Eurotunnel Calais Terminal, Coquelles, Calais, Pas-de-Calais, Hauts-de-France, France",
        {"railway": "Eurotunnel Calais Terminal", "village": "Coquelles", "country": "France",
         "country_code": "fr"})],
    "english channel": [_answer(
        100003, "relation", 200003, 50.2, -1.0, "natural", "strait", "strait", "English Channel",
        "English Channel", {"strait": "English Channel"})],
    "port of calais": [
        _answer(100005, "way", 200005, 50.9667, 1.8650, "landuse", "port", "landuse", "Port of Calais",
                "Port of Calais, Calais, Pas-de-Calais, Hauts-de-France, France",
                {"landuse": "Port of Calais", "town": "Calais", "country": "France", "country_code": "fr"}),
        _answer(100006, "node", 200006, 45.1838, -67.2766, "place", "village", "village", "Calais",
                "Calais, Washington County, Maine, United States",
                {"village": "Calais", "state": "Maine", "country": "United States", "country_code": "us"}),
    ],
    "hauts-de-france": [_answer(
        100004, "relation", 200004, 50.0, 2.8, "boundary", "administrative", "state", "Hauts-de-France",
        "Hauts-de-France, Metropolitan France, France",
        {"state": "Hauts-de-France", "country": "France", "country_code": "fr"})],
}

MODES = ("ok", "429", "500", "503", "malformed", "wrong-shape", "hang", "trickle")


class FakeNominatim:
    def __init__(self, answers: dict[str, list[dict]] | None = None, mode: str = "ok",
                 hang_seconds: float = 10.0, retry_after: int | None = None, port: int = 0):
        self.requested_port = port
        self.answers = {_key(k): v for k, v in (answers if answers is not None else ANSWERS).items()}
        self.mode = mode
        self.query_modes: dict[str, str] = {}
        self.fail_first = 0
        self.mode_for_failures = "500"
        self.hang_seconds = hang_seconds
        self.trickle_seconds = 1.0
        self.retry_after = retry_after
        self.requests = 0
        self.queries: list[str] = []
        self.user_agents: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "FakeNominatim":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.requested_port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-nominatim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes hanging handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeNominatim":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def reset_counts(self) -> None:
        with self._lock:
            self.requests = 0
            self.queries.clear()

    # -- answering ------------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        if url.path.rstrip("/") not in ("/search", "/search.php"):
            self._send(handler, 404, b'{"error": "not found"}')
            return
        query = parse_qs(url.query).get("q", [""])[0]
        with self._lock:
            self.requests += 1
            number = self.requests
            self.queries.append(query)
            self.user_agents.append(handler.headers.get("User-Agent", ""))
        mode = self.query_modes.get(_key(query), self.mode)
        if number <= self.fail_first:
            mode = self.mode_for_failures
        if mode == "hang":
            self._stop.wait(self.hang_seconds)
            try:
                self._send(handler, 200, b"[]")
            except OSError:
                pass  # the client gave up long ago
            return
        if mode == "429":
            headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
            self._send(handler, 429, b'{"error": "Too Many Requests"}', headers)
        elif mode in ("500", "503"):
            self._send(handler, int(mode), b"<html><body>Internal Server Error</body></html>", content_type="text/html")
        elif mode == "malformed":
            self._send(handler, 200, b'[{"place_id": 1, "lat": "50.9", "lon": ')
        elif mode == "wrong-shape":
            self._send(handler, 200, json.dumps([{"place_id": 1, "display_name": "Nowhere", "lat": "north"}]).encode())
        elif mode in ("ok", "trickle"):
            try:
                limit = max(1, int(parse_qs(url.query).get("limit", ["10"])[0]))
            except ValueError:
                limit = 10
            body = json.dumps(self.answers.get(_key(query), [])[:limit]).encode("utf-8")
            if mode == "ok":
                self._send(handler, 200, body)
            else:
                self._trickle(handler, body)
        else:
            self._send(handler, 400, b'{"error": "unknown fake mode"}')

    def _trickle(self, handler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            for i in range(len(body)):
                handler.wfile.write(body[i:i + 1])
                handler.wfile.flush()
                if self._stop.wait(self.trickle_seconds):
                    return
        except OSError:
            pass  # the client gave up

    @staticmethod
    def _send(handler, status: int, body: bytes, headers: dict | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)


if __name__ == "__main__":  # pragma: no cover - manual use
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    mode = sys.argv[2] if len(sys.argv) > 2 else "ok"
    fake = FakeNominatim(mode=mode, port=port)
    fake.start()
    print(f"fake Nominatim on http://{fake.domain}/search (mode {mode}); Ctrl-C stops", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
