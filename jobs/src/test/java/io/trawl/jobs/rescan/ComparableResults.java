package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;

/**
 * A job's stored results made comparable with another job's over the same state, for the exactness tests of
 * incremental rescans. A content met both as a file of the source and as an archive member has one result per job,
 * written by whichever occurrence got there first: its {@code depth} is 0 or 1 in a full rescan as well, with
 * partitions racing (see {@code Incremental.sameAtDepth}). For those contents alone the depth is left out; every
 * other field, and the depth of every other content, is compared.
 */
public final class ComparableResults {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ComparableResults() {
	}

	/**
	 * Every stored result of a job, by kind and key, without what may differ between two jobs over the same state:
	 * ids, times and provenance (and the depth above).
	 */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> of(EventStore events, long job) {
		Map<String, Object> results = new TreeMap<>();
		events.forEach(job, event -> {
			if (Set.of(EventKind.ANALYSED, EventKind.FAILED, EventKind.SOURCE).contains(event.kind())) {
				Map<String, Object> document = JSON.readValue(event.payload(), Map.class);
				document.remove("provenance");
				results.put(event.kind() + " " + event.sampleKey()
						+ (event.kind() == EventKind.SOURCE ? " " + event.payload() : ""), document);
			}
		});
		return withoutDepthOfContentsAtSeveralDepths(results);
	}

	/**
	 * Removes {@code depth} from the ANALYSED documents of contents that are both at a source location (a SOURCE
	 * event) and a member of an archive in the same results.
	 * @param results documents by {@code "<KIND> <sampleKey>[ <SOURCE payload>]"}, as the tests key them
	 * @return the same map, for chaining
	 */
	public static Map<String, Object> withoutDepthOfContentsAtSeveralDepths(Map<String, Object> results) {
		Set<String> atLocations = new HashSet<>();
		Set<String> members = new HashSet<>();
		results.forEach((key, document) -> {
			String[] kindAndKey = key.split(" ", 3);
			if (kindAndKey[0].equals("SOURCE")) {
				atLocations.add(kindAndKey[1]);
			}
			if (document instanceof Map<?, ?> map && map.get("children") instanceof List<?> children) {
				for (Object child : children) {
					if (child instanceof Map<?, ?> member && member.get("sha256") instanceof String sha256) {
						members.add(sha256);
					}
				}
			}
		});
		atLocations.retainAll(members);
		for (String sha256 : atLocations) {
			if (results.get("ANALYSED " + sha256) instanceof Map<?, ?> document) {
				document.remove("depth");
			}
		}
		return results;
	}
	/** The ANALYSED document, as stored, of the content a job read at {@code location} (its one SOURCE event's). */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> document(EventStore events, long job, String location) {
		List<String> sha256 = new ArrayList<>();
		events.forEach(job, event -> {
			if (event.kind() == EventKind.SOURCE
					&& location.equals(JSON.readValue(event.payload(), Map.class).get("location"))) {
				sha256.add(event.sampleKey());
			}
		});
		assertThat(sha256).as("the SOURCE events for %s", location).hasSize(1);
		return JSON.readValue(events.find(job, sha256.get(0), EventKind.ANALYSED).get(0).payload(),
				LinkedHashMap.class);
	}

	/** The job a result document names in {@code provenance} as the one that computed {@code analyzer}'s output. */
	public static long provenance(Map<String, Object> document, String analyzer) {
		assertThat(document.get("provenance")).as("provenance of %s", document.get("sha256")).isInstanceOf(Map.class);
		assertThat(((Map<?, ?>) document.get("provenance")).get(analyzer)).as("provenance of %s's %s",
				document.get("sha256"), analyzer).isInstanceOf(Number.class);
		return ((Number) ((Map<?, ?>) document.get("provenance")).get(analyzer)).longValue();
	}
}
