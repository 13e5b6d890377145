package io.trawl.terraform;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CostModelTests {

	private static final Path SCRIPT = NodeScript.REPOSITORY_ROOT.resolve("bench/cost-model.mjs");

	@Test
	void printsATableWithRowsFor1MAnd10MSamples() {
		NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--avg-size-mb", "2",
				"--throughput-mbps", "150");

		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(row(result.stdout(), "Samples")).isPresent();
		double million = total(result.stdout(), "1M");
		double tenMillion = total(result.stdout(), "10M");
		assertThat(million).isPositive();
		assertThat(tenMillion).isBetween(9 * million, 11 * million);
		assertThat(result.stdout()).contains("Price assumptions (us-east-1", "S3 Standard GET", "S3 Standard LIST",
				"DynamoDB on-demand", "SQS standard", "NAT gateway", "Gateway endpoints", "per instance-hour");
	}

	@Test
	void largerSamplesCostMoreInstanceTime() {
		NodeScript.Result small = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--avg-size-mb", "1");
		NodeScript.Result large = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--avg-size-mb", "8");

		assertThat(total(large.stdout(), "1M")).isGreaterThan(total(small.stdout(), "1M"));
	}

	@Test
	void aBadParameterIsNamed() {
		NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--avg-size-mb", "two");

		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.stderr()).startsWith("cost-model: --avg-size-mb needs a positive number, got 'two'.");
	}

	@Test
	void theNightPrintsWallBottleneckAndCostForTenFiftyAndTwoHundredWorkers() {
		NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night");

		assertThat(result.exitCode()).as(result.describe()).isZero();
		for (String workers : List.of("10", "50", "200")) {
			List<String> full = nightRow(result.stdout(), "full", workers);
			assertThat(hours(full.get(2))).as("wall of %s workers", workers).isPositive();
			assertThat(full.get(9)).isNotBlank();
			assertThat(dollars(full.get(full.size() - 1))).isPositive();
			assertThat(nightRow(result.stdout(), "incremental 2%", workers)).isNotEmpty();
		}
		assertThat(result.stdout()).contains("A full night: adding workers helps up to ",
				"An incremental night: adding workers helps up to ");
	}

	@Test
	void wallTimeFallsWithWorkersUntilALimitBindsThenStaysFlat() {
		String counts = "1,2,4,8,16,32,64,128,256,512";
		NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--night-workers", counts);

		assertThat(result.exitCode()).as(result.describe()).isZero();
		int useful = usefulWorkers(result.stdout(), "A full night");
		double previous = Double.MAX_VALUE;
		int previousWorkers = 0;
		for (String workers : counts.split(",")) {
			List<String> row = nightRow(result.stdout(), "full", workers);
			double wall = hours(row.get(2));
			int n = Integer.parseInt(workers);
			if (previousWorkers < useful) {
				assertThat(wall).as("wall of %d workers, after %d, below the %d that help", n, previousWorkers, useful)
					.isLessThan(previous);
			}
			else {
				assertThat(wall).as("wall of %d workers, past the %d that help", n, useful).isEqualTo(previous);
			}
			assertThat(row.get(9)).as("what binds %d workers' analysis", n)
				.isEqualTo(n < useful ? "worker CPU" : nightRow(result.stdout(), "full", "512").get(9));
			previous = wall;
			previousWorkers = n;
		}
		// past the limit, more workers only cost more
		assertThat(dollars(last(nightRow(result.stdout(), "full", "512"))))
			.isGreaterThan(dollars(last(nightRow(result.stdout(), "full", "256"))));
	}

	@Test
	void aHigherDynamoDbQuotaLetsMoreWorkersHelp() {
		NodeScript.Result quota = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night");
		NodeScript.Result raised = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--table-wcu", "400000", "--s3-prefixes", "100");

		assertThat(usefulWorkers(raised.stdout(), "A full night")).as(raised.describe())
			.isGreaterThan(usefulWorkers(quota.stdout(), "A full night"));
		assertThat(hours(nightRow(raised.stdout(), "full", "200").get(2)))
			.isLessThan(hours(nightRow(quota.stdout(), "full", "200").get(2)));
	}

	@Test
	void anIncrementalNightIsNoSlowerAndNoDearerThanAFullOne() {
		NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--night-workers", "5,10,50,200");

		for (String workers : List.of("5", "10", "50", "200")) {
			List<String> full = nightRow(result.stdout(), "full", workers);
			List<String> incremental = nightRow(result.stdout(), "incremental 2%", workers);
			assertThat(hours(incremental.get(2))).isLessThanOrEqualTo(hours(full.get(2)));
			assertThat(dollars(last(incremental))).isLessThanOrEqualTo(dollars(last(full)));
		}
	}

	@Test
	void aShareAboveOneIsRefused() {
		NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--changed-share", "2");

		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.stderr()).startsWith("cost-model: --changed-share and --busy-share are shares from 0 to 1.");
	}

	@Test
	void moreProjectionThreadsShortenTheProjectionUntilALimitBinds() {
		// one thread writes the job rows of one shard, one DynamoDB partition key, at a time
		NodeScript.Result one = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--projection-threads", "1");
		NodeScript.Result eight = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--projection-threads", "8");
		NodeScript.Result many = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--projection-threads", "64");

		assertThat(one.exitCode()).as(one.describe()).isZero();
		List<String> oneRow = nightRow(one.stdout(), "full", "50");
		List<String> eightRow = nightRow(eight.stdout(), "full", "50");
		List<String> manyRow = nightRow(many.stdout(), "full", "50");
		assertThat(oneRow.get(11)).isEqualTo("DynamoDB job rows partition keys WCU");
		assertThat(hours(eightRow.get(7))).isLessThan(hours(oneRow.get(7)) / 4);
		assertThat(hours(manyRow.get(7))).isLessThan(hours(eightRow.get(7)));
		assertThat(manyRow.get(11)).isNotEqualTo("DynamoDB job rows partition keys WCU");
		// past the useful threads, more change nothing
		int useful = usefulThreads(eight.stdout());
		NodeScript.Result atUseful = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--projection-threads", String.valueOf(useful));
		NodeScript.Result beyond = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--projection-threads", String.valueOf(useful * 4));
		assertThat(nightRow(beyond.stdout(), "full", "50").get(7))
			.isEqualTo(nightRow(atUseful.stdout(), "full", "50").get(7));
		assertThat(useful).isBetween(2, 256);
	}

	@Test
	void aLargerManagerAndMorePutsInFlightLetMoreProjectionThreadsHelp() {
		NodeScript.Result small = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night");
		NodeScript.Result large = NodeScript.run(NodeScript.REPOSITORY_ROOT, SCRIPT.toString(), "--night",
				"--manager-vcpus", "16", "--put-parallelism", "256", "--projection-threads", "64");

		assertThat(usefulThreads(large.stdout())).as(large.describe()).isGreaterThan(usefulThreads(small.stdout()));
		assertThat(hours(nightRow(large.stdout(), "full", "200").get(7)))
			.isLessThan(hours(nightRow(small.stdout(), "full", "200").get(7)));
		assertThat(large.stdout()).contains("bound by DynamoDB job rows table WCU");
	}

	private static int usefulThreads(String output) {
		String line = output.lines().filter(l -> l.startsWith("Most useful projection threads: ")).findFirst()
			.orElseThrow(() -> new AssertionError("No line on projection threads in:\n" + output));
		return Integer.parseInt(line.replaceFirst("Most useful projection threads: (\\d+) .*", "$1"));
	}

	private static List<String> nightRow(String output, String night, String workers) {
		return output.lines()
			.map(line -> Arrays.stream(line.split("\\|")).map(String::trim).toList())
			.filter(cells -> cells.size() > 10 && cells.get(0).equals(night) && cells.get(1).equals(workers))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + night + " row for " + workers + " workers in:\n" + output));
	}

	private static int usefulWorkers(String output, String night) {
		String line = output.lines().filter(l -> l.startsWith(night + ": adding workers helps up to ")).findFirst()
			.orElseThrow(() -> new AssertionError("No line on " + night + " in:\n" + output));
		return Integer.parseInt(line.replaceFirst(".*helps up to (\\d+);.*", "$1"));
	}

	/** "3.64 h" or "37.5 min", in hours. */
	private static double hours(String duration) {
		String[] parts = duration.split(" ");
		return Double.parseDouble(parts[0]) / (parts[1].equals("h") ? 1 : 60);
	}

	private static double dollars(String cell) {
		return Double.parseDouble(cell.replace("$", ""));
	}

	private static String last(List<String> cells) {
		return cells.get(cells.size() - 1);
	}

	private static Optional<List<String>> row(String output, String label) {
		return output.lines()
			.map(line -> Arrays.stream(line.split("\\|")).map(String::trim).toList())
			.filter(cells -> cells.size() > 2 && cells.get(0).equals(label))
			.findFirst();
	}

	private static double total(String output, String label) {
		List<String> cells = row(output, label).orElseThrow(() -> new AssertionError("No row " + label + " in:\n" + output));
		return Double.parseDouble(cells.get(cells.size() - 1).replace("$", ""));
	}
}
