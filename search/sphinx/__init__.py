"""dimos-search on a Sphinx / Manticore cluster (SphinxQL over the MySQL protocol).

    topology  which node holds which shard, the index names of a generation slot
    nodes     connections, failover between nodes, node and shard health
    cluster   a local cluster of `searchd` processes for development and tests
    writer    documents as search.analysis terms, every copy written; generations; repair
    searcher  a SearchRequest as SphinxQL MATCH/FACET, answered as the Whoosh engine answers

Analysis stays dimos-search's: documents and queries are sent as the terms of
`search.analysis`, and the engine's own morphology is off (docs/cluster.md).
"""
