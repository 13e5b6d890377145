package io.trawl.worker.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.s3.S3Client;

class S3RulesTests {

	private static final String BUCKET = "rules";
	private static final String EVIL = "rule Evil { strings: $a = \"evil\" condition: $a }\n";
	private static final String PACKED = "include \"../common/packed.yar\"\nrule Packed2 { condition: true }\n";

	private static EmbeddedS3 embedded;
	private static S3Client s3;

	@TempDir
	Path target;

	@BeforeAll
	static void givenRulesInABucket() throws Exception {
		embedded = EmbeddedS3.start();
		s3 = embedded.client();
		s3.createBucket(b -> b.bucket(BUCKET));
		EmbeddedS3.put(s3, BUCKET, "single/evil.yar", bytes(EVIL));
		EmbeddedS3.put(s3, BUCKET, "set/main/packed.yara", bytes(PACKED));
		EmbeddedS3.put(s3, BUCKET, "set/common/packed.yar", bytes("rule Packed { condition: true }\n"));
		EmbeddedS3.put(s3, BUCKET, "set/README.md", bytes("not a rule"));
		EmbeddedS3.put(s3, BUCKET, "empty/notes.txt", bytes("no rules here"));
	}

	@AfterAll
	static void stop() throws Exception {
		s3.close();
		embedded.close();
	}

	@Test
	void aSingleObjectBecomesOneRuleFile() throws IOException {
		Path rules = S3Rules.download(s3, "s3://rules/single/evil.yar", target);

		assertThat(rules).isEqualTo(target.resolve("evil.yar"));
		assertThat(rules).hasContent(EVIL.strip());
	}

	@Test
	void aPrefixBecomesAFolderOfEveryRuleFileKeepingTheLayout() throws IOException {
		Path rules = S3Rules.download(s3, "s3://rules/set/", target);

		assertThat(rules).isEqualTo(target);
		try (Stream<Path> files = Files.walk(target)) {
			assertThat(files.filter(Files::isRegularFile).map(f -> target.relativize(f).toString().replace('\\', '/')))
				.containsExactlyInAnyOrder("main/packed.yara", "common/packed.yar");
		}
		assertThat(target.resolve("main/packed.yara")).hasContent(PACKED.strip());
	}

	@Test
	void downloadsToANewTemporaryFolderByDefault() throws IOException {
		Path rules = S3Rules.download(s3, "s3://rules/single/evil.yar");
		try {
			assertThat(rules.getFileName().toString()).isEqualTo("evil.yar");
			assertThat(rules.getParent().getFileName().toString()).startsWith("trawl-rules-");
		}
		finally {
			Files.delete(rules);
			Files.delete(rules.getParent());
		}
	}

	@Test
	void aPrefixWithoutRulesFailsWithOneClearSentence() {
		assertThatThrownBy(() -> S3Rules.download(s3, "s3://rules/empty/", target))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("No .yar or .yara rules were found at s3://rules/empty/; upload the rules there or fix the "
					+ "rules location.");
		assertThatThrownBy(() -> S3Rules.download(s3, "s3://rules/single/missing.yar", target))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("No .yar or .yara rules were found at s3://rules/single/missing.yar");
	}

	@Test
	void aMissingBucketFailsNamingIt() {
		assertThatThrownBy(() -> S3Rules.download(s3, "s3://no-rules-bucket/rules.yar", target))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("The bucket no-rules-bucket does not exist or is not readable");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
