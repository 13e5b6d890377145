package io.trawl.jobs.rescan;

import java.util.List;
import java.util.Map;

/**
 * One content's result document, computed now or reused from the base job, with its archive members' results:
 * what becomes its ANALYSED event and its members' SOURCE and ANALYSED events.
 */
record Analysed(String sha256, Map<String, Object> document, List<Member> members) {

	record Member(String path, Analysed result) {
	}
}
