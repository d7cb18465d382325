// Drift detection (graph_lineage/drift): a DriftWindow per signal and window, judged once;
// a DriftAlert per distinct problem, MERGEd on its uid (unique since 0001); DriftScan
// cursors. Scans read feature statistics by ingestion time and stored windows by signal
// (or feature) and start;
// attribution finds a model version's contexts by their model_version.
CREATE CONSTRAINT drift_window_uid IF NOT EXISTS FOR (n:DriftWindow) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT drift_scan_name IF NOT EXISTS FOR (n:DriftScan) REQUIRE n.name IS UNIQUE;
CREATE RANGE INDEX drift_window_signal IF NOT EXISTS FOR (n:DriftWindow) ON (n.signal, n.window_start);
CREATE RANGE INDEX drift_window_feature IF NOT EXISTS FOR (n:DriftWindow) ON (n.feature, n.window_start);
CREATE RANGE INDEX drift_window_start IF NOT EXISTS FOR (n:DriftWindow) ON (n.window_start);
CREATE RANGE INDEX drift_alert_signal IF NOT EXISTS FOR (n:DriftAlert) ON (n.signal);
CREATE RANGE INDEX drift_alert_last_seen IF NOT EXISTS FOR (n:DriftAlert) ON (n.last_seen);
CREATE RANGE INDEX feature_statistics_ingested_at IF NOT EXISTS FOR (n:FeatureStatistics) ON (n.ingested_at);
CREATE RANGE INDEX lineage_context_model_version IF NOT EXISTS FOR (n:LineageContext) ON (n.model_version);
