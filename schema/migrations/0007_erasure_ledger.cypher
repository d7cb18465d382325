// The erasure ledger (graph_lineage/governance/ledger.py): one ErasureEntry per erased
// person and per request of their erased recommendations, keyed by an HMAC that is
// neither the raw id nor the pseudonym. The writer looks keys up for every batch, so the
// key is unique and indexed.
CREATE CONSTRAINT erasure_entry_key IF NOT EXISTS FOR (n:ErasureEntry) REQUIRE n.key IS UNIQUE;
