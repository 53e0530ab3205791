"""The licenses the portal offers, as data. Loaded into the License table by a data migration.

Each entry carries what a download's LICENSE.txt and the metadata exports need: the SPDX id,
the official name, the canonical URL of the legal text, the obligations a user must know of,
and a plain-language summary. The legal text itself is at the URL.
"""

LICENSES = [
    {
        "spdx_id": "CC-BY-4.0",
        "name": "Creative Commons Attribution 4.0 International",
        "url": "https://creativecommons.org/licenses/by/4.0/legalcode",
        "requires_attribution": True,
        "non_commercial": False,
        "share_alike": False,
        "summary": (
            "You may copy, redistribute, remix, transform and build upon the material for any "
            "purpose, even commercially, provided you give appropriate credit, provide a link to "
            "the license, and indicate if changes were made."
        ),
    },
    {
        "spdx_id": "CC-BY-SA-4.0",
        "name": "Creative Commons Attribution Share Alike 4.0 International",
        "url": "https://creativecommons.org/licenses/by-sa/4.0/legalcode",
        "requires_attribution": True,
        "non_commercial": False,
        "share_alike": True,
        "summary": (
            "You may share and adapt the material for any purpose, provided you give appropriate "
            "credit and distribute your contributions under the same license as the original."
        ),
    },
    {
        "spdx_id": "CC-BY-NC-4.0",
        "name": "Creative Commons Attribution Non Commercial 4.0 International",
        "url": "https://creativecommons.org/licenses/by-nc/4.0/legalcode",
        "requires_attribution": True,
        "non_commercial": True,
        "share_alike": False,
        "summary": (
            "You may share and adapt the material, provided you give appropriate credit and do "
            "not use the material for commercial purposes."
        ),
    },
    {
        "spdx_id": "CC0-1.0",
        "name": "Creative Commons Zero v1.0 Universal",
        "url": "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
        "requires_attribution": False,
        "non_commercial": False,
        "share_alike": False,
        "summary": (
            "The creators have waived all copyright and related rights to the extent possible "
            "under law: the material may be used for any purpose without asking permission. "
            "Citing the dataset remains good scientific practice."
        ),
    },
    {
        "spdx_id": "ODbL-1.0",
        "name": "Open Data Commons Open Database License v1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
        "requires_attribution": True,
        "non_commercial": False,
        "share_alike": True,
        "summary": (
            "You may share, create and adapt the database, provided you attribute it, share "
            "adapted databases under the ODbL, and keep any redistributed version open."
        ),
    },
    {
        "spdx_id": "PDDL-1.0",
        "name": "Open Data Commons Public Domain Dedication & License 1.0",
        "url": "https://opendatacommons.org/licenses/pddl/1-0/",
        "requires_attribution": False,
        "non_commercial": False,
        "share_alike": False,
        "summary": "The database is dedicated to the public domain: use it for any purpose.",
    },
    {
        "spdx_id": "CDLA-Permissive-2.0",
        "name": "Community Data License Agreement Permissive 2.0",
        "url": "https://cdla.dev/permissive-2-0/",
        "requires_attribution": False,
        "non_commercial": False,
        "share_alike": False,
        "summary": (
            "You may use, modify and share the data for any purpose; when sharing the data you "
            "must make the license text available. Results of computational analysis are free "
            "of any obligation."
        ),
    },
]


def install_licenses(license_model) -> None:
    """Create or refresh every license above; takes the model so a migration can pass its own."""
    for entry in LICENSES:
        fields = {key: value for key, value in entry.items() if key != "spdx_id"}
        license_model.objects.update_or_create(spdx_id=entry["spdx_id"], defaults=fields)
