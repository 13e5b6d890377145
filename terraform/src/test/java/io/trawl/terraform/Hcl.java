package io.trawl.terraform;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading the JSON form of HCL: blocks are arrays of objects, expressions are strings in "${...}". */
final class Hcl {

	private Hcl() {
	}

	/** A scalar's text (strings, numbers, booleans), or null for missing values and containers. */
	static String text(JsonNode value) {
		if (value == null || value.isMissingNode() || value.isNull() || value.isContainer()) {
			return null;
		}
		return value.isString() ? value.stringValue() : value.toString();
	}

	/** true, "true" or "${true}". */
	static boolean isTrue(JsonNode value) {
		String text = text(value);
		return "true".equals(text) || "${true}".equals(text);
	}

	/** A list attribute's items as text; a single value counts as a list of one. */
	static List<String> texts(JsonNode value) {
		List<String> texts = new ArrayList<>();
		if (value == null || value.isMissingNode() || value.isNull()) {
			return texts;
		}
		if (value.isArray()) {
			value.forEach(item -> {
				String text = text(item);
				if (text != null) {
					texts.add(text);
				}
			});
		}
		else if (text(value) != null) {
			texts.add(text(value));
		}
		return texts;
	}

	/** Nested blocks along a path of block names, including the content of dynamic blocks of that name. */
	static List<ObjectNode> nested(ObjectNode body, String... path) {
		List<ObjectNode> level = List.of(body);
		for (String name : path) {
			List<ObjectNode> next = new ArrayList<>();
			for (ObjectNode parent : level) {
				parent.path(name).forEach(child -> addObject(next, child));
				parent.path("dynamic").path(name).forEach(dynamic -> dynamic.path("content").forEach(c -> addObject(next, c)));
			}
			level = next;
		}
		return level;
	}

	/** Every string anywhere inside a value. */
	static Stream<String> strings(JsonNode value) {
		if (value == null) {
			return Stream.empty();
		}
		if (value.isString()) {
			return Stream.of(value.stringValue());
		}
		if (value.isContainer()) {
			List<JsonNode> children = new ArrayList<>(value.values());
			return children.stream().flatMap(Hcl::strings);
		}
		return Stream.empty();
	}

	private static void addObject(List<ObjectNode> into, JsonNode node) {
		if (node instanceof ObjectNode object) {
			into.add(object);
		}
	}
}
