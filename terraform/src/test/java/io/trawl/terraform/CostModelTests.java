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
