// Every lineage node is found by its uid: `<kind>:<name>[@<version>]` (see DESIGN.md).
// Uniqueness constraints also give each label an index on uid.
CREATE CONSTRAINT data_source_uid IF NOT EXISTS FOR (n:DataSource) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT feature_uid IF NOT EXISTS FOR (n:Feature) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT feature_version_uid IF NOT EXISTS FOR (n:FeatureVersion) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT model_uid IF NOT EXISTS FOR (n:Model) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT model_version_uid IF NOT EXISTS FOR (n:ModelVersion) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT experiment_uid IF NOT EXISTS FOR (n:Experiment) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT variant_uid IF NOT EXISTS FOR (n:Variant) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT lineage_context_uid IF NOT EXISTS FOR (n:LineageContext) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT recommendation_uid IF NOT EXISTS FOR (n:Recommendation) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT outcome_uid IF NOT EXISTS FOR (n:Outcome) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT drift_alert_uid IF NOT EXISTS FOR (n:DriftAlert) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT anomaly_uid IF NOT EXISTS FOR (n:Anomaly) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT audit_run_uid IF NOT EXISTS FOR (n:AuditRun) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT debug_session_uid IF NOT EXISTS FOR (n:DebugSession) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT job_uid IF NOT EXISTS FOR (n:Job) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT run_uid IF NOT EXISTS FOR (n:Run) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT dataset_uid IF NOT EXISTS FOR (n:Dataset) REQUIRE n.uid IS UNIQUE;

// The first queries: recommendations by time window, segment and user pseudonym;
// outcomes joined to their recommendation by request id (they may arrive first);
// feature versions listed per feature.
CREATE RANGE INDEX recommendation_served_at IF NOT EXISTS FOR (n:Recommendation) ON (n.served_at);
CREATE RANGE INDEX recommendation_segment IF NOT EXISTS FOR (n:Recommendation) ON (n.segment, n.served_at);
CREATE RANGE INDEX recommendation_user IF NOT EXISTS FOR (n:Recommendation) ON (n.user_pseudonym);
CREATE RANGE INDEX outcome_request_id IF NOT EXISTS FOR (n:Outcome) ON (n.request_id);
CREATE RANGE INDEX feature_version_feature IF NOT EXISTS FOR (n:FeatureVersion) ON (n.feature);
