package io.trawl.readmodel.query;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;

/**
 * CPU per document of the projection's merge ({@link ResultProjection#view}) against what it did before issue 13's
 * cut (parse the whole stored document into a tree, add the fields, write the tree again), over the documents of a
 * real rescan. Not a test; run it by hand:
 *
 * <pre>
 * ./trawl results --job 1 --format jsonl &gt; /tmp/results.jsonl
 * ./mvnw -q -pl readmodel test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp readmodel/target/classes:readmodel/target/test-classes:$(cat readmodel/target/cp.txt) \
 *     io.trawl.readmodel.query.ProjectionDocumentBench /tmp/results.jsonl [passes=10]
 * </pre>
 * The projection's own fields are taken off each line first, which gives back the document the analysis stored.
 */
public final class ProjectionDocumentBench {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProjectionDocumentBench() {
	}

	public static void main(String[] args) throws Exception {
		int passes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
		List<List<ResultEvent>> samples = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of(args[0]))) {
			ObjectNode document = (ObjectNode) JSON.readTree(line);
			document.remove(List.of("sources", "parents", "jobInstanceId", "jobExecutionId", "analysedAt"));
			String key = document.path("sha256").asString("x");
			Instant at = Instant.now();
			samples.add(List.of(
					new ResultEvent("s" + key, 1, 1, key, EventKind.SOURCE, at,
							JSON.writeValueAsString(Map.of("location", key, "size", 1))),
					new ResultEvent("a" + key, 1, 1, key, EventKind.ANALYSED, at, JSON.writeValueAsString(document))));
		}
		ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
		for (int pass = 0; pass < passes; pass++) {
			long start = cpu.getCurrentThreadCpuTime();
			long chars = 0;
			for (List<ResultEvent> events : samples) {
				chars += ResultProjection.view(events).view().document().length();
			}
			long merged = cpu.getCurrentThreadCpuTime();
			for (List<ResultEvent> events : samples) {
				chars -= treeMerge(events.get(1)).length();
			}
			long tree = cpu.getCurrentThreadCpuTime();
			System.out.printf(Locale.ROOT, "pass %d: %d documents, appended %.1f µs, tree %.1f µs a document (%s)%n",
					pass, samples.size(), (merged - start) / 1e3 / samples.size(), (tree - merged) / 1e3 / samples.size(),
					chars == 0 ? "same lengths" : "lengths differ by " + chars);
		}
	}

	/** The merge before the cut, for the figures: the whole document parsed, the fields added, the tree written. */
	private static String treeMerge(ResultEvent result) {
		ObjectNode document = (ObjectNode) JSON.readTree(result.payload());
		document.putArray("sources").add(result.sampleKey());
		document.put("jobInstanceId", result.jobInstanceId());
		document.put("jobExecutionId", result.jobExecutionId());
		document.put("analysedAt", result.recordedAt().toString());
		return JSON.writeValueAsString(document);
	}
}
