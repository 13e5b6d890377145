package io.trawl.jobs.web;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.query.SampleView;

/**
 * A job's results as RFC 4180 CSV with a fixed header. A cell that a spreadsheet would read as a formula (starting
 * with {@code = + - @}, a tab or a carriage return) gets a leading apostrophe, since file names and rule names come
 * from whoever supplied the samples.
 */
public final class ResultsCsv {

	static final List<String> HEADER = List.of("sample_key", "sha256", "verdict", "size", "mime_type", "entropy",
			"yara", "sources", "location", "analysed_at");
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ResultsCsv() {
	}

	public static void header(Writer out) throws IOException {
		row(out, HEADER);
	}

	public static void write(Writer out, SampleView view) throws IOException {
		JsonNode doc = JSON.readTree(view.document());
		row(out, List.of(view.sampleKey(), view.sha256() == null ? "" : view.sha256(), view.verdict(),
				doc.path("size").isNumber() ? doc.path("size").asString() : "", doc.path("mimeType").asString(""),
				doc.path("entropy").isNumber() ? doc.path("entropy").asString() : "", joined(doc.path("yara")),
				joined(doc.path("sources")), doc.path("location").asString(""), String.valueOf(view.analysedAt())));
	}

	private static String joined(JsonNode array) {
		return array.valueStream()
			.map(v -> v.isString() ? v.asString() : v.toString())
			.collect(Collectors.joining(";"));
	}

	static void row(Writer out, List<String> cells) throws IOException {
		for (int i = 0; i < cells.size(); i++) {
			if (i > 0) {
				out.write(',');
			}
			out.write(cell(cells.get(i)));
		}
		out.write("\r\n");
	}

	static String cell(String value) {
		String text = value == null ? "" : value;
		if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
			text = "'" + text;
		}
		if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
			return '"' + text.replace("\"", "\"\"") + '"';
		}
		return text;
	}
}
