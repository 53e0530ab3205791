"""abid: search an ABID portal, download and verify versions, cite them, generate images.

    abid --url https://portal.example.org login        # stores your API token (profile page)
    abid search breast --facet kind=synthetic --sort downloads
    abid show breast-grades
    abid download breast-grades                        # into the cache; --output DIR for the ZIP
    abid cite breast-grades --format ris
    abid generate 7 1000 --class G1 --class G3 --seed 5 --wait
    abid cache ls

Exit status: 0 done; 1 the portal refused or failed (its HTTP status and message are printed);
2 bad usage; 3 a download does not match its sha256 or MANIFEST.sha256; 4 a generation job
failed or was cancelled; 5 the portal cannot be reached; 130 interrupted (run the same command
again: a download resumes).
"""

import argparse
import getpass
import itertools
import json
import sys
from collections.abc import Sequence

from tqdm import tqdm

from abid import cache, config
from abid.api import CITATION_FORMATS, Client
from abid.errors import AbidError

SORTS = ("newest", "downloads", "views", "title")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.command(args)
    except AbidError as error:
        print(f"abid: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("abid: interrupted: run the same command again to resume", file=sys.stderr)
        return 130
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="abid",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],  # the examples and the exit statuses, as written
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main_parser.add_argument("--url", help="the portal (env ABID_URL, else `abid login`'s)")
    main_parser.add_argument("--token", help="API token (env ABID_TOKEN, else `abid login`'s)")
    main_parser.add_argument("--cache", help="cache folder (env ABID_CACHE; ~/.cache/abid)")
    commands = main_parser.add_subparsers(required=True, metavar="COMMAND")

    search = commands.add_parser("search", help="search the catalogue")
    search.add_argument("query", nargs="*", help="words that must all match")
    search.add_argument(
        "--facet",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="e.g. kind=synthetic, modality=ihc, license=CC-BY-4.0 (repeatable)",
    )
    search.add_argument("--sort", default="newest", choices=SORTS)
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true", help="one JSON list instead of a table")
    search.set_defaults(command=run_search)

    show = commands.add_parser("show", help="a dataset: classes and versions")
    show.add_argument("slug")
    show.add_argument("--json", action="store_true")
    show.set_defaults(command=run_show)

    fetch = commands.add_parser("download", help="download and verify a version")
    fetch.add_argument("version", help="version id, or a dataset slug for its newest version")
    fetch.add_argument(
        "--output", "-o", help="write the verified ZIP here instead of unpacking it into the cache"
    )
    fetch.set_defaults(command=run_download)

    generate = commands.add_parser("generate", help="generate images with a model")
    generate.add_argument("model", type=int, help="model id")
    generate.add_argument("count", type=int, help="images per class")
    generate.add_argument("--class", dest="classes", action="append", metavar="NAME")
    generate.add_argument("--seed", type=int)
    generate.add_argument("--wait", action="store_true", help="follow the job to its end")
    generate.set_defaults(command=run_generate)

    wait = commands.add_parser("wait", help="follow a generation job to its end")
    wait.add_argument("job", type=int, help="job id")
    wait.set_defaults(command=run_wait)

    cite = commands.add_parser("cite", help="a version's citation or metadata record")
    cite.add_argument("version", help="version id, or a dataset slug for its newest version")
    cite.add_argument("--format", default="bibtex", choices=sorted(CITATION_FORMATS))
    cite.set_defaults(command=run_cite)

    login = commands.add_parser("login", help="store an API token for this portal (mode 0600)")
    login.set_defaults(command=run_login)

    cached = commands.add_parser("cache", help="versions unpacked on this machine")
    cache_commands = cached.add_subparsers(required=True, metavar="ACTION")
    listing = cache_commands.add_parser("ls", help="list cached versions")
    listing.set_defaults(command=run_cache_ls)
    removal = cache_commands.add_parser("rm", help="delete cached versions")
    removal.add_argument("identifiers", nargs="*", metavar="IDENTIFIER")
    removal.add_argument("--all", action="store_true")
    removal.set_defaults(command=run_cache_rm)
    return main_parser


def client_of(args) -> Client:
    return Client.from_config(args.url, args.token)


