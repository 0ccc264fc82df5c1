"""dimos-search core: Greek analysis, ingestion, the Whoosh index and the query layer.

Data flows one way: source files -> documents (ingest) -> index -> results (query).
Nothing here imports the web layer.
"""
