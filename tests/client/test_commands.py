"""The `abid` command against a live portal: search as a table and as JSON, show, cite, login
(a token file only its owner can read), generate and wait, the cache, and one-line errors with
the HTTP status, the portal's message and the documented exit status."""

import json
import stat

import pytest

from abid.cli import main
from generation.constants import JobState
from generation.models import GenerationJob
from tests.api.builders import trained_model
from tests.catalogue import published

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_prints_a_table_and_json(portal, version, synthetic, capsys):
    assert main(["search", "noise", "--facet", "kind=real"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["SLUG", "KIND", "MODALITY", "CLASSES", "IDENTIFIER", "TITLE"]
    assert len(lines) == 2
    assert lines[1].split()[:2] == ["noise-tiles", "real"]
    assert version.identifier in lines[1]

    assert main(["search", "--sort", "title", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [d["slug"] for d in found] == [synthetic.dataset.slug, "noise-tiles"][::-1]


def test_show_lists_classes_and_versions(portal, version, capsys):
    assert main(["show", "noise-tiles"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Noise tiles  (real, other)\n")
    assert "classes: G1, G2" in out
    assert out.splitlines()[-1].split() == [
        str(version.pk),
        "v1",
        "published",
        version.identifier,
        "80",
    ]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("bibtex", "@misc{"),
        ("ris", "TY  - DATA"),
        ("csl", '"type": "dataset"'),
        ("datacite", '"doi"'),
        ("croissant", '"@context"'),
    ],
)
def test_cite_prints_the_versions_record(portal, version, capsys, style, expected):
    assert main(["cite", "noise-tiles", "--format", style]) == 0
    assert expected in capsys.readouterr().out


def test_login_writes_a_token_only_its_owner_can_read(portal, owner, token, tmp_path, monkeypatch):
    private = published(owner, tmp_path / "private", title="Private tiles", visibility="private")
    monkeypatch.delenv("ABID_TOKEN")
    assert main(["show", private.dataset.slug]) == 1  # anonymous: not found

    assert main(["--token", token, "login"]) == 0
    path = tmp_path / "config" / "abid.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"url": portal, "tokens": {portal: token}}
    assert main(["show", private.dataset.slug]) == 0  # the stored token is sent


def test_login_with_a_wrong_token_stores_nothing(portal, tmp_path, capsys):
    assert main(["--token", "wrong", "login"]) == 1
    assert capsys.readouterr().err == "abid: error: HTTP 401: Invalid token.\n"
    assert not (tmp_path / "config").exists()


def test_errors_are_one_line_with_status_and_message(portal, version, capsys, monkeypatch):
    assert main(["--token", "wrong", "download", str(version.pk)]) == 1
    assert capsys.readouterr().err == "abid: error: HTTP 401: Invalid token.\n"
    assert main(["show", "no-such-dataset"]) == 1
    assert capsys.readouterr().err == "abid: error: HTTP 404: No Dataset matches the given query.\n"
    assert main(["--url", "http://127.0.0.1:9", "search"]) == 5
    assert capsys.readouterr().err == "abid: error: cannot reach the portal at http://127.0.0.1:9\n"
    with pytest.raises(SystemExit) as usage:
        main(["cite", "noise-tiles", "--format", "word"])
    assert usage.value.code == 2


def test_generate_and_wait_follow_the_job(portal, version, owner, capsys):
    model = trained_model(version, owner)
    assert main(["generate", str(model.pk), "3", "--class", "G2", "--seed", "4"]) == 0
    job = GenerationJob.objects.get()
    assert capsys.readouterr().out.startswith(f"queued job {job.pk}: ")
    assert (job.count_per_class, job.class_names, job.base_seed) == (3, ["G2"], 4)
    GenerationJob.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED, progress_done=3, progress_total=3, result_version=version
    )
    assert main(["wait", str(job.pk)]) == 0
    assert f"done: {version.identifier}" in capsys.readouterr().out

    GenerationJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="out of memory")
    assert main(["wait", str(job.pk)]) == 4
    assert capsys.readouterr().err.strip().endswith("failed: out of memory")


def test_cache_ls_and_rm(portal, version, tmp_path, capsys):
    assert main(["download", "noise-tiles"]) == 0
    capsys.readouterr()
    assert main(["cache", "ls"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[1].startswith(f"{version.identifier}  Noise tiles  ")
    assert main(["cache", "rm", version.identifier]) == 0
    assert not (tmp_path / "cache" / version.identifier.replace("/", "_")).exists()
    assert main(["cache", "rm", version.identifier]) == 1
    assert "no cached version" in capsys.readouterr().err


def test_a_broken_config_file_is_named_in_one_line(portal, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ABID_TOKEN")
    path = tmp_path / "config" / "abid.json"
    path.parent.mkdir()
    path.write_text("{not json")
    assert main(["search"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"abid: error: {path}: not a config file of abid (")
    assert error.count("\n") == 1
