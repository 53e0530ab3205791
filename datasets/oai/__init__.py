"""OAI-PMH 2.0 at /oai/: the published public and restricted versions, for the harvesters of
DataCite, OpenAIRE, BASE and institutional repositories (docs/harvesting.md).

Each record is a version, described in Dublin Core (`oai_dc`) and DataCite XML
(`oai_datacite`), both built from the DataCite JSON the portal exports (datasets.metadata), so a
harvester reads the same facts as the version's page, its ZIP and its registered DOI.
"""
