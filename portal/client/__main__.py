"""`python -m portal.client`: search, download, generate and wait, from a shell.

    export PORTAL_URL=https://portal.example.org PORTAL_TOKEN=...   # token: your profile page
    python -m portal.client datasets --query breast --facet kind=synthetic
    python -m portal.client download breast-grades --output data/
    python -m portal.client generate 7 1000 --class G1 --class G3 --seed 5 --wait

Exit status 0 on success, 1 when the portal refuses (its message is printed), 2 on bad usage.
"""

import argparse
import itertools
import os
import sys

from tqdm import tqdm

from portal.client.api import DEFAULT_URL, Client
from portal.client.errors import PortalError


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    client = Client(args.url, token=args.token)
    try:
        args.command(client, args)
    except PortalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return 130
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="python -m portal.client", description=__doc__.split("\n\n")[0]
    )
    main_parser.add_argument(
        "--url", default=os.environ.get("PORTAL_URL", DEFAULT_URL), help="env PORTAL_URL"
    )
    main_parser.add_argument(
        "--token", default=os.environ.get("PORTAL_TOKEN"), help="API token; env PORTAL_TOKEN"
    )
    commands = main_parser.add_subparsers(required=True, metavar="COMMAND")

    search = commands.add_parser("datasets", help="list or search datasets")
    search.add_argument("--query", "-q", default="", help="words that must all match")
    search.add_argument(
        "--facet",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="e.g. kind=synthetic, modality=ihc, license=CC-BY-4.0 (repeatable)",
    )
    search.add_argument(
        "--sort", default="newest", choices=["newest", "downloads", "views", "title"]
    )
    search.add_argument("--limit", type=int, default=50)
    search.set_defaults(command=list_datasets)

    fetch = commands.add_parser("download", help="download a version's ZIP (resumes, verifies)")
    fetch.add_argument("version", help="version id, or a dataset slug for its newest version")
    fetch.add_argument("--output", "-o", default=".", help="folder (default: here)")
    fetch.set_defaults(command=download)

    generate = commands.add_parser("generate", help="generate images with a model")
    generate.add_argument("model", type=int, help="model id")
    generate.add_argument("count", type=int, help="images per class")
    generate.add_argument("--class", dest="classes", action="append", metavar="NAME")
    generate.add_argument("--seed", type=int)
    generate.add_argument("--wait", action="store_true", help="follow the job to its end")
    generate.set_defaults(command=start_generation)

    wait = commands.add_parser("wait", help="follow a generation job to its end")
    wait.add_argument("job", type=int, help="job id")
    wait.set_defaults(command=wait_for_job)
    return main_parser


def list_datasets(client: Client, args) -> None:
    facets: dict[str, list[str]] = {}
    for pair in args.facet:
        name, _, value = pair.partition("=")
        facets.setdefault(name, []).append(value)
    found = client.datasets(query=args.query, facets=facets, sort=args.sort)
    for dataset in itertools.islice(found, args.limit):
        latest = dataset["latest_version"] or {}
        print(
            f"{dataset['slug']:<32} {dataset['kind']:<9} {dataset['modality']:<10} "
            f"{latest.get('identifier', '-'):<40} {dataset['title']}"
        )


def download(client: Client, args) -> None:
    version = client.version(args.version)
    with tqdm(total=version["archive"]["size"], unit="B", unit_scale=True) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.update(done - bar.n)

        downloaded = client.download(version, args.output, progress=progress)
    print(f"{downloaded.path}  sha256 {downloaded.sha256} (verified)")


def start_generation(client: Client, args) -> None:
    job = client.generate(args.model, args.count, classes=args.classes, seed=args.seed)
    print(f"queued {job['url']}")
    if args.wait:
        follow(client, job)


def wait_for_job(client: Client, args) -> None:
    follow(client, args.job)


def follow(client: Client, job) -> None:
    with tqdm(total=100, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% {postfix}") as bar:

        def progress(current: dict) -> None:
            bar.update(current["progress"]["percent"] - bar.n)
            bar.set_postfix_str(current["state"])

        done = client.wait(job, progress=progress)
    version = done["result_version"]
    print(f"done: {version['identifier']} {version['url']}" if version else "done")


if __name__ == "__main__":
    sys.exit(main())
