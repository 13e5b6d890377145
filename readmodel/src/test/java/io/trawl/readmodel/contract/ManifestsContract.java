package io.trawl.readmodel.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.manifest.Manifests.Basis;
import io.trawl.readmodel.manifest.Manifests.Entry;

/** What every {@link Manifests} adapter must do. Subclasses supply a fresh adapter. */
public abstract class ManifestsContract {

	protected Manifests manifests;
	protected long job;

	protected abstract Manifests newManifests() throws Exception;

	@BeforeEach
	void givenFreshManifestsAndJob() throws Exception {
		manifests = newManifests();
		job = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2); // isolates tests sharing a database
	}

	@Test
	void aRangeStreamsItsEntriesInStringOrderAcrossManyPages() {
		List<Entry> entries = IntStream.range(0, 2_345)
			.mapToObj(i -> new Entry("dir/" + Integer.toString(i * 7919 % 2_345, 36) + ".bin", "id" + i, sha(i)))
			.toList();
		for (int from = 0; from < entries.size(); from += 400) {
			manifests.put(job, entries.subList(from, Math.min(entries.size(), from + 400)));
		}

		List<String> all = locations(manifests.range(job, null, null));

		assertThat(all).hasSize(entries.size())
			.isSortedAccordingTo(String::compareTo)
			.containsExactlyInAnyOrderElementsOf(entries.stream().map(Entry::location).toList());
	}

	@Test
	void aRangeStartsAfterItsFirstBoundAndEndsWithItsLast() {
		manifests.put(job, Stream.of("a", "b", "b/c", "c", "d").map(l -> new Entry(l, "i", sha(1))).toList());
		manifests.put(job + 1, List.of(new Entry("b/c", "i", sha(1))));

		assertThat(locations(manifests.range(job, "b", "c"))).containsExactly("b/c", "c");
		assertThat(locations(manifests.range(job, null, "b"))).containsExactly("a", "b");
		assertThat(locations(manifests.range(job, "c", null))).containsExactly("d");
	}

	@Test
	void locationsCompareAsJavaStringsDoNotByLocale() {
		List<String> names = List.of("B.bin", "a.bin", "_x", "Z", "é.bin", "e.bin", "a b", "a-b", "ab", "日本");
		manifests.put(job, names.stream().map(l -> new Entry(l, "i", sha(2))).toList());

		assertThat(locations(manifests.range(job, null, null))).isSortedAccordingTo(String::compareTo)
			.hasSize(names.size());
	}

	@Test
	void aRewrittenEntryReplacesTheOldOneAndAnUnreadLocationHasNoSha256() {
		manifests.put(job, List.of(new Entry("a", "old", sha(1)), new Entry("b", "x", sha(2))));

		manifests.put(job, List.of(new Entry("a", "new", null)));

		assertThat(manifests.range(job, null, null).toList()).containsExactly(new Entry("a", "new", null),
				new Entry("b", "x", sha(2)));
	}

	@Test
	void aRulesetIsUnknownUntilStoredAndStoringItTwiceIsHarmless() {
		String version = UUID.randomUUID().toString();
		Map<String, String> fingerprints = Map.of("ns:One", sha(1), "ns:Two", sha(2));

		assertThat(manifests.ruleset(version)).isEmpty();
		manifests.putRuleset(version, fingerprints);
		manifests.putRuleset(version, fingerprints);

		assertThat(manifests.ruleset(version)).contains(fingerprints);
	}

	@Test
	void theBasisKeepsTheLaterJob() {
		String source = "/srv/" + UUID.randomUUID();
		assertThat(manifests.basis(source)).isEmpty();

		manifests.putBasis(new Basis(source, job + 5, "v5", "s"));
		manifests.putBasis(new Basis(source, job + 3, "v3", "s"));
		assertThat(manifests.basis(source)).contains(new Basis(source, job + 5, "v5", "s"));

		manifests.putBasis(new Basis(source, job + 9, "v9", "t"));
		assertThat(manifests.basis(source)).contains(new Basis(source, job + 9, "v9", "t"));
	}

	/** Names a user's folder or bucket may hold: unicode, separators, spaces, quotes, path tricks. */
	public static final List<String> HOSTILE_LOCATIONS = List.of("a", "a b", "a/b", "a/b/c", "a b/c", "a\tb", "a\nb",
			"a.b", "a-b", "a_b", "A", "Z", "~", " ", " leading", "trailing ", "dir/", "dir//x", "é.bin", "e\u0301.bin",
			"日本/語", "\uD7FF", "x\u0080", "x\u07FF", "x\u0800", "%2F..%2F", "../../etc/passwd", "C:\\Windows\\x",
			"'quoted'", "\"double\"", "semi;colon", "#hash", "!bang", "$dollar");

	/**
	 * Where Java's order (UTF-16 code units) and code point order (UTF-8 bytes, S3's listing, PostgreSQL's "C"
	 * collation) disagree: a supplementary character (a surrogate pair) sorts before U+E000..U+FFFF in Java.
	 */
	public static final List<String> ABOVE_D800 = List.of("\uD83D\uDE00.exe", "\uD83D\uDE00\uD83D\uDE01",
			"\uFF01bang", "\uE000private", "\uFFFD", "\uD7FF", "x\uD83D\uDE00", "x\uFFFF", "x\uE000", "x");

	@Test
	void hostileLocationsComeBackExactlyInJavaStringOrderAndBoundsCutThemAsJavaComparesThem() {
		assertOrderAndBounds(HOSTILE_LOCATIONS, List.of("a", "a b", "日", "x\u0800", "\"", " "),
				List.of("a b", "a/b", "x\u07FF", "zzz", "~"));
	}

	/**
	 * Where an adapter sorts as Java does beyond the basic plane; false where it sorts by code point, as PostgreSQL's
	 * "C" collation does. Then a listing (Java's order) and the manifest disagree on such names, and the merge-join
	 * loses their reuse (they are analysed again), never their results.
	 */
	protected boolean sortsSupplementaryCharactersAsJava() {
		return true;
	}

	@Test
	void supplementaryCharactersSortAsTheAdapterSays() {
		assertOrderAndBounds(ABOVE_D800, List.of("\uD83D\uDE00.exe", "\uE000private", "x", "x\uD83D\uDE00"),
				List.of("x\uE000", "\uFF01bang", "\uFFFF", "x\uD83D\uDE01"),
				sortsSupplementaryCharactersAsJava() ? Comparator.naturalOrder() : ManifestsContract::byCodePoint);
	}

	private static int byCodePoint(String a, String b) {
		return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
	}

	private void assertOrderAndBounds(List<String> locations, List<String> afters, List<String> lasts) {
		assertOrderAndBounds(locations, afters, lasts, Comparator.naturalOrder());
	}

	private void assertOrderAndBounds(List<String> locations, List<String> afters, List<String> lasts,
			Comparator<String> order) {
		manifests.put(job, locations.stream().map(l -> new Entry(l, "i", sha(3))).toList());
		List<String> sorted = locations.stream().sorted(order).toList();

		assertThat(locations(manifests.range(job, null, null))).containsExactlyElementsOf(sorted);
		for (String after : afters) {
			for (String last : lasts) {
				List<String> expected = sorted.stream()
					.filter(l -> order.compare(l, after) > 0 && order.compare(l, last) <= 0)
					.toList();
				assertThat(locations(manifests.range(job, after, last))).as("(%s, %s]", after, last)
					.containsExactlyElementsOf(expected);
			}
		}
	}

	@Test
	void anEmptyOrInvertedRangeHasNoEntries() {
		manifests.put(job, Stream.of("a", "b", "c").map(l -> new Entry(l, "i", sha(1))).toList());

		assertThat(locations(manifests.range(job, "b", "b"))).isEmpty();
		assertThat(locations(manifests.range(job, "c", "a"))).isEmpty();
		assertThat(locations(manifests.range(job + 7, null, null))).isEmpty();
	}

	@Test
	void longLocationsThatShareLongPrefixesKeepTheirOrder() {
		List<String> locations = new ArrayList<>();
		String folder = "deep/" + "d".repeat(120) + "/";
		for (int depth = 1; depth <= 7; depth++) {
			String path = folder.repeat(depth);
			for (String name : List.of("a", "b", "\u00e9", "\u0800", "x".repeat(1000 - path.length()))) {
				String location = path + name;
				if (location.length() <= LONGEST_STORED_LOCATION) {
					locations.add(location);
				}
			}
		}
		manifests.put(job, locations.stream().map(l -> new Entry(l, "i", sha(l.length()))).toList());

		assertThat(manifests.range(job, null, null).toList())
			.containsExactlyElementsOf(locations.stream().sorted().map(l -> new Entry(l, "i", sha(l.length()))).toList());
		String middle = locations.stream().sorted().toList().get(locations.size() / 2);
		assertThat(locations(manifests.range(job, middle, null))).hasSize(locations.size() - locations.size() / 2 - 1);
	}

	@Test
	void manyThousandsOfEntriesPutInChunksComeBackInOrderAndSplitIntoRangesExactly() {
		List<String> locations = IntStream.range(0, 12_000)
			.mapToObj(i -> "s/" + Integer.toString(i * 7919 % 12_000, 16) + (i % 3 == 0 ? "/\u00e9" : ".bin"))
			.toList();
		for (int from = 0; from < locations.size(); from += 500) {
			manifests.put(job, locations.subList(from, Math.min(locations.size(), from + 500)).stream()
				.map(l -> new Entry(l, "size=" + l.length(), sha(l.hashCode())))
				.toList());
		}
		List<String> sorted = locations.stream().sorted().toList();

		assertThat(locations(manifests.range(job, null, null))).containsExactlyElementsOf(sorted);
		List<String> joined = new ArrayList<>();
		String after = null;
		for (int end = 997; after == null || !after.equals(sorted.get(sorted.size() - 1)); end = Math.min(sorted.size(), end + 997)) {
			String last = sorted.get(end - 1);
			joined.addAll(locations(manifests.range(job, after, last)));
			after = last;
		}
		assertThat(joined).as("partition ranges put back together").containsExactlyElementsOf(sorted);
	}

	/**
	 * An entry put after the first one was read still comes back at its place: an adapter that fetched the whole job
	 * when the stream opened could not return it.
	 */
	@Test
	void aRangeOfALargeJobIsReadPageByPageNotAllAtOnce() {
		putLargeJob();

		try (Stream<Entry> range = manifests.range(job, null, null)) {
			Iterator<Entry> entries = range.iterator();
			assertThat(entries.next().location()).isEqualTo(largeJobLocation(0));
			manifests.put(job, List.of(new Entry("~written-while-reading", "i", sha(7))));
			Entry lastSeen = null;
			int count = 1;
			while (entries.hasNext()) {
				lastSeen = entries.next();
				count++;
			}
			assertThat(count).isEqualTo(LARGE_JOB + 1);
			assertThat(lastSeen.location()).isEqualTo("~written-while-reading");
		}
	}

	protected static final int LARGE_JOB = 100_000;

	/** The large job: {@link #LARGE_JOB} entries put in chunks of 1,000, as a rescan's writer would. */
	protected void putLargeJob() {
		List<Entry> chunk = new ArrayList<>(1_000);
		for (int i = 0; i < LARGE_JOB; i++) {
			chunk.add(new Entry(largeJobLocation(i), "size=" + i, sha(i)));
			if (chunk.size() == 1_000) {
				manifests.put(job, chunk);
				chunk.clear();
			}
		}
	}

	protected static String largeJobLocation(int i) {
		return String.format("corpus/%02x/%08d.bin", i % 256, i);
	}

	@Test
	void aRulesetOfTwentyThousandRulesComesBackWhole() {
		String version = UUID.randomUUID().toString();
		Map<String, String> fingerprints = new TreeMap<>();
		for (int i = 0; i < 20_000; i++) {
			fingerprints.put("rules/family_" + (i % 97) + ".yar:Rule_" + i + "_" + "n".repeat(i % 40), sha(i * 31 + 7));
		}

		manifests.putRuleset(version, fingerprints);

		assertThat(manifests.ruleset(version)).contains(fingerprints);
	}

	@Test
	void anEmptyRulesetIsKnownOnceStored() {
		String version = UUID.randomUUID().toString();

		manifests.putRuleset(version, Map.of());

		assertThat(manifests.ruleset(version)).contains(Map.of());
	}

	@Test
	void theBasisOfEachSourceIsItsOwn() {
		String one = "s3://bucket/" + UUID.randomUUID();
		String other = one + "/more";

		manifests.putBasis(new Basis(one, job + 2, "v2", "s"));
		manifests.putBasis(new Basis(other, job + 1, "v1", "s"));
		manifests.putBasis(new Basis(one, job + 2, "v2", "s"));

		assertThat(manifests.basis(one)).contains(new Basis(one, job + 2, "v2", "s"));
		assertThat(manifests.basis(other)).contains(new Basis(other, job + 1, "v1", "s"));
	}

	/** Every adapter stores locations of up to 1,000 characters; longer ones an adapter may leave out. */
	protected static final int LONGEST_STORED_LOCATION = 1_000;

	private static List<String> locations(Stream<Entry> range) {
		try (range) {
			return range.map(Entry::location).toList();
		}
	}

	private static String sha(int i) {
		return String.format("%064x", i);
	}
}
