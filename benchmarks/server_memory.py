"""Peak memory of the loopback server under many concurrent maximum-size requests.

The server runs in its own process (``python -m pytest_sqsmock serve``, default
``ServerLimits``), so its resident set size is measured alone; this process
sends ``--clients`` signed requests at once, each with a body of exactly the
size limit, and samples the server's RSS every few milliseconds::

    .venv/bin/python -m benchmarks.server_memory                 # 100 clients, 5 MiB each
    .venv/bin/python -m benchmarks.server_memory --clients 8 --oversize

``--oversize`` announces bodies over the limit instead (refused from the headers).
Linux only (reads ``/proc/<pid>/status``).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_sqsmock.service.access.principals import access_key_for, secret_key_for
from pytest_sqsmock.transports.limits import MAX_REQUEST_BYTES


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--oversize", action="store_true", help="announce bodies over the limit (413s)")
    args = parser.parse_args()

    serve = subprocess.Popen(
        [sys.executable, "-u", "-m", "pytest_sqsmock", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stdout is not None
        endpoint = serve.stdout.readline().split()[3]
        host, port = endpoint.removeprefix("http://").split(":")
        # A ListQueues padded to the limit exactly: the server reads, decodes and answers all of it.
        prefix = b"Action=ListQueues&Version=2012-11-05&Pad="
        body = prefix + b"x" * (MAX_REQUEST_BYTES - len(prefix))
        request = AWSRequest(
            method="POST", url=f"{endpoint}/", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        SigV4Auth(
            Credentials(access_key_for("123456789012"), secret_key_for("123456789012")), "sqs", "us-east-1"
        ).add_auth(request)
        headers = dict(request.headers.items())

        def call(_: int) -> int:
            connection = http.client.HTTPConnection(host, int(port), timeout=120)
            try:
                if args.oversize:
                    connection.putrequest("POST", "/")
                    connection.putheader("Content-Length", str(100 * MAX_REQUEST_BYTES))
                    connection.endheaders()
                    try:
                        for _ in range(16):
                            connection.send(body[: 256 * 1024])
                    except OSError:
                        pass
                else:
                    connection.request("POST", "/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                return response.status
            except OSError:
                return 0
            finally:
                connection.close()

        call(0)  # warm up: imports, the first thread
        time.sleep(0.5)
        baseline = peak = rss_kib(serve.pid)
        done = threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.wait(0.003):
                peak = max(peak, rss_kib(serve.pid))

        watcher = threading.Thread(target=watch)
        watcher.start()
        started = time.monotonic()
        with ThreadPoolExecutor(args.clients) as pool:
            statuses = collections.Counter(pool.map(call, range(args.clients)))
        elapsed = time.monotonic() - started
        done.set()
        watcher.join()
        kind = "announcing oversize bodies" if args.oversize else f"{MAX_REQUEST_BYTES / 2**20:.0f} MiB bodies"
        print(f"{args.clients} concurrent clients, {kind}: statuses {dict(statuses)} in {elapsed:.2f} s")
        print(
            f"server RSS: {baseline / 1024:.1f} MiB before, peak {peak / 1024:.1f} MiB (+{(peak - baseline) / 1024:.1f} MiB)"
        )
    finally:
        serve.send_signal(2)
        serve.communicate(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
