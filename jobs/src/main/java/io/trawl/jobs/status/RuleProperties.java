package io.trawl.jobs.status;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/**
 * {@code trawl.rules.noisy-share}: a rule is noisy in a job when it hits more than this share of the job's samples
 * (by content), 0.2 unless set.
 */
@Validated
@ConfigurationProperties("trawl.rules")
public record RuleProperties(@DefaultValue("0.2") @DecimalMin("0") @DecimalMax("1") double noisyShare) {
}
