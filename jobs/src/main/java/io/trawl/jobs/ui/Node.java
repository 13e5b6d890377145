package io.trawl.jobs.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * A part of a result document as a page shows it: a key, a value's text, or children. Long arrays (strings, imports)
 * are cut at {@value #MAX_ITEMS} items with a note of how many there are, so that a page stays small.
 */
record Node(String key, String text, List<Node> children) {

	static final int MAX_ITEMS = 200;

	static List<Node> of(JsonNode value) {
		List<Node> nodes = new ArrayList<>();
		if (value == null || value.isMissingNode() || value.isNull()) {
			return nodes;
		}
		if (value.isObject()) {
			for (Map.Entry<String, JsonNode> field : value.properties()) {
				nodes.add(node(field.getKey(), field.getValue()));
			}
		}
		else if (value.isArray()) {
			int i = 0;
			for (JsonNode item : value) {
				if (i == MAX_ITEMS) {
					nodes.add(new Node("", "… and " + (value.size() - MAX_ITEMS) + " more (see the JSONL export)",
							List.of()));
					break;
				}
				nodes.add(node("", item));
				i++;
			}
		}
		else {
			nodes.add(node("", value));
		}
		return nodes;
	}

	private static Node node(String key, JsonNode value) {
		if (value.isObject() || value.isArray()) {
			if (value.isArray() && value.valueStream().allMatch(JsonNode::isValueNode) && value.size() <= 20) {
				return new Node(key, String.join(", ", value.valueStream().map(JsonNode::asString).toList()),
						List.of());
			}
			return new Node(key, value.isArray() ? "(" + value.size() + ")" : "", of(value));
		}
		return new Node(key, value.isNull() ? "—" : value.asString(), List.of());
	}
}
