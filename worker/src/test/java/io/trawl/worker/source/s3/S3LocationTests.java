package io.trawl.worker.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3LocationTests {

	@Test
	void parsesBucketAndPrefix() {
		assertThat(S3Location.parse("s3://samples-2026/incoming/batch 7/"))
			.isEqualTo(new S3Location("samples-2026", "incoming/batch 7/"));
		assertThat(S3Location.parse("s3://samples-2026")).isEqualTo(new S3Location("samples-2026", ""));
		assertThat(S3Location.parse("s3://samples-2026/")).isEqualTo(new S3Location("samples-2026", ""));
	}

	@Test
	void printsAsTheUriItCameFrom() {
		assertThat(S3Location.parse("s3://bucket.example/a/b")).hasToString("s3://bucket.example/a/b");
		assertThat(S3Location.parse("s3://bucket.example").uri("x/y.bin")).isEqualTo("s3://bucket.example/x/y.bin");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "s3://", "/srv/samples", "s3:/bucket/x", "https://bucket/x", "s3://UPPER/x",
			"s3://ab/x", "s3://-bucket/x", "s3://bucket-/x", "s3://bu..cket/x", "s3://bucket_name/x" })
	void refusesWhatIsNotAnS3LocationWithOneClearSentence(String uri) {
		assertThatThrownBy(() -> S3Location.parse(uri)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("'" + uri + "' is not");
	}
}
