package io.trawl.readmodel.query;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.readmodel.jdbc.JdbcQueryTables;

/**
 * CPU of {@link JobDiff} against reading both jobs' rows, on H2 (the embedded store), over the documents of a real
 * rescan: a base job of every document {@code copies} times (each copy under its own sha256), and a job where 1% of
 * them are gone, 1% new and 2% matched one more rule, projected from its events as a job's {@code projectStep} does.
 * Not a test; run it by hand:
 *
 * <pre>
 * ./mvnw -q -pl readmodel test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp readmodel/target/classes:readmodel/target/test-classes:$(cat readmodel/target/cp.txt) \
 *     io.trawl.readmodel.query.JobDiffBench RESULTS.jsonl WORK_DIR [copies=3] [passes=5]
 * </pre>
 * Prints, per pass, this thread's CPU seconds for: projecting the job again (the projection a summary's diff is added
 * to), reading both jobs ({@code forEachSample} each), counting the diff (what a summary's diff costs), and listing
 * the changes; then the medians and their ratios.
 */
public final class JobDiffBench {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private JobDiffBench() {
	}

	public static void main(String[] args) throws Exception {
		List<String> lines = Files.readAllLines(Path.of(args[0]));
		Path work = Files.createDirectories(Path.of(args[1]));
		int copies = args.length > 2 ? Integer.parseInt(args[2]) : 3;
		int passes = args.length > 3 ? Integer.parseInt(args[3]) : 5;
		DriverManagerDataSource dataSource = new DriverManagerDataSource("jdbc:h2:file:" + work.resolve("diff-bench")
				+ ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
		QueryTables tables = new JdbcQueryTables(dataSource);
		EventStore events = new JdbcEventStore(dataSource);
		long base = System.currentTimeMillis();
		long job = base + 1;
		Instant at = Instant.now();
		List<SampleView> baseRows = new ArrayList<>();
		List<ResultEvent> jobEvents = new ArrayList<>();
		int n = 0;
		for (int copy = 0; copy < copies; copy++) {
			for (String line : lines) {
				JsonNode stored = JSON.readTree(line);
				String original = stored.path("sha256").asString(null);
				String verdict = stored.path("verdict").asString("error");
				if (original == null) {
					continue;
				}
				String sha = sha256(copy + original);
				String document = line.replace(original, sha);
				int bucket = n++ % 100;
				if (bucket != 0) { // 1% gone
					baseRows.add(new SampleView(base, sha, sha, verdict, at, document));
				}
				if (bucket != 1) { // 1% new
					String changed = bucket < 4 ? withRule(document) : document;
					ObjectNode analysed = (ObjectNode) JSON.readTree(changed);
					String location = analysed.path("sources").path(0).asString("x");
					analysed.remove(List.of("sources", "parents", "jobInstanceId", "jobExecutionId", "analysedAt"));
					jobEvents.add(new ResultEvent(ResultEvent.analysedId(job, sha), job, 1, sha, EventKind.ANALYSED, at,
							JSON.writeValueAsString(analysed)));
					jobEvents.add(new ResultEvent(ResultEvent.sourceId(job, sha, location), job, 1, sha,
							EventKind.SOURCE, at, JSON.writeValueAsString(Map.of("location", location))));
				}
				flush(tables, baseRows, false);
				if (jobEvents.size() >= 400) {
					events.append(List.copyOf(jobEvents));
					jobEvents.clear();
				}
			}
		}
		flush(tables, baseRows, true);
		events.append(jobEvents);
		ResultProjection projection = new ResultProjection(events, tables);
		projection.project(job);
		System.out.printf(Locale.ROOT, "%d samples a job (%d documents x %d copies)%n", n, lines.size(), copies);
		ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
		JobDiff diff = new JobDiff(tables);
		double[] projected = new double[passes];
		double[] read = new double[passes];
		double[] counted = new double[passes];
		double[] listed = new double[passes];
		for (int pass = 0; pass < passes; pass++) {
			long beforeProjection = cpu.getCurrentThreadCpuTime();
			projection.project(job);
			long start = cpu.getCurrentThreadCpuTime();
			long[] rows = new long[1];
			tables.forEachSample(base, view -> rows[0] += view.document().length());
			tables.forEachSample(job, view -> rows[0] += view.document().length());
			long afterRead = cpu.getCurrentThreadCpuTime();
			DiffCounts counts = diff.counts(base, base, job);
			long afterCount = cpu.getCurrentThreadCpuTime();
			long[] changes = new long[1];
			diff.changes(base, job, null, change -> ++changes[0] > 0);
			long afterList = cpu.getCurrentThreadCpuTime();
			projected[pass] = (start - beforeProjection) / 1e9;
			read[pass] = (afterRead - start) / 1e9;
			counted[pass] = (afterCount - afterRead) / 1e9;
			listed[pass] = (afterList - afterCount) / 1e9;
			System.out.printf(Locale.ROOT, "pass %d: project %.3f s, read both %.3f s, counts %.3f s, changes %.3f s; "
					+ "%s, %d listed%n", pass + 1, projected[pass], read[pass], counted[pass], listed[pass], counts,
					changes[0]);
		}
		System.out.printf(Locale.ROOT, "median: project %.3f s, read both %.3f s, counts %.3f s (%.2fx the read, %.2fx "
				+ "the projection), changes %.3f s (%.2fx the read)%n", median(projected), median(read), median(counted),
				median(counted) / median(read), median(counted) / median(projected), median(listed),
				median(listed) / median(read));
	}

	private static String withRule(String document) {
		return document.contains("\"yara\":[]") ? document.replace("\"yara\":[]", "\"yara\":[\"BenchRule\"]")
				: document.replaceFirst("\"yara\":\\[", "\"yara\":[\"BenchRule\",");
	}

	private static void flush(QueryTables tables, List<SampleView> rows, boolean all) {
		if (rows.size() >= 200 || (all && !rows.isEmpty())) {
			tables.putSamples(List.copyOf(rows));
			rows.clear();
		}
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	private static String sha256(String text) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
	}
}
