// Session 11 (issue 14): CPU per reused result of the patch (stream the stored head, splice the ruleset version and
// provenance) against the rebuild it replaced (head, parse, copy, write), on real result documents, one thread, warm,
// the two interleaved. Not part of the build. Run against a built app (package-private API, so same package):
//   A=jobs/target/trawl-app; CP="$A/trawl.jar:$A/lib/*"; mkdir -p /tmp/pm/io/trawl/jobs/rescan
//   cp bench/lib/PatchMicro.java /tmp/pm/io/trawl/jobs/rescan/ && javac -cp "$CP" -d /tmp/pm/out /tmp/pm/io/trawl/jobs/rescan/PatchMicro.java
//   java -cp "/tmp/pm/out:$CP" io.trawl.jobs.rescan.PatchMicro RESULTS.jsonl   (./trawl results --job N --format jsonl)
package io.trawl.jobs.rescan;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** Per reused result: the patch (stream the head, splice two values) against the rebuild it replaces. */
public class PatchMicro {
	static final JsonMapper JSON = JsonMapper.builder().build();

	public static void main(String[] args) throws Exception {
		List<String> payloads = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of(args[0]))) {
			@SuppressWarnings("unchecked")
			Map<String, Object> d = JSON.readValue(line, LinkedHashMap.class);
			d.remove("analysedAt");
			d.put("errors", List.of());
			d.put("depth", 0);
			d.put("provenance", Map.of("hashes", 3, "yara", 3));
			payloads.add(JSON.writeValueAsString(d));
		}
		var bean = ManagementFactory.getThreadMXBean();
		long sink = 0;
		List<Double> a = new ArrayList<>(), b = new ArrayList<>();
		for (int round = 0; round < 16; round++) {
			for (int variant = 0; variant < 2; variant++) {
				long t0 = bean.getCurrentThreadCpuTime();
				for (int rep = 0; rep < 5; rep++) {
					for (String p : payloads) {
						sink += variant == 0 ? patch(p).length() : rebuild(p).length();
					}
				}
				double us = (bean.getCurrentThreadCpuTime() - t0) / 1e3 / (5.0 * payloads.size());
				if (round >= 6) {
					(variant == 0 ? a : b).add(us);
				}
			}
		}
		a.sort(null);
		b.sort(null);
		System.out.printf("results %d, mean payload %d chars%n", payloads.size(),
				payloads.stream().mapToInt(String::length).sum() / payloads.size());
		System.out.printf("patch   median %.1f us CPU a result (%s)%n", a.get(a.size() / 2), a);
		System.out.printf("rebuild median %.1f us CPU a result (%s)%n", b.get(b.size() / 2), b);
		System.out.println(sink == 42 ? "" : "ok");
	}

	static String patch(String payload) {
		Incremental.Stored s = Incremental.stored(payload);
		int[] v = s.spans().get("rulesetVersion");
		int[] p = s.spans().get("provenance");
		Map<String, Object> prov = new LinkedHashMap<>((Map<String, Object>) s.head().get("provenance"));
		prov.put("yara", 99L);
		String nv = JSON.writeValueAsString("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
		String np = JSON.writeValueAsString(prov);
		return v[0] < p[0] ? payload.substring(0, v[0]) + nv + payload.substring(v[1], p[0]) + np + payload.substring(p[1])
				: payload.substring(0, p[0]) + np + payload.substring(p[1], v[0]) + nv + payload.substring(v[1]);
	}

	@SuppressWarnings("unchecked")
	static String rebuild(String payload) {
		Incremental.stored(payload); // the head the old path read first, to find it could not copy
		Map<String, Object> d = new LinkedHashMap<>(JSON.readValue(payload, LinkedHashMap.class));
		d.put("depth", 0);
		d.put("rulesetVersion", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
		Map<String, Object> prov = new LinkedHashMap<>((Map<String, Object>) d.get("provenance"));
		prov.put("yara", 99L);
		d.put("provenance", prov);
		return JSON.writeValueAsString(d);
	}
}
