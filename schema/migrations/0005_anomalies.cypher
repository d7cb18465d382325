// Anomaly findings (graph_lineage/anomalies): their uid is unique since 0001. Listed and
// resolved by rule and status, paged by when they were last seen.
CREATE RANGE INDEX anomaly_rule_status IF NOT EXISTS FOR (n:Anomaly) ON (n.rule, n.status);
CREATE RANGE INDEX anomaly_last_seen IF NOT EXISTS FOR (n:Anomaly) ON (n.last_seen);
