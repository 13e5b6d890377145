package io.trawl.worker.yara;

import java.util.List;
import java.util.Map;

/** One rule that matched a sample. */
public record YaraMatch(String namespace, String rule, List<String> tags, Map<String, Object> meta) {
}
