#!/usr/bin/env python3
"""A tiny webhook receiver: prints each POSTed body as one line on stdout, answers 204.
Listens on 127.0.0.1, on --port (0: a free port); the first line printed is
"listening on PORT"."""
import argparse, http.server, sys

class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print(body.decode("utf-8", "replace"), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, fmt, *args):  # no access log on stderr
        pass

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    srv = http.server.HTTPServer(("127.0.0.1", a.port), Receiver)
    print("listening on %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass

if __name__ == "__main__":
    main()
