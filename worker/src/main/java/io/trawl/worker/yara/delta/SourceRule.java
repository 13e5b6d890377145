package io.trawl.worker.yara.delta;

import java.util.List;
import java.util.Set;

/**
 * One rule as written: where it is, its parts as source text, and what its condition refers to.
 * @param namespace the namespace Trawl compiles it in (its top-level file's path under the rules folder)
 * @param name the rule's identifier
 * @param modifiers {@code private} and/or {@code global}
 * @param tags the tags after the name
 * @param meta the text of the {@code meta:} section, or empty
 * @param strings the text of the {@code strings:} section, or empty
 * @param condition the text of the {@code condition:} section
 * @param text the whole rule, from its first modifier to its closing brace
 * @param normalised the rule's tokens joined by single spaces: comments and layout outside literals do not count
 * @param identifiers the bare identifiers in the condition (not after a dot): rules, externals, modules, loop names
 * @param wildcards the prefixes of rule sets such as {@code rule_*} in the condition
 * @param where {@code file:line} of the rule
 */
public record SourceRule(String namespace, String name, Set<String> modifiers, List<String> tags, String meta,
		String strings, String condition, String text, String normalised, Set<String> identifiers,
		Set<String> wildcards, String where) {

	/** {@code namespace:name}, the key of a rule in fingerprints and matches. */
	public String id() {
		return id(namespace, name);
	}

	public boolean isGlobal() {
		return modifiers.contains("global");
	}

	public boolean isPrivate() {
		return modifiers.contains("private");
	}

	static String id(String namespace, String name) {
		return namespace + ":" + name;
	}
}
