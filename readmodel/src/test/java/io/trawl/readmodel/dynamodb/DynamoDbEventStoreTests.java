package io.trawl.readmodel.dynamodb;

import static io.trawl.readmodel.contract.EventStoreContract.analysed;
import static io.trawl.readmodel.contract.EventStoreContract.sha;
import static io.trawl.readmodel.contract.EventStoreContract.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

class DynamoDbEventStoreTests extends EventStoreContract {

	private static Dynalite dynalite;
	private static DynamoDbClient client;
	private static final DynamoDbTableNames NAMES = new DynamoDbTableNames("events-test");

	@BeforeAll
	static void dynalite() {
		dynalite = Dynalite.start();
		client = dynalite.client();
		DynamoDbTables.createIfMissing(client, NAMES);
	}

	@AfterAll
	static void stop() {
		client.close();
		dynalite.close();
	}

	@Override
	protected EventStore newStore() {
		return new DynamoDbEventStore(client, NAMES);
	}

	@Test
	void unreadableAndReadableSamplesAcrossManyShardsComeBackInKeyOrder() {
		List<ResultEvent> events = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			events.add(analysed(job, sha("sample-" + i)));
			events.add(source(job, sha("sample-" + i), "folder/" + i));
			String unreadable = ResultEvent.UNREADABLE_PREFIX + sha("locked-" + i);
			events.add(new ResultEvent(ResultEvent.failedId(job, unreadable), job, 100, unreadable, EventKind.FAILED,
					Instant.parse("2026-11-25T00:00:00Z"), "{\"location\":\"locked-" + i + "\"}"));
		}
		List<ResultEvent> shuffled = new ArrayList<>(events);
		Collections.shuffle(shuffled);

		assertThat(store.append(shuffled)).isEqualTo(900);

		List<ResultEvent> expected = new ArrayList<>(events);
		expected.sort(Comparator.comparing(ResultEvent::sampleKey).thenComparing(e -> e.kind().name())
			.thenComparing(ResultEvent::eventId));
		assertThat(read(job)).containsExactlyElementsOf(expected);
		assertThat(store.count(job, EventKind.FAILED)).isEqualTo(300);
		assertThat(store.count(job, EventKind.SOURCE)).isEqualTo(300);
	}

	@Test
	void anEventWhoseKeyCannotBeShardedIsRefusedWithAClearMessage() {
		ResultEvent odd = new ResultEvent(ResultEvent.analysedId(job, "NOT-A-HASH"), job, 1, "NOT-A-HASH",
				EventKind.ANALYSED, Instant.now(), "{}");

		assertThatThrownBy(() -> store.append(List.of(odd))).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("NOT-A-HASH").hasMessageContaining("sha256");
	}

	@Test
	void creatingTheTablesAgainChangesNothing() {
		store.append(List.of(analysed(job, sha("kept"))));

		DynamoDbTables.createIfMissing(client, NAMES);

		assertThat(read(job)).hasSize(1);
	}
}
