package io.trawl.readmodel.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/** What every {@link EventStore} adapter must do. Subclasses supply a fresh store. */
public abstract class EventStoreContract {

	protected EventStore store;
	protected long job;

	protected abstract EventStore newStore() throws Exception;

	@BeforeEach
	void givenAFreshStoreAndJob() throws Exception {
		store = newStore();
		job = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2); // isolates tests sharing a database
	}

	@Test
	void slicesSplitAJobWithoutSplittingASample() {
		// given a job spread over every shard: samples with two events each, unreadable ones and attempt markers
		List<ResultEvent> events = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			events.add(analysed(job, sha("slice-" + i)));
			events.add(source(job, sha("slice-" + i), "s/" + i));
		}
		for (int i = 0; i < 3; i++) {
			String locked = ResultEvent.locationKey("s/locked-" + i);
			events.add(attempt(job, locked, "8.2.1", false));
			events.add(failed(job, locked));
		}
		store.append(events);
		List<ResultEvent> whole = read(job);

		for (int slices : List.of(1, 3, 8)) {
			// when it is read in slices
			List<List<ResultEvent>> read = new ArrayList<>();
			for (int slice = 0; slice < slices; slice++) {
				List<ResultEvent> part = new ArrayList<>();
				store.forEachSlice(job, slice, slices, part::add);
				read.add(part);
			}

			// then the slices hold every event once, each in the whole read's order, and a sample in one slice only
			assertThat(read.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(whole);
			java.util.Map<String, Integer> sliceOfSample = new java.util.HashMap<>();
			for (int slice = 0; slice < slices; slice++) {
				List<ResultEvent> part = read.get(slice);
				assertThat(part).isEqualTo(whole.stream().filter(part::contains).toList());
				int s = slice;
				part.forEach(e -> assertThat(sliceOfSample.merge(e.sampleKey(), s, (a, b) -> a.equals(b) ? a : -1))
					.as("the slices of %s", e.sampleKey()).isEqualTo(s));
			}
			assertThat(read).as("%d slices of 123 samples", slices).allSatisfy(part -> assertThat(part).isNotEmpty());
		}
		assertThatThrownBy(() -> store.forEachSlice(job, 3, 3, e -> {
		})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice 3 of 3");
		assertThatThrownBy(() -> store.forEachSlice(job, 0, 257, e -> {
		})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 256 slices");
	}

	@Test
	void appendStoresEachEventOnce() {
		List<ResultEvent> events = List.of(analysed(job, sha("a")), source(job, sha("a"), "one/a.bin"),
				source(job, sha("a"), "two/a.bin"));

		int first = store.append(events);
		int again = store.append(events);

		assertThat(first).isEqualTo(3);
		assertThat(again).isZero();
		assertThat(store.count(job, EventKind.ANALYSED)).isEqualTo(1);
		assertThat(store.count(job, EventKind.SOURCE)).isEqualTo(2);
	}

	@Test
	void aBatchMixingNewAndStoredEventsStoresOnlyTheNewOnes() {
		store.append(List.of(analysed(job, sha("a"))));

		int stored = store.append(List.of(analysed(job, sha("a")), analysed(job, sha("b"))));

		assertThat(stored).isEqualTo(1);
		assertThat(store.count(job, EventKind.ANALYSED)).isEqualTo(2);
	}

	/** A chunk that meets one content at two locations, beside one stored before and new ones, in any order. */
	@Test
	void aBatchHoldingAnEventTwiceStoresItOnce() {
		store.append(List.of(analysed(job, sha("a"))));

		int stored = store.append(List.of(analysed(job, sha("c")), analysed(job, sha("a")), analysed(job, sha("b")),
				analysed(job, sha("c"))));

		assertThat(stored).isEqualTo(2);
		assertThat(store.count(job, EventKind.ANALYSED)).isEqualTo(3);
	}

	@Test
	void theFirstVersionOfAnEventWins() {
		ResultEvent original = analysed(job, sha("a"));
		ResultEvent retried = new ResultEvent(original.eventId(), job, original.jobExecutionId() + 1, sha("a"),
				EventKind.ANALYSED, Instant.now(), "{\"retry\":true}");
		store.append(List.of(original));
		store.append(List.of(retried));

		List<ResultEvent> read = read(job);

		assertThat(read).hasSize(1);
		assertThat(read.get(0).payload()).isEqualTo(original.payload());
		assertThat(read.get(0).jobExecutionId()).isEqualTo(original.jobExecutionId());
	}

	@Test
	void eventsOfAJobComeBackGroupedBySampleInKeyOrder() {
		List<ResultEvent> events = new ArrayList<>();
		for (String name : List.of("c", "a", "b")) {
			events.add(source(job, sha(name), name + ".bin"));
			events.add(analysed(job, sha(name)));
		}
		store.append(events);
		store.append(List.of(analysed(job + 1, sha("z"))));

		List<ResultEvent> read = read(job);

		assertThat(read).hasSize(6).allMatch(e -> e.jobInstanceId() == job);
		assertThat(read.stream().map(ResultEvent::sampleKey).toList()).isSorted();
		assertThat(read.get(0).kind()).isEqualTo(EventKind.ANALYSED);
		assertThat(read.get(1).kind()).isEqualTo(EventKind.SOURCE);
		assertThat(read.get(0).payload()).isEqualTo(analysed(job, read.get(0).sampleKey()).payload());
	}

	@Test
	void concurrentAppendsOfTheSameEventsStoreEachOnce() throws Exception {
		List<ResultEvent> events = IntStream.range(0, 200).mapToObj(i -> analysed(job, sha("s" + i))).toList();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<Integer>> results = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				results.add(pool.submit(() -> store.append(events)));
			}
			int total = 0;
			for (Future<Integer> result : results) {
				total += result.get(60, TimeUnit.SECONDS);
			}
			assertThat(total).isEqualTo(200);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(store.count(job, EventKind.ANALYSED)).isEqualTo(200);
	}

	@Test
	void largePayloadsSurviveIntact() {
		String big = "{\"strings\":\"" + "x".repeat(300_000) + "\"}";
		ResultEvent event = new ResultEvent(ResultEvent.analysedId(job, sha("big")), job, 7, sha("big"),
				EventKind.ANALYSED, Instant.parse("2026-11-25T01:02:03Z"), big);

		store.append(List.of(event));

		assertThat(read(job)).singleElement().satisfies(e -> {
			assertThat(e.payload()).isEqualTo(big);
			assertThat(e.recordedAt()).isEqualTo(Instant.parse("2026-11-25T01:02:03Z"));
		});
	}

	@Test
	void findReturnsOneSampleKeysEventsOfOneKindInIdOrder() {
		String location = ResultEvent.locationKey("d/poison.bin");
		String other = ResultEvent.locationKey("d/other.bin");
		store.append(List.of(attempt(job, location, "9.2.1", true), attempt(job, location, "8.2.1", false),
				attempt(job, location, "9.2.1", false), attempt(job, other, "8.2.1", false),
				attempt(job + 1, location, "8.2.1", false), failed(job, location), analysed(job, sha("a")),
				source(job, sha("a"), "a.bin")));

		List<ResultEvent> found = store.find(job, location, EventKind.ATTEMPT);

		assertThat(found).extracting(ResultEvent::eventId)
			.containsExactly(ResultEvent.attemptId(job, location, "8.2.1", false),
					ResultEvent.attemptId(job, location, "9.2.1", false),
					ResultEvent.attemptId(job, location, "9.2.1", true));
		assertThat(found.get(0).payload()).isEqualTo(attempt(job, location, "8.2.1", false).payload());
		assertThat(found.get(0).jobExecutionId()).isEqualTo(8);
		assertThat(store.find(job, location, EventKind.FAILED)).singleElement()
			.satisfies(e -> assertThat(e.kind()).isEqualTo(EventKind.FAILED));
		assertThat(store.find(job, sha("a"), EventKind.SOURCE)).hasSize(1);
		assertThat(store.find(job, sha("b"), EventKind.ATTEMPT)).isEmpty();
	}

	@Test
	void findAllLooksUpManyKeysAtOnceAsFindDoesEachOne() {
		List<String> keys = IntStream.range(0, 250).mapToObj(i -> sha("many" + i)).toList();
		List<ResultEvent> events = new ArrayList<>();
		for (int i = 0; i < keys.size(); i += 2) {
			events.add(analysed(job, keys.get(i)));
			events.add(source(job, keys.get(i), "s/" + i));
			events.add(source(job, keys.get(i), "t/" + i));
		}
		String unreadable = ResultEvent.locationKey("d/poison.bin");
		events.add(failed(job, unreadable));
		events.add(analysed(job + 1, keys.get(1)));
		store.append(events);
		List<String> asked = new ArrayList<>(keys);
		asked.add(unreadable);
		asked.add(keys.get(0)); // asked twice

		var analysed = store.findAll(job, asked, EventKind.ANALYSED);
		var sources = store.findAll(job, asked.subList(0, 40), EventKind.SOURCE);
		var failed = store.findAll(job, asked, EventKind.FAILED);

		assertThat(analysed).hasSize(125);
		for (String key : asked) {
			assertThat(analysed.getOrDefault(key, List.of())).as(key)
				.isEqualTo(store.find(job, key, EventKind.ANALYSED));
		}
		assertThat(sources).hasSize(20);
		assertThat(sources.get(keys.get(2))).isEqualTo(store.find(job, keys.get(2), EventKind.SOURCE)).hasSize(2);
		assertThat(failed).containsOnlyKeys(unreadable);
		assertThat(failed.get(unreadable)).isEqualTo(store.find(job, unreadable, EventKind.FAILED));
		assertThat(store.findAll(job, List.of(), EventKind.ANALYSED)).isEmpty();
	}

	@Test
	void attemptMarkersAreStoredOnceAndCountedApart() {
		String location = ResultEvent.locationKey("d/poison.bin");
		List<ResultEvent> markers = List.of(attempt(job, location, "8.2.1", false), attempt(job, location, "8.2.1", true));

		assertThat(store.append(markers)).isEqualTo(2);
		assertThat(store.append(markers)).isZero();
		assertThat(store.count(job, EventKind.ATTEMPT)).isEqualTo(2);
		assertThat(store.count(job, EventKind.ANALYSED)).isZero();
		assertThat(store.count(job, EventKind.FAILED)).isZero();
	}

	protected List<ResultEvent> read(long jobInstanceId) {
		List<ResultEvent> read = new ArrayList<>();
		store.forEach(jobInstanceId, read::add);
		return read;
	}

	public static String sha(String seed) {
		return io.trawl.readmodel.contract.Hashes.sha256(seed);
	}

	public static ResultEvent analysed(long job, String sha256) {
		return new ResultEvent(ResultEvent.analysedId(job, sha256), job, 100, sha256, EventKind.ANALYSED,
				Instant.parse("2026-11-25T00:00:00Z"),
				"{\"sha256\":\"" + sha256 + "\",\"verdict\":\"clean\",\"yara\":[],\"errors\":[]}");
	}

	/** @param attempt {@code jobExecution.stepExecution.run}, whose first part becomes the event's job execution */
	public static ResultEvent attempt(long job, String locationKey, String attempt, boolean done) {
		return new ResultEvent(ResultEvent.attemptId(job, locationKey, attempt, done), job,
				Long.parseLong(attempt.substring(0, attempt.indexOf('.'))), locationKey, EventKind.ATTEMPT,
				Instant.parse("2026-11-25T00:00:00Z"),
				"{\"attempt\":\"" + attempt + "\",\"phase\":\"" + (done ? "done" : "started") + "\"}");
	}

	public static ResultEvent failed(long job, String locationKey) {
		return new ResultEvent(ResultEvent.failedId(job, locationKey), job, 100, locationKey, EventKind.FAILED,
				Instant.parse("2026-11-25T00:00:00Z"), "{\"sha256\":null,\"verdict\":\"error\",\"errors\":[]}");
	}

	public static ResultEvent source(long job, String sha256, String location) {
		return new ResultEvent(ResultEvent.sourceId(job, sha256, Hashes.sha256(location).substring(0, 16)), job, 100,
				sha256, EventKind.SOURCE, Instant.parse("2026-11-25T00:00:00Z"),
				"{\"location\":\"" + location + "\"}");
	}
}
