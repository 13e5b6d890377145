package io.trawl.jobs.rules;

import java.nio.file.Path;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.s3.S3Client;

import io.trawl.jobs.TrawlProperties;

/** The aws profile's {@link Rulesets}: local rules as in the embedded profile, and s3:// rules too. */
@Configuration(proxyBeanMethods = false)
@Profile("aws")
class S3RulesetsConfiguration {

	@Bean
	S3Rulesets rulesets(S3Client s3, TrawlProperties trawl) {
		return new S3Rulesets(s3, trawl.analysis().yaraTimeoutSeconds(), Path.of(trawl.dataDir(), "rules-cache"));
	}
}
