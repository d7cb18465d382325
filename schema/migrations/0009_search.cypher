// Search by name (graph_lineage/lineage/search.py): words of uids and names, for the
// explorer's completion. Recommendations, outcomes and runs are many and have no name: they
// are found by a uid prefix on their uid constraint's index instead, so they stay out of it.
// The simple analyzer keeps the letters: `feature:user_ctr_7d@v3` holds the words feature,
// user, ctr, d and v; digits are found by the uid prefix (`user_ctr_7d@v3`).
CREATE FULLTEXT INDEX lineage_search IF NOT EXISTS
FOR (n:DataSource|Feature|FeatureVersion|Model|ModelVersion|Deployment|Experiment|Variant|LineageContext|Dataset|Job)
ON EACH [n.uid, n.name]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'simple'}};
