// Retention finds what is old by time: recommendations by served_at (indexed already) and,
// for stubs, ingested_at; outcomes by observed_at; feature statistics by window start.
CREATE RANGE INDEX recommendation_ingested_at IF NOT EXISTS FOR (n:Recommendation) ON (n.ingested_at);
CREATE RANGE INDEX outcome_observed_at IF NOT EXISTS FOR (n:Outcome) ON (n.observed_at);
CREATE RANGE INDEX feature_statistics_window IF NOT EXISTS FOR (n:FeatureStatistics) ON (n.window_start);
