package io.trawl.readmodel.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;

/**
 * The projection keeps the text of a stored document and adds its fields after it: the row is the document a
 * parse, the added fields and a second write would give, byte for byte, and odd documents are still read as trees.
 */
class ResultProjectionDocumentTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final Instant AT = Instant.parse("2026-12-05T02:00:00.123456Z");
	private static final String SHA = "a".repeat(64);

	@Test
	void givenAnAnalysisDocumentWhenProjectedThenItsTextIsKeptAndTheAddedFieldsFollow() {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("size", 6_291_456L);
		document.put("sha256", SHA);
		document.put("entropy", 7.999812345678901);
		document.put("ratio", 1.0E-7);
		document.put("mimeType", "application/x-msdownload");
		document.put("strings", List.of("héllo \"quoted\" \\ back", "\u0001\u001f ctl", "日本語", "</script>"));
		document.put("pe", Map.of("sections", List.of(Map.of("name", ".text", "entropy", 6.5)), "empty", Map.of()));
		document.put("yara", List.of("Eicar", "Packed"));
		document.put("errors", List.of(Map.of("analyzer", "strings", "message", "timed out after 120000 ms")));
		document.put("verdict", "malicious");
		String payload = JSON.writeValueAsString(document);

		ResultProjection.Projected projected = ResultProjection.view(List.of(
				event(EventKind.SOURCE, Map.of("location", "dir/b.exe", "size", 6_291_456L)),
				event(EventKind.SOURCE, Map.of("parent", "f".repeat(64), "path", "x/b.exe")),
				event(EventKind.ANALYSED, payload), event(EventKind.SOURCE, Map.of("location", "dir/a.exe"))));

		ObjectNode expected = (ObjectNode) JSON.readTree(payload);
		expected.putArray("sources").add("dir/a.exe").add("dir/b.exe").add("f".repeat(64) + "!/x/b.exe");
		expected.putArray("parents").addObject().put("sha256", "f".repeat(64)).put("path", "x/b.exe");
		expected.put("jobInstanceId", 7L).put("jobExecutionId", 9L).put("analysedAt", AT.toString());
		assertThat(projected.view().document()).startsWith(payload.substring(0, payload.length() - 1))
			.isEqualTo(JSON.writeValueAsString(expected));
		assertThat(projected.view().verdict()).isEqualTo("malicious");
		assertThat(projected.rules()).containsExactly("Eicar", "Packed");
		assertThat(projected.errors()).isTrue();
		assertThat(projected.sources()).hasSize(3);
	}

	@Test
	void givenADocumentWrittenHeadFirstWhenProjectedThenItsHeadDecidesAsAWholeReadWould() {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("size", 3L);
		document.put("strings", List.of("\"yara\":[\"Fake\"]", "\"verdict\":\"clean\""));
		document.put("pe", Map.of("yara", List.of("Nested"), "verdict", "nested"));
		document.put("provenance", Map.of("yara", 2L));
		document.put("yara", List.of("Eicar"));
		document.put("errors", List.of(Map.of("analyzer", "pe", "message", "truncated")));
		document.put("verdict", "malicious");
		Map<String, Object> ordered = ResultProjection.ordered(document);
		String headFirst = JSON.writeValueAsString(ordered);
		String asWritten = JSON.writeValueAsString(document);

		assertThat(ordered.keySet()).containsExactly("errors", "verdict", "yara", "size", "strings", "pe", "provenance");
		ResultProjection.Projected first = ResultProjection.view(List.of(event(EventKind.ANALYSED, headFirst)));
		ResultProjection.Projected whole = ResultProjection.view(List.of(event(EventKind.ANALYSED, asWritten)));
		assertThat(first.view().verdict()).isEqualTo(whole.view().verdict()).isEqualTo("malicious");
		assertThat(first.rules()).isEqualTo(whole.rules()).containsExactly("Eicar");
		assertThat(first.errors()).isEqualTo(whole.errors()).isTrue();
		assertThat(first.view().document()).startsWith(headFirst.substring(0, headFirst.length() - 1) + ",\"sources\":");
		// a field the projection adds, or no errors: not head first, so no reader stops early
		document.put("sources", List.of("x"));
		assertThat(ResultProjection.ordered(document).keySet()).startsWith("size").endsWith("provenance");
		document.remove("sources");
		document.remove("errors");
		assertThat(ResultProjection.ordered(document).keySet()).startsWith("size").endsWith("provenance");
	}

	@Test
	void givenDocumentsTheAnalysisDoesNotWriteWhenProjectedThenTheyAreReadAsTrees() {
		String named = "{\"sources\":[\"old\"],\"verdict\":\"clean\",\"yara\":[]}";
		String oddYara = "{\"yara\":{\"a\":\"Rule\"},\"errors\":{},\"verdict\":7}";
		String empty = "{}";

		assertThat(ResultProjection.view(List.of(event(EventKind.ANALYSED, named))).view().document())
			.isEqualTo("{\"sources\":[],\"verdict\":\"clean\",\"yara\":[],\"jobInstanceId\":7,\"jobExecutionId\":9,"
					+ "\"analysedAt\":\"" + AT + "\"}");
		ResultProjection.Projected odd = ResultProjection.view(List.of(event(EventKind.ANALYSED, oddYara)));
		assertThat(odd.rules()).containsExactly("Rule");
		assertThat(odd.errors()).isFalse();
		assertThat(odd.view().verdict()).isEqualTo("7");
		ResultProjection.Projected none = ResultProjection.view(List.of(event(EventKind.ANALYSED, empty)));
		assertThat(none.view().document()).startsWith("{\"sources\":[],\"jobInstanceId\":7,");
		assertThat(none.view().verdict()).isEqualTo("error");
		ResultProjection.Projected failed = ResultProjection
			.view(List.of(event(EventKind.FAILED, "{\"location\":\"dir/x\",\"verdict\":\"error\",\"errors\":[{}]}")));
		assertThat(failed.sources()).containsExactly("dir/x");
		assertThat(failed.errors()).isTrue();
	}

	private static ResultEvent event(EventKind kind, Object payload) {
		String json = payload instanceof String text ? text : JSON.writeValueAsString(payload);
		return new ResultEvent(kind + "-" + json.hashCode(), 7, 9, SHA, kind, AT, json);
	}
}
