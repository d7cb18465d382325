// Lineage capture: deployments and feature statistics are lineage nodes too;
// per-day, per-segment usage counters of each LineageContext are found by their key.
CREATE CONSTRAINT deployment_uid IF NOT EXISTS FOR (n:Deployment) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT feature_statistics_uid IF NOT EXISTS FOR (n:FeatureStatistics) REQUIRE n.uid IS UNIQUE;
CREATE RANGE INDEX context_usage_key IF NOT EXISTS FOR (n:ContextUsage) ON (n.context, n.day, n.segment);
CREATE RANGE INDEX context_usage_day IF NOT EXISTS FOR (n:ContextUsage) ON (n.day);