def run_search(args) -> None:
    facets: dict[str, list[str]] = {}
    for pair in args.facet:
        name, separator, value = pair.partition("=")
        if not separator:
            raise AbidError(f"--facet {pair!r}: expected NAME=VALUE, e.g. kind=synthetic")
        facets.setdefault(name, []).append(value)
    found = client_of(args).datasets(query=" ".join(args.query), facets=facets, sort=args.sort)
    results = list(itertools.islice(found, args.limit))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    rows = [
        (
            d["slug"],
            d["kind"],
            d["modality"],
            str(d["class_count"]),
            (d["latest_version"] or {}).get("identifier", "-"),
            d["title"],
        )
        for d in results
    ]
    print_table(("SLUG", "KIND", "MODALITY", "CLASSES", "IDENTIFIER", "TITLE"), rows)


def run_show(args) -> None:
    dataset = client_of(args).dataset(args.slug)
    if args.json:
        print(json.dumps(dataset, indent=2))
        return
    facts = ", ".join(filter(None, (dataset["kind"], dataset["modality"], dataset["organ"])))
    print(f"{dataset['title']}  ({facts})")
    print(dataset["page_url"])
    print("classes: " + ", ".join(label["name"] for label in dataset["classes"]))
    rows = [
        (str(v["id"]), f"v{v['number']}", v["state"], v["identifier"], str(v["image_count"]))
        for v in dataset["versions"]
    ]
    print_table(("ID", "VERSION", "STATE", "IDENTIFIER", "IMAGES"), rows)


def run_download(args) -> None:
    client = client_of(args)
    version = client.version(args.version)
    with tqdm(total=version["archive"]["size"], unit="B", unit_scale=True) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.update(done - bar.n)

        if args.output:
            downloaded = client.download(version, args.output, progress=progress)
            result = f"{downloaded.path}  sha256 {downloaded.sha256}"
        else:
            result = str(client.fetch(version, cache_dir=args.cache, progress=progress))
    print(f"{result} (verified against MANIFEST.sha256)")


def run_generate(args) -> None:
    client = client_of(args)
    job = client.generate(args.model, args.count, classes=args.classes, seed=args.seed)
    print(f"queued job {job['id']}: {job['url']}")
    if args.wait:
        follow(client, job)


def run_wait(args) -> None:
    follow(client_of(args), args.job)


def follow(client: Client, job) -> None:
    with tqdm(total=100, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% {postfix}") as bar:

        def progress(current: dict) -> None:
            bar.update(current["progress"]["percent"] - bar.n)
            bar.set_postfix_str(current["state"])

        done = client.wait(job, progress=progress)
    version = done["result_version"]
    print(f"done: {version['identifier']} {version['url']}" if version else "done")


def run_cite(args) -> None:
    sys.stdout.write(client_of(args).cite(args.version, args.format).rstrip("\n") + "\n")


def run_login(args) -> None:
    found = config.settings(args.url, args.token)
    token = args.token or getpass.getpass(f"API token for {found.url} (see your profile page): ")
    token = token.strip()
    if not token:
        raise AbidError("login: no token given (copy it from your profile page)")
    Client(found.url, token=token).get("datasets/", page_size=1)  # refused if the token is wrong
    path = config.save_token(found.url, token)
    print(f"token for {found.url} saved in {path}")


def run_cache_ls(args) -> None:
    root = cache.cache_root(args.cache)
    rows = [
        (e.identifier, e.version["dataset"]["title"], f"{e.size() / 1e6:.1f} MB", str(e.path))
        for e in cache.entries(root)
    ]
    print_table(("IDENTIFIER", "TITLE", "SIZE", "FOLDER"), rows)


def run_cache_rm(args) -> None:
    root = cache.cache_root(args.cache)
    if args.all == bool(args.identifiers):
        raise AbidError("cache rm: name the identifiers to delete, or --all")
    identifiers = [e.identifier for e in cache.entries(root)] if args.all else args.identifiers
    for identifier in identifiers:
        print(f"removed {cache.remove(root, identifier).path}")


def print_table(header: Sequence[str], rows: list[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
