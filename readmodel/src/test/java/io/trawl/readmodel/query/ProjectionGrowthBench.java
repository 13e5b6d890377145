package io.trawl.readmodel.query;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.jdbc.datasource.DriverManagerDataSource;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.readmodel.dynamodb.Dynalite;
import io.trawl.readmodel.dynamodb.DynamoDbEventStore;
import io.trawl.readmodel.dynamodb.DynamoDbQueryTables;
import io.trawl.readmodel.dynamodb.DynamoDbTableNames;
import io.trawl.readmodel.dynamodb.DynamoDbTables;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.readmodel.jdbc.JdbcQueryTables;

/**
 * How a job's event writes and its projection grow with the number of samples, on H2 (the embedded store) and on
 * DynamoDB (dynalite, on disk, or in its memory with the store {@code dynamodb-memory}). For each size, a new job's
 * events (ANALYSED and SOURCE per sample, appended in
 * chunks of 200 samples as a rescan's writer does) are written, then projected as {@code projectStep} projects them.
 * The documents are real results ({@code ./trawl results --format jsonl} of a rescan), taken in turn, each sample
 * under its own sha256. Prints, per store and size: wall and CPU seconds of each part (this JVM's process CPU, and
 * dynalite's own, which says nothing about DynamoDB's), DynamoDB requests by operation, items written, write units
 * (one per started KB of each item, conditional puts included) and read units (strongly consistent: one per 4 KB of
 * a query's items), and the per-sample figures. Not a test; run it by hand:
 *
 * <pre>
 * ./mvnw -q -pl readmodel test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp readmodel/target/classes:readmodel/target/test-classes:$(cat readmodel/target/cp.txt) \
 *     io.trawl.readmodel.query.ProjectionGrowthBench RESULTS.jsonl WORK_DIR [sizes=10000,100000] \
 *     [stores=h2,dynamodb,dynamodb-memory] [phase=append|project|both] [appending threads] [projection threads]
 * </pre>
 */
public final class ProjectionGrowthBench {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int CHUNK = 200;
	private static final long PROGRESS_EVERY = 100_000;

	private ProjectionGrowthBench() {
	}

