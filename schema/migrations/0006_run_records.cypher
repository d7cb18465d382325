// The records of governance runs (retention, erasure, key rotation, completeness) were
// `AuditRun` nodes with `audit:` uids, a name shared with the completeness audits and the
// access audit. They become `RunRecord` nodes with `record:` uids; the uid constraint moves.
DROP CONSTRAINT audit_run_uid IF EXISTS;
MATCH (n:AuditRun)
CALL (n) {
  SET n:RunRecord
  REMOVE n:AuditRun
  SET n.uid = CASE WHEN n.uid STARTS WITH 'audit:' THEN 'record:' + substring(n.uid, 6)
              ELSE n.uid END
} IN TRANSACTIONS OF 10000 ROWS;
CREATE CONSTRAINT run_record_uid IF NOT EXISTS FOR (n:RunRecord) REQUIRE n.uid IS UNIQUE;
