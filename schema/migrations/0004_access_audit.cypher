// The access audit: one AccessRecord per GraphQL operation, chained by seq and hash.
// Unique seq makes a fork of the chain impossible; the single AccessLogHead node, unique
// by name, is what concurrent appenders lock, so MERGE never makes a second one.
CREATE CONSTRAINT access_record_seq IF NOT EXISTS FOR (n:AccessRecord) REQUIRE n.seq IS UNIQUE;
CREATE CONSTRAINT access_log_head_name IF NOT EXISTS FOR (n:AccessLogHead) REQUIRE n.name IS UNIQUE;
// accessLog filters: a time window, a subject, an operation name.
CREATE RANGE INDEX access_record_at IF NOT EXISTS FOR (n:AccessRecord) ON (n.at);
CREATE RANGE INDEX access_record_subject IF NOT EXISTS FOR (n:AccessRecord) ON (n.subject);
CREATE RANGE INDEX access_record_operation IF NOT EXISTS FOR (n:AccessRecord) ON (n.operation_name);