	public static void main(String[] args) throws Exception {
		List<String[]> documents = documents(Path.of(args[0]));
		Path work = Files.createDirectories(Path.of(args[1]));
		List<Integer> sizes = (args.length > 2 ? List.of(args[2].split(",")) : List.of("10000", "100000")).stream()
			.map(Integer::parseInt).toList();
		List<String> stores = args.length > 3 ? List.of(args[3].split(",")) : List.of("h2", "dynamodb");
		String phase = args.length > 4 ? args[4] : "both";
		if (!List.of("append", "project", "both").contains(phase)) {
			throw new IllegalArgumentException("The phase '" + phase + "' is append, project or both.");
		}
		int appendThreads = args.length > 5 ? Integer.parseInt(args[5]) : 1;
		List<Integer> projectThreads = (args.length > 6 ? List.of(args[6].split(",")) : List.of("1")).stream()
			.map(Integer::parseInt).toList();
		long documentBytes = documents.stream().mapToLong(d -> d[1].getBytes(StandardCharsets.UTF_8).length).sum();
		System.out.printf(Locale.ROOT, "%d template documents, %.1f KB on average; phase %s, %d appending threads, "
				+ "projection threads %s%n", documents.size(), documentBytes / 1024.0 / documents.size(), phase,
				appendThreads, projectThreads);
		System.out.println("store\tsamples\tpart\twall s\tclient CPU s\tserver CPU s\trequests\titems written\tWCU\tRCU"
				+ "\tµs wall/sample\tclient CPU µs/sample\tWCU/sample\trequests by operation");
		for (String store : stores) {
			for (int size : sizes) {
				Path dir = Files.createDirectories(work.resolve(store + "-" + size));
				switch (store) {
					case "h2" -> {
						DriverManagerDataSource data = new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve("bench")
								+ ";WRITE_DELAY=0;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE", "sa", "");
						run(store, size, dir, documents, phase, appendThreads, projectThreads,
								new JdbcEventStore(data), () -> new JdbcQueryTables(data), null);
					}
					case "dynamodb", "dynamodb-memory" -> {
						// dynamodb keeps dynalite's tables in dir; dynamodb-memory in dynalite's memory, for sizes
						// whose LevelDB outgrows the disk (give node its heap: NODE_OPTIONS=--max-old-space-size=MB)
						Counter counter = new Counter();
						try (Dynalite dynalite = Dynalite.start(Path.of("").toAbsolutePath(), 0,
								store.equals("dynamodb") ? dir : null);
								DynamoDbClient client = dynalite.client(b -> b.overrideConfiguration(
										o -> o.addExecutionInterceptor(counter)))) {
							DynamoDbTableNames names = new DynamoDbTableNames("growth" + size);
							DynamoDbTables.createIfMissing(client, names);
							counter.reset();
							run(store, size, dir, documents, phase, appendThreads, projectThreads,
									new DynamoDbEventStore(client, names), () -> new DynamoDbQueryTables(client, names),
									counter);
						}
					}
					default -> throw new IllegalArgumentException(
							"The store '" + store + "' is h2, dynamodb or dynamodb-memory.");
				}
			}
		}
	}

	/**
	 * Appends (phase append or both) a new job's events and keeps its id in {@code dir/job}; projects (phase
	 * project or both) the job found there, once per projection thread count, each into fresh query tables when
	 * there is more than one.
	 */
	private static void run(String store, int size, Path dir, List<String[]> documents, String phase,
			int appendThreads, List<Integer> projectThreads, EventStore events,
			java.util.function.Supplier<QueryTables> tables, Counter counter) throws Exception {
		Path jobFile = dir.resolve("job");
		long job;
		if (!phase.equals("project")) {
			job = System.currentTimeMillis();
			Files.writeString(jobFile, Long.toString(job));
			append(store, size, job, documents, appendThreads, events, counter);
		}
		else {
			job = Long.parseLong(Files.readString(jobFile).trim());
		}
		if (phase.equals("append")) {
			return;
		}
		for (int threads : projectThreads) {
			Measure project = new Measure(counter);
			Progress progress = new Progress(store + " " + size + " project x" + threads, counter, 60);
			project.start();
			JobSummary summary = new ResultProjection(events, tables.get(), threads).project(job);
			project.stop();
			progress.close();
			if (summary.samples() != summary.resultEvents() || summary.samples() > size
					|| summary.samples() != size && !phase.equals("project")) {
				throw new IllegalStateException("projected " + summary.samples() + " samples and "
						+ summary.resultEvents() + " result events of " + size);
			}
			// an append stopped part-way is projected as far as it went: the figures are per sample projected
			project.report(store, (int) summary.samples(), "project x" + threads);
		}
	}

	/** Appends a job's events from {@code threads} threads at once, each taking the next chunk, as a fleet does. */
	private static void append(String store, int size, long job, List<String[]> documents, int threads,
			EventStore events, Counter counter) throws Exception {
		Instant at = Instant.now();
		Measure append = new Measure(counter);
		AtomicLong nextChunk = new AtomicLong();
		AtomicLong appended = new AtomicLong();
		long chunks = (size + CHUNK - 1) / CHUNK;
		long started = System.nanoTime();
		long cpu0 = processCpu();
		long server0 = dynaliteCpu();
		Counter.Snapshot before = counter == null ? null : counter.snapshot();
		append.start();
		List<java.util.concurrent.Future<?>> done = new ArrayList<>();
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
		for (int t = 0; t < threads; t++) {
			done.add(pool.submit(() -> {
				List<ResultEvent> chunk = new ArrayList<>(2 * CHUNK);
				for (long c = nextChunk.getAndIncrement(); c < chunks; c = nextChunk.getAndIncrement()) {
					int from = (int) (c * CHUNK);
					int to = Math.min(size, from + CHUNK);
					for (int i = from; i < to; i++) {
						String[] template = documents.get(i % documents.size());
						String sha = sha256(i + template[0]);
						chunk.add(new ResultEvent(ResultEvent.analysedId(job, sha), job, 1, sha, EventKind.ANALYSED,
								at, template[1].replace(template[0], sha)));
						chunk.add(new ResultEvent(ResultEvent.sourceId(job, sha, "bench/" + i), job, 1, sha,
								EventKind.SOURCE, at, "{\"location\":\"s3://trawl-samples/bench/" + i + "\"}"));
					}
					int written = events.append(chunk);
					if (written != chunk.size()) {
						throw new IllegalStateException("appended " + written + " of " + chunk.size() + " events");
					}
					chunk.clear();
					long total = appended.addAndGet(to - from);
					if (total / PROGRESS_EVERY != (total - (to - from)) / PROGRESS_EVERY) {
						double seconds = (System.nanoTime() - started) / 1e9;
						String counts = counter == null ? "" : "\t" + counter.snapshot().minus(before);
						System.out.printf(Locale.ROOT, "progress %s %d append\t%d samples\t%.1f s\t%.0f samples/s"
								+ "\tclient CPU %.1f s\tdynalite CPU %.1f s\tdynalite RSS %d MB\tload %.2f%s%n", store, size,
								total, seconds, total / seconds, (processCpu() - cpu0) / 1e9,
								(dynaliteCpu() - server0) / 1e9, dynaliteRssMb(),
								ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), counts);
					}
				}
				return null;
			}));
		}
		pool.shutdown();
		for (java.util.concurrent.Future<?> f : done) {
			f.get();
		}
		append.stop();
		append.report(store, size, "append events x" + threads);
	}

	/** Prints the counts so far every {@code seconds}, so that even a run stopped part-way shows how it grows. */
	private static final class Progress implements AutoCloseable {

		private final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
			.newSingleThreadScheduledExecutor(r -> {
				Thread t = new Thread(r, "progress");
				t.setDaemon(true);
				return t;
			});

		Progress(String what, Counter counter, int seconds) {
			long started = System.nanoTime();
			long cpu0 = processCpu();
			long server0 = dynaliteCpu();
			Counter.Snapshot before = counter == null ? null : counter.snapshot();
			timer.scheduleAtFixedRate(() -> System.out.printf(Locale.ROOT,
					"progress %s\t%.0f s\tclient CPU %.1f s\tdynalite CPU %.1f s\tdynalite RSS %d MB\tload %.2f%s%n",
					what, (System.nanoTime() - started) / 1e9, (processCpu() - cpu0) / 1e9,
					(dynaliteCpu() - server0) / 1e9, dynaliteRssMb(),
					ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
					counter == null ? "" : "\t" + counter.snapshot().minus(before)), seconds, seconds,
					java.util.concurrent.TimeUnit.SECONDS);
		}

		@Override
		public void close() {
			timer.shutdownNow();
		}
	}

	/** Wall, process CPU and dynalite's CPU of the timed parts, and the DynamoDB requests they made. */
	private static final class Measure {

		private final Counter counter;
		private final Counter.Snapshot before;
		private long wallNanos;
		private long cpuNanos;
		private long serverNanos;
		private long startWall;
		private long startCpu;
		private long startServer;

		Measure(Counter counter) {
			this.counter = counter;
			this.before = counter == null ? null : counter.snapshot();
		}

		void start() {
			startWall = System.nanoTime();
			startCpu = processCpu();
			startServer = dynaliteCpu();
		}

		void stop() {
			wallNanos += System.nanoTime() - startWall;
			cpuNanos += processCpu() - startCpu;
			serverNanos += dynaliteCpu() - startServer;
		}

		void report(String store, int size, String part) {
			Counter.Snapshot used = counter == null ? new Counter.Snapshot(Map.of(), 0, 0, 0) : counter.snapshot().minus(before);
			long requests = used.requests().values().stream().mapToLong(Long::longValue).sum();
			System.out.printf(Locale.ROOT, "%s\t%d\t%s\t%.2f\t%.2f\t%s\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%s\t%s%n", store, size,
					part, wallNanos / 1e9, cpuNanos / 1e9, counter == null ? "-" : String.format(Locale.ROOT, "%.2f",
							serverNanos / 1e9), requests, used.items(), used.wcu(), used.rcu(), wallNanos / 1e3 / size,
					cpuNanos / 1e3 / size, counter == null ? "-" : String.format(Locale.ROOT, "%.2f",
							(double) used.wcu() / size), used.requests());
		}
	}

	/** Counts DynamoDB requests by operation, the items they write, and their write and read units. */
	private static final class Counter implements ExecutionInterceptor {

		record Snapshot(Map<String, Long> requests, long items, long wcu, long rcu) {

			Snapshot minus(Snapshot earlier) {
				Map<String, Long> delta = new java.util.TreeMap<>();
				requests.forEach((op, n) -> {
					long d = n - earlier.requests.getOrDefault(op, 0L);
					if (d > 0) {
						delta.put(op, d);
					}
				});
				return new Snapshot(delta, items - earlier.items, wcu - earlier.wcu, rcu - earlier.rcu);
			}
		}

		private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
		private final AtomicLong items = new AtomicLong();
		private final AtomicLong wcu = new AtomicLong();
		private final AtomicLong rcu = new AtomicLong();

		void reset() {
			requests.clear();
			items.set(0);
			wcu.set(0);
			rcu.set(0);
		}

		Snapshot snapshot() {
			Map<String, Long> counts = new java.util.TreeMap<>();
			requests.forEach((op, n) -> counts.put(op, n.sum()));
			return new Snapshot(counts, items.get(), wcu.get(), rcu.get());
		}

		@Override
		public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
			SdkRequest request = context.request();
			requests.computeIfAbsent(request.getClass().getSimpleName().replace("Request", ""), k -> new LongAdder())
				.increment();
			if (request instanceof PutItemRequest put) {
				written(put.item());
			}
			else if (request instanceof BatchWriteItemRequest batch) {
				batch.requestItems().values().forEach(list -> list.forEach(w -> {
					if (w.putRequest() != null) {
						written(w.putRequest().item());
					}
				}));
			}
		}

		@Override
		public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
			SdkResponse response = context.response();
			if (response instanceof QueryResponse query && query.hasItems()) {
				long bytes = query.items().stream().mapToLong(Counter::size).sum();
				rcu.addAndGet(Math.max(1, (bytes + 4095) / 4096));
			}
		}

		private void written(Map<String, AttributeValue> item) {
			items.incrementAndGet();
			wcu.addAndGet(Math.max(1, (size(item) + 1023) / 1024));
		}

		/** An item's size as DynamoDB counts it: each attribute's name and value. */
		static long size(Map<String, AttributeValue> item) {
			return item.entrySet().stream()
				.mapToLong(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length + size(e.getValue()))
				.sum();
		}

		private static long size(AttributeValue value) {
			if (value.s() != null) {
				return value.s().getBytes(StandardCharsets.UTF_8).length;
			}
			if (value.n() != null) {
				return value.n().length() / 2 + 1;
			}
			if (value.b() != null) {
				return value.b().asByteArrayUnsafe().length;
			}
			if (value.hasL()) {
				return 3 + value.l().stream().mapToLong(v -> 1 + size(v)).sum();
			}
			if (value.hasM()) {
				return 3 + size(value.m());
			}
			if (value.hasSs()) {
				return value.ss().stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
			}
			return 1;
		}
	}

	/** The result documents as the analysis writes them: what the projection adds is taken out again. */
	private static List<String[]> documents(Path results) throws Exception {
		List<String[]> documents = new ArrayList<>();
		for (String line : Files.readAllLines(results)) {
			JsonNode stored = JSON.readTree(line);
			String sha = stored.path("sha256").asString(null);
			if (sha == null) {
				continue;
			}
			ObjectNode analysed = (ObjectNode) stored;
			analysed.remove(List.of("sources", "parents", "jobInstanceId", "jobExecutionId", "analysedAt"));
			documents.add(new String[] { sha, JSON.writeValueAsString(analysed) });
		}
		if (documents.isEmpty()) {
			throw new IllegalArgumentException(results + " holds no result with a sha256: give ./trawl results "
					+ "--format jsonl of a rescan.");
		}
		return documents;
	}

	private static long processCpu() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	private static long dynaliteCpu() {
		return ProcessHandle.current().descendants()
			.filter(p -> p.info().commandLine().orElse("").contains("dynalite"))
			.mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
			.sum();
	}

	/** dynalite's resident memory (its tables, in memory with {@code dynamodb-memory}), from /proc; 0 elsewhere. */
	private static long dynaliteRssMb() {
		return ProcessHandle.current().descendants()
			.filter(p -> p.info().commandLine().orElse("").contains("dynalite"))
			.mapToLong(p -> {
				try {
					return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
						.filter(line -> line.startsWith("VmRSS:"))
						.mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
						.sum();
				}
				catch (java.io.IOException | RuntimeException gone) {
					return 0;
				}
			})
			.sum();
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
