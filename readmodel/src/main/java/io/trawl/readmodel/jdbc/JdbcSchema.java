package io.trawl.readmodel.jdbc;

import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

/** Creates the event and query tables if they are missing; the same DDL runs on H2 and PostgreSQL. */
final class JdbcSchema {

	/** Every query table: what the projection writes and a rebuild clears. */
	static final List<String> QUERY_TABLES = List.of("trawl_job_sample", "trawl_sample", "trawl_rule_hit",
			"trawl_job_summary", "trawl_rule_job");

	static final String[] DDL = {
			// Keyed in the order every read of events takes (a job's, by sample key): one index, where a key on
			// event_id alone needed a second one for those reads. The id still names the event (the other key columns
			// are derived from it), so the key is as unique as the id. On H2 each index is a B-tree of its own, and a
			// chunk's events fall all over its job's range (sample keys are sha256s): each commit wrote that range of
			// both trees again. A database made before keeps its key on event_id and its index
			// trawl_event_by_job (job_instance_id, sample_key, kind, event_id); the same statements run on both.
			"""
			CREATE TABLE IF NOT EXISTS trawl_event (
			  event_id VARCHAR(400) NOT NULL,
			  job_instance_id BIGINT NOT NULL,
			  job_execution_id BIGINT NOT NULL,
			  sample_key VARCHAR(100) NOT NULL,
			  kind VARCHAR(20) NOT NULL,
			  recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
			  payload TEXT NOT NULL,
			  payload_digest VARCHAR(64),
			  PRIMARY KEY (job_instance_id, sample_key, kind, event_id))""",
			// a database made before documents were stored once: its rows keep their text, new ones may not
			"ALTER TABLE trawl_event ADD COLUMN IF NOT EXISTS payload_digest VARCHAR(64)",
			"""
			CREATE TABLE IF NOT EXISTS trawl_job_sample (
			  job_instance_id BIGINT NOT NULL,
			  sample_key VARCHAR(100) NOT NULL,
			  sha256 VARCHAR(64),
			  verdict VARCHAR(20) NOT NULL,
			  analysed_at TIMESTAMP WITH TIME ZONE NOT NULL,
			  document TEXT NOT NULL,
			  document_digest VARCHAR(64),
			  yara_rules VARCHAR(10000),
			  PRIMARY KEY (job_instance_id, sample_key))""",
			"ALTER TABLE trawl_job_sample ADD COLUMN IF NOT EXISTS document_digest VARCHAR(64)",
			// the set of YARA rules the row's document names (SampleView.rulesKey), which a diff compares without
			// reading the documents; null in rows written before it and for a set too long for it (JdbcQueryTables
			// .RULES_KEPT), whose documents are read as before
			"ALTER TABLE trawl_job_sample ADD COLUMN IF NOT EXISTS yara_rules VARCHAR(10000)",
			"""
			CREATE TABLE IF NOT EXISTS trawl_document (
			  digest VARCHAR(64) PRIMARY KEY,
			  body TEXT NOT NULL)""",
			"""
			CREATE TABLE IF NOT EXISTS trawl_sample (
			  sha256 VARCHAR(64) PRIMARY KEY,
			  job_instance_id BIGINT NOT NULL,
			  verdict VARCHAR(20) NOT NULL,
			  analysed_at TIMESTAMP WITH TIME ZONE NOT NULL,
			  document TEXT NOT NULL)""",
			"""
			CREATE TABLE IF NOT EXISTS trawl_rule_hit (
			  job_instance_id BIGINT NOT NULL,
			  rule VARCHAR(300) NOT NULL,
			  sha256 VARCHAR(64) NOT NULL,
			  PRIMARY KEY (job_instance_id, rule, sha256))""",
			"""
			CREATE TABLE IF NOT EXISTS trawl_job_summary (
			  job_instance_id BIGINT PRIMARY KEY,
			  projected_at TIMESTAMP WITH TIME ZONE NOT NULL,
			  document TEXT NOT NULL)""",
			"""
			CREATE TABLE IF NOT EXISTS trawl_rule_job (
			  rule VARCHAR(300) NOT NULL,
			  job_instance_id BIGINT NOT NULL,
			  hits BIGINT NOT NULL,
			  samples BIGINT NOT NULL,
			  PRIMARY KEY (rule, job_instance_id))""" };

	private JdbcSchema() {
	}

	static void create(JdbcTemplate jdbc) {
		SchemaDdl.create(jdbc, DDL);
	}
}
