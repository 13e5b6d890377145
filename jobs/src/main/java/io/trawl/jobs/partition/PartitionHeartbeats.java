package io.trawl.jobs.partition;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.jdbc.SchemaDdl;

/**
 * Which worker runs each remote partition, and when it last said so, in the shared job repository's database (table
 * {@value #TABLE}, one row per partition step execution). A worker writes a beat for each partition it runs every
 * {@code heartbeat-interval}; the manager re-sends a partition whose worker has been silent for
 * {@code takeover-after}, and {@code trawl status} shows who holds what. Times are the writers' clocks in epoch
 * milliseconds: the hosts of one cluster are expected to keep their clocks in step (NTP), as SQS itself does not care.
 */
public final class PartitionHeartbeats {

	static final String TABLE = "TRAWL_PARTITION_HEARTBEAT";

	/**
	 * @param attempts how many times a worker started this partition (1 for its first run)
	 * @param takeoverRequestedMillis when the manager last re-sent it for a silent worker, or null
	 */
	public record Beat(long stepExecutionId, String worker, long beatMillis, int attempts, Long takeoverRequestedMillis) {

		public long silentMillis(long now) {
			return Math.max(0, now - beatMillis);
		}

		/** The manager asked for a takeover and no worker has taken it since. */
		public boolean takeoverPending() {
			return takeoverRequestedMillis != null && takeoverRequestedMillis >= beatMillis;
		}
	}

	private final JdbcTemplate jdbc;
	private volatile boolean created;

	public PartitionHeartbeats(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
	}

	/** Creates the table on first use: H2 and PostgreSQL both know {@code IF NOT EXISTS}. */
	private JdbcTemplate jdbc() {
		if (!created) {
			synchronized (this) {
				if (!created) {
					SchemaDdl.create(jdbc, "CREATE TABLE IF NOT EXISTS " + TABLE + " (STEP_EXECUTION_ID BIGINT PRIMARY KEY, "
							+ "WORKER VARCHAR(255) NOT NULL, BEAT_MILLIS BIGINT NOT NULL, ATTEMPTS INT NOT NULL, "
							+ "TAKEOVER_REQUESTED_MILLIS BIGINT)");
					created = true;
				}
			}
		}
		return jdbc;
	}

	/** A worker starts (or takes over) a partition; returns how many times it has been started, this one included. */
	int started(long stepExecutionId, String worker) {
		long now = System.currentTimeMillis();
		for (int tries = 0; ; tries++) {
			int updated = jdbc().update("UPDATE " + TABLE + " SET WORKER = ?, BEAT_MILLIS = ?, ATTEMPTS = ATTEMPTS + 1 "
					+ "WHERE STEP_EXECUTION_ID = ?", worker, now, stepExecutionId);
			if (updated == 0) {
				try {
					jdbc().update("INSERT INTO " + TABLE + " (STEP_EXECUTION_ID, WORKER, BEAT_MILLIS, ATTEMPTS) "
							+ "VALUES (?, ?, ?, 1)", stepExecutionId, worker, now);
				}
				catch (DuplicateKeyException raced) {
					if (tries < 3) {
						continue;
					}
					throw raced;
				}
			}
			return find(stepExecutionId).map(Beat::attempts).orElse(1);
		}
	}

	/** The partitions this worker runs are alive. */
	void beat(Collection<Long> stepExecutionIds, String worker) {
		long now = System.currentTimeMillis();
		for (long id : stepExecutionIds) {
			jdbc().update("UPDATE " + TABLE + " SET BEAT_MILLIS = ? WHERE STEP_EXECUTION_ID = ? AND WORKER = ?", now, id,
					worker);
		}
	}

	/** The manager re-sent this partition for another worker. */
	void takeoverRequested(long stepExecutionId) {
		jdbc().update("UPDATE " + TABLE + " SET TAKEOVER_REQUESTED_MILLIS = ? WHERE STEP_EXECUTION_ID = ?",
				System.currentTimeMillis(), stepExecutionId);
	}

	public Optional<Beat> find(long stepExecutionId) {
		return all(List.of(stepExecutionId)).values().stream().findFirst();
	}

	/** The beats of these partitions that have one. */
	public Map<Long, Beat> all(Collection<Long> stepExecutionIds) {
		Map<Long, Beat> beats = new HashMap<>();
		if (stepExecutionIds.isEmpty()) {
			return beats;
		}
		String ids = String.join(",", stepExecutionIds.stream().map(String::valueOf).toList());
		jdbc().query("SELECT STEP_EXECUTION_ID, WORKER, BEAT_MILLIS, ATTEMPTS, TAKEOVER_REQUESTED_MILLIS FROM " + TABLE
				+ " WHERE STEP_EXECUTION_ID IN (" + ids + ")", row -> {
					long requested = row.getLong(5);
					Beat beat = new Beat(row.getLong(1), row.getString(2), row.getLong(3), row.getInt(4),
							row.wasNull() ? null : requested);
					beats.put(beat.stepExecutionId(), beat);
				});
		return beats;
	}
}
