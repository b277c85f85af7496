"""Benchmark: the ICD-10 lookup (app.services.icd10), the memory its data takes and the time of a search.

    .venv/bin/python bench/icd10_lookup.py [--repeat 200]

Reports: the time to read the classifier (untraced, and traced on first use), the memory the loaded data
holds (tracemalloc, the difference across the load only), and for a few typical queries (a code prefix, one
word, three words, a word found nowhere) the median and 95th-percentile time of `search(query, 20)` over
--repeat runs. No database, no server; on a shared machine the times swing with whatever else runs.
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services import icd10  # noqa: E402
from app.services.icd10 import queries  # noqa: E402  (the loaded data, to measure it)

QUERIES = ("J06", "j069", "пневмония", "острая инфекция верхних", "ОРВИ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    icd10.find("A00")
    load_seconds = time.perf_counter() - started
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    started = time.perf_counter()
    codes = len(queries._Classifier(queries._read(queries.DATA_FILE)).codes)
    untraced_seconds = time.perf_counter() - started
    print(f"loaded {codes} codes in {untraced_seconds * 1000:.0f} ms ({load_seconds * 1000:.0f} ms traced)")
    print(f"the loaded data holds {held / 2**20:.1f} MiB")

    for query in QUERIES:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = icd10.search(query, 20)
            times.append(time.perf_counter() - started)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"search({query!r}): {len(found)} found, median {statistics.median(times) * 1000:.2f} ms, "
            f"p95 {p95 * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
