#!/usr/bin/python3
"""A minimal Cloud Storage JSON API for the gs target's tests: the OAuth2 token endpoint (it
verifies the service-account JWT's RS256 signature and claims with the key of the account file,
as Google does with the public key), resumable uploads, media downloads, listing (3 items a page,
so that paging is exercised) and delete. Objects live in memory; one bucket exists.

  gcs_server.py ACCOUNT_JSON BUCKET PORT_FILE
writes the port it listens on (127.0.0.1, chosen by the kernel) to PORT_FILE.
"""
import base64
import datetime
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ACCOUNT = json.load(open(sys.argv[1]))
BUCKET = sys.argv[2]
PUBLIC = serialization.load_pem_private_key(ACCOUNT["private_key"].encode(), None).public_key()
SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
LOCK = threading.Lock()
TOKENS = set()
ISSUED = [0]  # tokens issued, for the tests of the plugin's token cache (GET /_test/tokens)
OBJECTS = {}   # name -> (bytes, updated)
SESSIONS = {}  # id -> {"name", "data"}


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, message):
        self.reply(status, {"error": {"code": status, "message": message}})

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        with LOCK:
            ok = auth.startswith("Bearer ") and auth[7:] in TOKENS
        if not ok:
            self.error(401, "Invalid Credentials")
        return ok

    def split(self):
        u = urllib.parse.urlsplit(self.path)
        return u.path, dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))

    def token(self):
        form = dict(urllib.parse.parse_qsl(self.body().decode()))
        try:
            head, claims, sig = form["assertion"].split(".")
            PUBLIC.verify(b64url_decode(sig), (head + "." + claims).encode(),
                          padding.PKCS1v15(), hashes.SHA256())
            c = json.loads(b64url_decode(claims))
            assert json.loads(b64url_decode(head)) == {"alg": "RS256", "typ": "JWT"}
            assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
            assert c["iss"] == ACCOUNT["client_email"]
            assert c["aud"] == "http://127.0.0.1:%d/token" % self.server.server_address[1]
            assert c["scope"] == SCOPE and c["exp"] == c["iat"] + 3600
            assert abs(c["iat"] - time.time()) < 300
        except Exception:
            return self.reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
        t = secrets.token_hex(16)
        with LOCK:
            TOKENS.add(t)
            ISSUED[0] += 1
        self.reply(200, {"access_token": t, "expires_in": 3599, "token_type": "Bearer"})

    def bucket_of(self, path, prefix):
        rest = path[len(prefix):]
        b, _, name = rest.partition("/o")
        if b != BUCKET:
            self.error(404, "The specified bucket does not exist.")
            return None
        return urllib.parse.unquote(name[1:]) if name.startswith("/") else ""

    def do_POST(self):
        path, q = self.split()
        if path == "/token":
            return self.token()
        if path == "/_test/revoke":  # every token issued so far now answers 401, as expired ones do
            self.body()
            with LOCK:
                TOKENS.clear()
            return self.reply(200, {})
        if not self.authorized():
            return
        if path.startswith("/upload/storage/v1/b/") and q.get("uploadType") == "resumable":
            self.body()
            if self.bucket_of(path, "/upload/storage/v1/b/") is None:
                return
            sid = secrets.token_hex(8)
            with LOCK:
                SESSIONS[sid] = {"name": q["name"], "data": bytearray()}
            host = "127.0.0.1:%d" % self.server.server_address[1]
            return self.reply(200, headers={"Location": "http://%s/upload/session/%s" % (host, sid)})
        self.error(400, "unsupported")

    def do_PUT(self):
        path, _ = self.split()
        data = self.body()
        if not self.authorized():
            return
        sid = path.rsplit("/", 1)[-1]
        with LOCK:
            s = SESSIONS.get(sid)
        if not path.startswith("/upload/session/") or s is None:
            return self.error(404, "No such upload session")
        rng, _, total = self.headers["Content-Range"][len("bytes "):].partition("/")
        if rng != "*":
            first, _, last = rng.partition("-")
            if int(first) != len(s["data"]) or int(last) - int(first) + 1 != len(data):
                return self.error(400, "Content-Range does not match the session")
            if total == "*" and len(data) % (256 * 1024) != 0:
                return self.error(400, "a chunk must be a multiple of 256 KiB")
            s["data"] += data
        if total != "*":
            if int(total) != len(s["data"]):
                return self.error(400, "the total does not match the bytes received")
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            with LOCK:
                OBJECTS[s["name"]] = (bytes(s["data"]), now)
                del SESSIONS[sid]
            return self.reply(200, {"name": s["name"], "size": str(len(s["data"]))})
        headers = {"Range": "bytes=0-%d" % (len(s["data"]) - 1)} if s["data"] else {}
        self.reply(308, headers=headers)

    def do_GET(self):
        path, q = self.split()
        if path == "/_test/tokens":
            with LOCK:
                return self.reply(200, {"issued": ISSUED[0]})
        if not self.authorized():
            return
        name = self.bucket_of(path, "/storage/v1/b/")
        if name is None:
            return
        if name:
            with LOCK:
                o = OBJECTS.get(name)
            if o is None or q.get("alt") != "media":
                return self.error(404, "No such object: %s/%s" % (BUCKET, name))
            return self.reply(200, o[0])
        prefix = q.get("prefix", "")
        with LOCK:
            names = sorted(n for n in OBJECTS if n.startswith(prefix))
        start = int(q.get("pageToken", "0"))
        page = names[start:start + 3]
        with LOCK:
            items = [{"name": n, "size": str(len(OBJECTS[n][0])), "updated": OBJECTS[n][1]}
                     for n in page if n in OBJECTS]
        out = {"kind": "storage#objects", "items": items}
        if start + 3 < len(names):
            out["nextPageToken"] = str(start + 3)
        self.reply(200, out)

    def do_DELETE(self):
        path, _ = self.split()
        if not self.authorized():
            return
        if path.startswith("/upload/session/"):
            with LOCK:
                SESSIONS.pop(path.rsplit("/", 1)[-1], None)
            return self.reply(499)
        name = self.bucket_of(path, "/storage/v1/b/")
        if name is None:
            return
        with LOCK:
            found = OBJECTS.pop(name, None) is not None
        if not found:
            return self.error(404, "No such object: %s/%s" % (BUCKET, name))
        self.reply(204)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[3] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
server.serve_forever()
