// The dashboard and the audit view (graph_lineage/dashboard, graph_lineage/governance/listing.py).
// Traffic filtered by cohort, as segment already is (0001): a cohort's recommendations by
// time. Lineage changes by time: feature versions by materialization, model versions by
// training, deployments by when they began or ended.
// Run records listed newest first, of every kind or of some kinds (the latest completeness
// audits among them).
CREATE RANGE INDEX recommendation_cohort IF NOT EXISTS FOR (n:Recommendation) ON (n.cohort, n.served_at);
CREATE RANGE INDEX feature_version_materialized_at IF NOT EXISTS FOR (n:FeatureVersion) ON (n.materialized_at);
CREATE RANGE INDEX model_version_trained_at IF NOT EXISTS FOR (n:ModelVersion) ON (n.trained_at);
CREATE RANGE INDEX deployment_deployed_at IF NOT EXISTS FOR (n:Deployment) ON (n.deployed_at);
CREATE RANGE INDEX deployment_retired_at IF NOT EXISTS FOR (n:Deployment) ON (n.retired_at);
CREATE RANGE INDEX run_record_started_at IF NOT EXISTS FOR (n:RunRecord) ON (n.started_at);
CREATE RANGE INDEX run_record_kind IF NOT EXISTS FOR (n:RunRecord) ON (n.kind, n.started_at);
