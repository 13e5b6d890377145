package io.trawl.readmodel.dynamodb;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import io.trawl.readmodel.jdbc.JdbcDatabases;
import io.trawl.readmodel.jdbc.JdbcManifests;
import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.manifest.Manifests.Entry;

/**
 * The client's CPU to write a job's manifest and to stream it back in location order, DynamoDB (on dynalite) beside
 * PostgreSQL (the other store of a distributed deployment), alternated, with the requests DynamoDB took. The servers'
 * CPU is not counted: dynalite's is no guide to DynamoDB's. Not a test; run it by hand (PostgreSQL as for the tests):
 *
 * <pre>
 * ./mvnw -q -pl readmodel test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp readmodel/target/classes:readmodel/target/test-classes:$(cat readmodel/target/cp.txt) \
 *     io.trawl.readmodel.dynamodb.ManifestsBench [entries=100000] [rounds=3]
 * </pre>
 */
public final class ManifestsBench {

	private static final AtomicLong REQUESTS = new AtomicLong();

	private ManifestsBench() {
	}

	public static void main(String[] args) {
		int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
		int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
		try (Dynalite dynalite = Dynalite.start();
				DynamoDbClient client = dynalite.client(b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(
						new ExecutionInterceptor() {
							@Override
							public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes a) {
								REQUESTS.incrementAndGet();
							}
						})))) {
			DynamoDbTableNames names = new DynamoDbTableNames("manifests-bench");
			DynamoDbTables.createIfMissing(client, names);
			Manifests dynamoDb = new DynamoDbManifests(client, names);
			Manifests postgres = new JdbcManifests(JdbcDatabases.postgres());
			List<double[]> dynamoDbRuns = new ArrayList<>();
			List<double[]> postgresRuns = new ArrayList<>();
			for (int round = 0; round <= rounds; round++) {
				double[] d = run(dynamoDb, entries);
				double[] p = run(postgres, entries);
				if (round > 0) { // the first round warms the JIT up
					dynamoDbRuns.add(d);
					postgresRuns.add(p);
				}
			}
			report("dynamodb", dynamoDbRuns, entries);
			report("postgresql", postgresRuns, entries);
			System.out.printf(Locale.ROOT, "client CPU dynamodb/postgresql: put %.2fx, range %.2fx%n",
					median(dynamoDbRuns, 0) / median(postgresRuns, 0), median(dynamoDbRuns, 1) / median(postgresRuns, 1));
		}
	}

	/** CPU seconds to put, CPU seconds to range, requests to put, requests to range. */
	private static double[] run(Manifests manifests, int entries) {
		long job = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
		long requests = REQUESTS.get();
		double put = cpu(() -> {
			List<Entry> chunk = new ArrayList<>(1_000);
			for (int i = 0; i < entries; i++) {
				chunk.add(new Entry(String.format("corpus/%02x/%08d.bin", i % 256, i), "size=" + i + ";mtime=" + i,
						String.format("%064x", i)));
				if (chunk.size() == 1_000 || i == entries - 1) {
					manifests.put(job, chunk);
					chunk.clear();
				}
			}
			return entries;
		});
		long putRequests = REQUESTS.get() - requests;
		double range = cpu(() -> {
			try (Stream<Entry> all = manifests.range(job, null, null)) {
				long count = all.count();
				if (count != entries) {
					throw new IllegalStateException("read " + count + " of " + entries);
				}
				return (int) count;
			}
		});
		return new double[] { put, range, putRequests, REQUESTS.get() - requests - putRequests };
	}

	private static double cpu(Supplier<Integer> work) {
		var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		long before = os.getProcessCpuTime();
		work.get();
		return (os.getProcessCpuTime() - before) / 1e9;
	}

	private static void report(String store, List<double[]> runs, int entries) {
		System.out.printf(Locale.ROOT, "%s, %d entries, median of %d: put %.2f CPU s, range %.2f CPU s (%s); "
				+ "requests: put %.0f, range %.0f%n", store, entries, runs.size(), median(runs, 0), median(runs, 1),
				Arrays.toString(runs.stream().mapToDouble(r -> r[1]).toArray()), median(runs, 2), median(runs, 3));
	}

	private static double median(List<double[]> runs, int column) {
		double[] values = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
		return values[values.length / 2];
	}
}
