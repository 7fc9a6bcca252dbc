"""The work one round page costs, independent of load: instructions per page, consult's beside the bare page.

The world is bench/pages.py's (a round of N comments posted through the service, the same seed), made once
into a folder; each run copies its database, logs the viewers in, renders `--warm-up` pages, then `--pages`
more: consult's in turns for the worker and the employer, or the bare Flask + SQLAlchemy + Jinja page.

    .venv/bin/python bench/page_cost.py make --world /tmp/pages-world [--comments 5000]
    .venv/bin/python bench/page_cost.py run --world /tmp/pages-world --which consult [--pages 30] [--profile 30]
    .venv/bin/python bench/page_cost.py callgrind --world /tmp/pages-world [--pages 30] [--sides consult,bare]

`callgrind` runs `run` under valgrind twice per page (with no pages measured, then with `--pages`), so the
difference is the pages' own instructions, start-up, log-in and warm-up left out; it prints the figures of
both pages and their ratio as one JSON object. `--profile N` prints cProfile's N costliest functions, inclusive.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GZIP = {"Accept-Encoding": "gzip"}
CONFIG = {"SECRET_KEY": "bench", "COMMENT_RATE": "1000000/minute", "LOGIN_RATE": "1000/minute"}


def make(world: Path, comments: int) -> None:
    """bench/pages.py's world in `world`: its database and who is who."""
    from bench.pages import populate
    from consult import create_app
    from consult.migrate import upgrade
    from tests.factories import Factory, tripartite

    world.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{world / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(world), **CONFIG})
    factory = Factory(app)
    people = tripartite(factory)
    made = populate(factory, people, comments)
    facts = {"round_id": people["round"].id, "comments": comments, "made": made,
             "emails": {name: people[name].email for name in ("worker", "employer")}}
    (world / "world.json").write_text(json.dumps(facts))
    app.extensions["consult.db"].dispose()


def run(world: Path, which: str, pages: int, warm_up: int, profile: int) -> dict:
    """Render the pages; the figures of this process (CPU time, bytes) as a dict."""
    from bench.pages import bare_app
    from consult import create_app
    from tests.factories import log_in

    facts = json.loads((world / "world.json").read_text())
    workdir = Path(tempfile.mkdtemp(prefix="page-cost-"))
    shutil.copy(world / "bench.sqlite3", workdir / "bench.sqlite3")
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    path = f"/rounds/{facts['round_id']}"
    if which == "consult":
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), **CONFIG})
        clients = []
        for viewer in ("worker", "employer"):
            client = app.test_client()
            log_in(client, SimpleNamespace(email=facts["emails"][viewer]))
            clients.append(client)
    else:
        app = bare_app(url, facts["round_id"])
        clients = [app.test_client()]
    sizes = []

    def page(number: int) -> None:
        response = clients[number % len(clients)].get(path, headers=GZIP)
        assert response.status_code == 200, response.status_code
        sizes.append(len(response.get_data()))

    for number in range(warm_up):
        page(number)
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler:
        profiler.enable()
    cpu = time.process_time()
    for number in range(pages):
        page(number)
    cpu = time.process_time() - cpu
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
    shutil.rmtree(workdir, ignore_errors=True)
    return {"which": which, "pages": pages, "cpu_ms_per_page": round(1000 * cpu / max(pages, 1), 2),
            "gzipped_bytes": sizes[-1] if sizes else None}


def instructions(world: Path, which: str, pages: int, warm_up: int, out: Path) -> int:
    """Instructions of one `run` under callgrind (the whole process)."""
    log = out / f"{which}-{pages}.out"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={log}", sys.executable, __file__, "run",
                    "--world", str(world), "--which", which, "--pages", str(pages), "--warm-up", str(warm_up)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return int(re.search(r"^summary: (\d+)", log.read_text(errors="replace"), re.M).group(1))


def callgrind(world: Path, pages: int, warm_up: int, out: Path, sides: list[str]) -> dict:
    """Instructions per page of each side, from the difference of a run with pages and one without."""
    out.mkdir(parents=True, exist_ok=True)
    figures: dict = {"pages": pages, "warm_up": warm_up, "callgrind_files": str(out)}
    for which in sides:
        empty = instructions(world, which, 0, warm_up, out)
        full = instructions(world, which, pages, warm_up, out)
        figures[f"{which}_m_per_page"] = round((full - empty) / pages / 1e6, 2)
    if len(sides) == 2:
        figures["ratio"] = round(figures["consult_m_per_page"] / figures["bare_m_per_page"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("make", "run", "callgrind"))
    parser.add_argument("--world", type=Path, default=Path(tempfile.gettempdir()) / "pages-world")
    parser.add_argument("--comments", type=int, default=5_000)
    parser.add_argument("--which", choices=("consult", "bare"), default="consult")
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where callgrind's files go")
    parser.add_argument("--sides", default="consult,bare", help="the pages `callgrind` measures")
    options = parser.parse_args()
    if options.action == "make":
        make(options.world, options.comments)
        return
    if options.action == "run":
        figures = run(options.world, options.which, options.pages, options.warm_up, options.profile)
    else:
        out = options.out or Path(tempfile.mkdtemp(prefix="page-cost-callgrind-"))
        figures = callgrind(options.world, options.pages, options.warm_up, out, options.sides.split(","))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
