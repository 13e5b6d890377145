package io.trawl.jobs.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.SampleChange;

/**
 * {@code trawl diff BASE_JOB_ID JOB_ID [--format jsonl|table]}: the counts, then one line per new, gone or changed
 * sample, as they are read (from the local store or, with {@code TRAWL_URL}, a page of the service at a time).
 */
final class DiffCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Where the diff comes from: its counts, then its changes handed over in order until the action says stop. */
	interface Diff {
		DiffCounts counts();

		void changes(Predicate<SampleChange> action);
	}

	private DiffCommand() {
	}

	static long base(Arguments arguments) {
		return arguments.positionalLong(0, "diff needs a BASE_JOB_ID and a JOB_ID");
	}

	static long job(Arguments arguments) {
		return arguments.positionalLong(1, "diff needs a BASE_JOB_ID and a JOB_ID");
	}

	static int print(Diff diff, boolean table, OutputStream out) {
		DiffCounts counts = diff.counts(); // first: an unknown job is one sentence before any output
		PrintWriter writer = new PrintWriter(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
				1 << 16));
		if (table) {
			writer.printf("%d new, %d gone, %d changed, %d unchanged since job execution %d%n", counts.added(),
					counts.gone(), counts.changed(), counts.unchanged(), counts.base());
			writer.printf("%-8s %-16s %-10s %-10s %-30s %-30s %s%n", "CHANGE", "SHA256", "BEFORE", "VERDICT", "GAINED",
					"LOST", "LOCATION");
		}
		else {
			writer.println(JSON.writeValueAsString(counts));
		}
		Consumer<SampleChange> line = table ? change -> writer.printf("%-8s %-16.16s %-10s %-10s %-30.30s %-30.30s %s%n",
				change.change(), change.sha256() == null ? "(unreadable)" : change.sha256(), dash(change.verdictBefore()),
				dash(change.verdict()), joined(change.rulesGained()), joined(change.rulesLost()),
				change.locations().isEmpty() ? "" : change.locations().get(0))
				: change -> writer.println(JSON.writeValueAsString(change));
		diff.changes(change -> {
			line.accept(change);
			return true;
		});
		writer.flush();
		return 0;
	}

	private static String dash(String text) {
		return text == null ? "-" : text;
	}

	private static String joined(List<String> rules) {
		return rules.isEmpty() ? "-" : String.join(",", rules);
	}
}
