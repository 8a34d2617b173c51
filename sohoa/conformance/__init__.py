"""Conformance of digitisation results (Decree 45/2020 Art 25, Circular 01/2023/TT-VPCP, Circular 05/2025/TT-BNV).

One module per concern: ``dossier`` (dossier folders and manifests, components and results, -KQ(n) codes),
``identifiers`` (the digitisation-result code), ``mark`` (the visible conversion mark), ``signing`` (PAdES),
``output`` (mark + sign one searchable PDF for the pipeline), ``record`` (links, codes and the Circular 01 steps
in the record store), ``verify`` (signature checks), ``tt05`` (archival metadata), ``package`` (BagIt / E-ARK
packages) and ``commands`` (the CLI).
"""
