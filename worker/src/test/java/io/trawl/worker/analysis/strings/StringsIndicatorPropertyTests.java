package io.trawl.worker.analysis.strings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.trawl.worker.analysis.strings.StringsAnalyzer.Collector;
import io.trawl.worker.analysis.strings.StringsAnalyzer.Settings;

/**
 * The indicators the analyzer reports are those of every indicator pattern run over every whole string (the
 * collector's plain mode): the clues, the split into tokens and the stretches each pattern is confined to only
 * spare work. Generated strings mix indicator-like pieces with the characters the patterns and the clue checks
 * turn on, as ASCII and UTF-16LE, between bytes that end a string; and past the cap of distinct strings too.
 */
class StringsIndicatorPropertyTests {

	private static final String CHARACTERS = "aAfFzZ09.-_@:%/\\+~ \t?#'\"()HKkLMhxtps";

	@Property(tries = 400)
	void givenStringsWithIndicatorLikePieces_thenTheIndicatorsAreThoseOfThePlainSearch(
			@ForAll("contents") byte[] content, @ForAll("minimums") int min) {
		Map<String, Object> plain = report(content, new Settings(min, Integer.MAX_VALUE, 100, 200, 4096), true);

		for (Settings settings : List.of(new Settings(min, Integer.MAX_VALUE, 100, 200, 4096),
				new Settings(min, 3, 100, 200, 4096), new Settings(min, 1000, 100, 5, 4096))) {
			Map<String, Object> narrowed = report(content, settings, false);
			Map<String, Object> expected = settings.maxIocsPerType() == 200 ? plain
					: report(content, new Settings(min, Integer.MAX_VALUE, 100, 5, 4096), true);
			assertThat(narrowed.get("iocs")).as("%s", settings).isEqualTo(expected.get("iocs"));
			assertThat(narrowed.get("iocCounts")).as("%s", settings).isEqualTo(expected.get("iocCounts"));
			assertThat(narrowed.get("count")).isEqualTo(plain.get("count"));
		}
	}

	private static Map<String, Object> report(byte[] content, Settings settings, boolean plain) {
		Collector collector = new Collector(settings, plain);
		StringsAnalyzer.scan(ByteBuffer.wrap(content), settings, collector);
		return collector.report();
	}

	@Provide
	Arbitrary<Integer> minimums() {
		return Arbitraries.of(1, 4, 6);
	}

	/** Strings of pieces and characters, each ASCII or UTF-16LE, each followed by a byte that ends it. */
	@Provide
	Arbitrary<byte[]> contents() {
		Arbitrary<String> piece = Arbitraries.oneOf(Arbitraries.of(StringsAgainstGnuStringsTests.PIECES),
				Arbitraries.strings().withChars(CHARACTERS).ofMinLength(1).ofMaxLength(12));
		Arbitrary<String> string = piece.list().ofMinSize(1).ofMaxSize(8).map(pieces -> String.join("", pieces));
		Arbitrary<byte[]> encoded = Arbitraries.integers().between(0, 4).flatMap(kind -> string.map(text -> {
			byte[] bytes = text.getBytes(kind == 0 ? StandardCharsets.UTF_16LE : StandardCharsets.US_ASCII);
			byte[] withEnd = java.util.Arrays.copyOf(bytes, bytes.length + 1);
			withEnd[bytes.length] = (byte) (kind == 1 ? 0xff : kind == 2 ? '\n' : 0);
			return withEnd;
		}));
		return encoded.list().ofMinSize(1).ofMaxSize(40).map(parts -> {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			parts.forEach(out::writeBytes);
			return out.toByteArray();
		});
	}
}
