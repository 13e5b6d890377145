package io.trawl.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.local.StoreClient;
import io.trawl.jobs.local.StoreListener;

/**
 * A rescan's job repository, as the tests see it: while the job runs, through {@code status --json} sent to the
 * process that holds the store (its Unix socket, as a second {@code ./trawl} would); once that process is dead, by
 * opening the H2 file here, under the same lock a {@code ./trawl} command takes. No TCP port either way.
 */
final class JobDatabase {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private JobDatabase() {
	}

	/**
	 * Polls until the running job has at least {@code count} results committed (ANALYSED and FAILED events); fails
	 * with {@code describe} when the process ends first.
	 */
	static long awaitAnalysed(Path data, long count, Process rescan, Supplier<String> describe) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		while (System.nanoTime() < deadline) {
			if (!rescan.isAlive()) {
				throw new IllegalStateException("the rescan ended before it could be killed: " + describe.get());
			}
			JsonNode jobs = statusJson(data);
			long stored = jobs != null && jobs.size() > 0 ? jobs.get(0).get("resultEvents").asLong() : 0;
			if (stored >= count) {
				return stored;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("no progress within 3 minutes");
	}

	/** {@code status --json} answered by the process holding the store, or null while none answers yet. */
	static JsonNode statusJson(Path data) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code;
		try {
			code = StoreClient.forward(data.resolve("trawl.sock"), new String[] { "status", "--json" },
					new PrintStream(out, true, StandardCharsets.UTF_8),
					new PrintStream(err, true, StandardCharsets.UTF_8));
		}
		catch (StoreClient.NotListening notYet) {
			return null;
		}
		if (code != 0) {
			throw new IllegalStateException("status --json exited " + code + ": "
					+ err.toString(StandardCharsets.UTF_8));
		}
		return JSON.readTree(out.toString(StandardCharsets.UTF_8));
	}

	/** The execution a killed JVM left STARTED. */
	static long startedExecution(Path data) throws IOException {
		return query(data, "SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'");
	}

	/**
	 * The first column of the first row, or 0 while the database or its tables do not exist yet. Only while no
	 * process holds the store (its JVM was killed): H2 lets one process open the file.
	 */
	static long query(Path data, String sql) throws IOException {
		if (!Files.exists(data.resolve("trawl.mv.db"))) {
			return 0;
		}
		try (StoreListener held = StoreListener.tryClaim(data)) {
			if (held == null) {
				throw new IllegalStateException("a live process holds the store in " + data);
			}
			try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("trawl")
					+ ";IFEXISTS=TRUE", "sa", "");
					ResultSet rs = connection.createStatement().executeQuery(sql)) {
				return rs.next() ? rs.getLong(1) : 0;
			}
			catch (SQLException notYet) {
				return 0; // tables not created yet
			}
		}
	}
}
