package io.trawl.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;

/** A running rescan's H2 database, read from the test's process (AUTO_SERVER) while the job writes it. */
final class JobDatabase {

	private JobDatabase() {
	}

	/**
	 * Polls until at least {@code count} ANALYSED events are committed; fails with {@code describe} when the process
	 * ends first.
	 */
	static long awaitAnalysed(Path data, long count, Process rescan, Supplier<String> describe) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		while (System.nanoTime() < deadline) {
			if (!rescan.isAlive()) {
				throw new IllegalStateException("the rescan ended before it could be killed: " + describe.get());
			}
			long stored = query(data, "SELECT COUNT(*) FROM trawl_event WHERE kind = 'ANALYSED'");
			if (stored >= count) {
				return stored;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("no progress within 3 minutes");
	}

	static long startedExecution(Path data) throws IOException {
		return query(data, "SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'");
	}

	/** The first column of the first row, or 0 while the database or its tables do not exist yet. */
	static long query(Path data, String sql) throws IOException {
		if (!Files.exists(data.resolve("trawl.mv.db"))) {
			return 0;
		}
		try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("trawl")
				+ ";AUTO_SERVER=TRUE;IFEXISTS=TRUE", "sa", "");
				ResultSet rs = connection.createStatement().executeQuery(sql)) {
			return rs.next() ? rs.getLong(1) : 0;
		}
		catch (SQLException notYet) {
			return 0; // tables not created yet
		}
	}
}
