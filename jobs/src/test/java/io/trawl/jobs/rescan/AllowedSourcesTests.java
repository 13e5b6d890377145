package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What trawl.sources.allowed lets REST and SQS launches name. */
class AllowedSourcesTests {

	@TempDir
	Path root;

	@Test
	void s3EntriesMatchOnABucketAndPrefixBoundary() {
		AllowedSources allowed = new AllowedSources(List.of("s3://bucket", "s3://other/incoming"), "config/rules");

		assertThat(allowed.source("s3://bucket")).isEqualTo("s3://bucket");
		assertThat(allowed.source("s3://bucket/any/prefix/")).isEqualTo("s3://bucket/any/prefix/");
		assertThat(allowed.source("s3://other/incoming/x")).isEqualTo("s3://other/incoming/x");
		assertThat(allowed.source("s3://other/incoming")).isEqualTo("s3://other/incoming");
		for (String refused : List.of("s3://bucket-evil/x", "s3://bucketx", "s3://other/incoming-evil/x",
				"s3://other/", "s3://other", "s3://other-bucket/x", "gs://bucket/x")) {
			assertThatThrownBy(() -> allowed.source(refused)).as(refused)
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("trawl.sources.allowed");
		}
	}

	@Test
	void localPathsAreComparedAfterSymlinksAndDotDotAreResolved() throws Exception {
		Path samples = Files.createDirectories(root.resolve("samples"));
		Path inside = Files.createDirectories(samples.resolve("batch-1"));
		Files.createSymbolicLink(samples.resolve("etc"), Path.of("/etc"));
		Path sibling = Files.createDirectories(root.resolve("samples-evil"));
		AllowedSources allowed = new AllowedSources(List.of(samples.toString()), "config/rules");

		assertThat(allowed.source(inside.toString())).isEqualTo(inside.toRealPath().toString());
		assertThat(allowed.source(samples + "/batch-1/../batch-1")).isEqualTo(inside.toRealPath().toString());
		for (String refused : List.of(samples + "/etc", samples + "/../samples-evil", sibling.toString(), "/etc",
				"/proc", "/", samples + "/../../..")) {
			assertThatThrownBy(() -> allowed.source(refused)).as(refused)
				.hasMessageContaining("not in the locations this service may read");
		}
		assertThatThrownBy(() -> allowed.source(samples + "/missing")).hasMessageContaining("does not exist");
		assertThatThrownBy(() -> allowed.source("/root/missing")).hasMessageContaining("not in the locations");
	}

	@Test
	void theDefaultRulesAreAlwaysAllowedAndNothingElseWhenTheListIsEmpty() throws Exception {
		Path rules = Files.createDirectories(root.resolve("rules"));
		Files.writeString(rules.resolve("a.yar"), "rule a { condition: true }");
		AllowedSources allowed = new AllowedSources(List.of(), rules.toString());

		assertThat(allowed.rules(rules.toString())).isEqualTo(rules.toString());
		assertThat(allowed.rules(rules.resolve("a.yar").toString())).isEqualTo(rules.resolve("a.yar").toRealPath()
			.toString());
		assertThatThrownBy(() -> allowed.rules("/etc/passwd")).hasMessageContaining("which is empty");
		assertThatThrownBy(() -> allowed.source(root.toString())).hasMessageContaining("which is empty");
	}
}
