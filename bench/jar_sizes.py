"""What each function's deployable jar weighs, and what it is made of.

Usage: python3 bench/jar_sizes.py [--parts] [JAR ...]
       JARs default to the five functions' (functions/*/target/*-function.jar); build first:
       mvn -B -o -q -DskipTests package

For each jar: its size in bytes and MiB, its entries, and whether it is within 10 MiB.
--parts also prints, per jar, the parts that weigh the most (by package prefix). An entry's share of a jar is
everything the entry puts in the file: its local header, its compressed data (and data descriptor), and its central
directory record; the shares of all entries plus the end-of-central-directory record add up to the file's size.
"""
import glob
import os
import re
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT = 10 * 1024 * 1024

PARTS = [
    (r"^software/amazon/awssdk/services/([^/]+)/", "SDK service {0}"),
    (r"^software/amazon/awssdk/(core|awscore|protocols|http|auth|identity|endpoints|retries|checksums|metrics|profiles"
     r"|regions|thirdparty|utils|crt|eventstream)/", "SDK {0}"),
    (r"^software/amazon/", "SDK other"),
    (r"^com/fasterxml/jackson/([^/]+)/", "jackson-{0}"),
    (r"^com/knuddels/jtokkit/[^/]+\.tiktoken$", "jtokkit table"),
    (r"^com/knuddels/", "jtokkit classes"),
    (r"^com/amazonaws/services/lambda/runtime/events/", "aws-lambda-java-events"),
    (r"^com/amazonaws/", "aws-lambda-java-core"),
    (r"^org/joda/", "joda-time"),
    (r"^org/slf4j/", "slf4j-api"),
    (r"^org/crac/", "crac"),
    (r"^org/reactivestreams/", "reactive-streams"),
    (r"^dev/agenttasks/", "Agent Tasks"),
    (r"^META-INF/maven/", "META-INF/maven"),
    (r"^META-INF/versions/", "META-INF/versions (other)"),
    (r"^META-INF/native-image/", "META-INF/native-image"),
    (r"^META-INF/", "META-INF (other)"),
]


def entry_shares(path):
    """(name, bytes the entry occupies in the file) for every entry, and the end-of-central-directory's bytes."""
    size = os.path.getsize(path)
    with zipfile.ZipFile(path) as jar:
        infos = sorted(jar.infolist(), key=lambda i: i.header_offset)
        central_start = jar.start_dir
    shares = []
    central_total = 0
    for i, info in enumerate(infos):
        end = infos[i + 1].header_offset if i + 1 < len(infos) else central_start
        central = 46 + len(info.orig_filename.encode()) + len(info.extra) + len(info.comment)
        central_total += central
        shares.append((info.filename, end - info.header_offset + central))
    return shares, size - central_start - central_total


def part_of(name):
    for pattern, label in PARTS:
        m = re.search(pattern, name)
        if m:
            return label.format(*m.groups())
    return "other (top level)"


def mib(n):
    return n / 1048576


def main():
    args = sys.argv[1:]
    parts = "--parts" in args
    jars = [a for a in args if a != "--parts"] or sorted(
        j for j in glob.glob(os.path.join(ROOT, "functions/*/target/*-function.jar"))
        if not os.path.basename(j).startswith("original-"))   # shade's copy of its input, when packaged twice
    if not jars:
        raise SystemExit("no jars: build first (mvn -B -o -q -DskipTests package)")
    print("| jar | bytes | MiB | entries | ≤ 10 MiB |")
    print("|---|---|---|---|---|")
    detail = []
    for jar in jars:
        shares, tail = entry_shares(jar)
        size = os.path.getsize(jar)
        assert sum(s for _, s in shares) + tail == size, jar
        print("| %s | %s | %.2f | %s | %s |" % (
            os.path.basename(jar), f"{size:,}".replace(",", " "), mib(size), f"{len(shares):,}".replace(",", " "),
            "yes" if size <= LIMIT else "no"))
        if parts:
            groups = {}
            for name, share in shares:
                count, total = groups.get(part_of(name), (0, 0))
                groups[part_of(name)] = (count + 1, total + share)
            detail.append((os.path.basename(jar), groups))
    for name, groups in detail:
        print("\n%s (MiB in the file, entries)" % name)
        for label, (count, total) in sorted(groups.items(), key=lambda g: -g[1][1]):
            if total >= 20 * 1024:
                print("  %-32s %6.2f  %6d" % (label, mib(total), count))


if __name__ == "__main__":
    main()
